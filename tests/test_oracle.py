"""The oracle must reject what ECS rejects (a test that cannot fail is a defect)."""
from __future__ import annotations

import copy

import pytest

from tests.oracle import task_definition_problems

GOOD = {
    "family": "p-web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
    "cpu": "256", "memory": "512", "executionRoleArn": "ecsTaskExecutionRole",
    "volumes": [{"name": "data", "host": {}}],
    "containerDefinitions": [{
        "name": "web", "image": "nginx", "essential": True,
        "portMappings": [{"containerPort": 80, "protocol": "tcp", "name": "web-80-tcp"}],
        "mountPoints": [{"sourceVolume": "data", "containerPath": "/d", "readOnly": False}],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/p", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "web"}},
        "healthCheck": {"command": ["CMD", "true"], "interval": 30, "timeout": 5, "retries": 3}}],
}


def test_good_task_definition_passes():
    assert task_definition_problems(GOOD) == []


def _mutate(path, value):
    td = copy.deepcopy(GOOD)
    node = td
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return td


C = ("containerDefinitions", 0)
BAD = {
    "bad size": (("memory",), "4096"),
    "string cpu required": (("cpu",), KeyError),
    "bridge on fargate": (("networkMode",), "bridge"),
    "bad family": (("family",), "my app"),
    "unknown key": (("foo",), 1),
    "bad enum": (C + ("portMappings", 0, "protocol"), "sctp"),
    "hostPort remap": (C + ("portMappings", 0, "hostPort"), 8080),
    "bad port name": (C + ("portMappings", 0, "name"), "Web:80"),
    "log driver": (C + ("logConfiguration", "logDriver"), "json-file"),
    "missing prefix": (C + ("logConfiguration", "options", "awslogs-stream-prefix"), KeyError),
    "no execution role": (("executionRoleArn",), KeyError),
    "health timeout": (C + ("healthCheck", "timeout"), 90),
    "health command": (C + ("healthCheck", "command"), ["true"]),
    "mount volume": (C + ("mountPoints", 0, "sourceVolume"), "nope"),
    "not essential": (C + ("essential",), False),
    "privileged": (C + ("privileged",), True),
    "cpu sum": (C + ("cpu",), 512),
    "memory sum": (C + ("memory",), 1024),
    "stop timeout": (C + ("stopTimeout",), 300),
    "capability": (C + ("linuxParameters",), {"capabilities": {"add": ["NET_ADMIN"]}}),
    "unresolved variable": (C + ("image",), "${IMAGE}"),
    "depends on missing": (C + ("dependsOn",), [{"containerName": "db", "condition": "START"}]),
    "hostname awsvpc": (C + ("hostname",), "web"),
    "too many containers": (("containerDefinitions",), [dict(GOOD["containerDefinitions"][0], name=f"c{i}",
                                                              portMappings=[]) for i in range(11)]),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_oracle_rejects(name):
    path, value = BAD[name]
    assert task_definition_problems(_mutate(path, value)), name


def test_oracle_rejects_oversized_definitions():
    env = [{"name": f"V{i}", "value": "x" * 1000} for i in range(70)]
    assert any("bytes" in p for p in task_definition_problems(_mutate(C + ("environment",), env)))
