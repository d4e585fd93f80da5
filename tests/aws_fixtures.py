"""Test plumbing for the AWS commands: fake credentials, moto (in-process and as a server),
a hand-built ECS project, a fake clock, and recorded real-shape API responses.

AWS is unreachable here and must never be called: every fixture sets fake credentials and
points boto3 at moto.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from compose2ecs.ecs import model as m

FIXTURES = Path(__file__).parent / "fixtures" / "aws"
REGION = "us-east-1"
FAKE_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SECURITY_TOKEN": "testing", "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}


def recorded(name: str) -> dict:
    """A recorded API response from tests/fixtures/aws/<name>.json."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


_MOTO_LOCK = threading.RLock()


def serialise_moto() -> None:
    """moto's in-process backends are plain dicts, not thread-safe: deploy sends requests from a
    pool of workers (aws/pool.py), and two concurrent CreateSecurityGroup calls can break moto's
    iteration ("dictionary changed size during iteration"). AWS serialises nothing; moto here
    answers one request at a time, as its server does per connection. Idempotent."""
    from moto.core import botocore_stubber

    stubber = botocore_stubber.BotocoreStubber
    if getattr(stubber.process_request, "_serialised", False):
        return
    original = stubber.process_request

    def process_request(self, request):
        with _MOTO_LOCK:
            return original(self, request)

    process_request._serialised = True
    stubber.process_request = process_request


@pytest.fixture
def aws_env(monkeypatch):
    """Fake credentials; moto reports services as running (its tasks never start)."""
    serialise_moto()
    for key, value in FAKE_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", "1")
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")


@pytest.fixture
def moto(aws_env):
    from moto import mock_aws

    with mock_aws():
        yield


class FakeClock:
    """A clock that only moves when the code sleeps: waits take no real time."""

    def __init__(self, start: float = 1_700_000_000.0):
        self.now = start
        self.sleeps: list = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_clients(recorder=None):
    import boto3

    from compose2ecs.aws.session import AwsOptions, Clients

    hooks = (recorder.attach,) if recorder else ()
    return Clients(AwsOptions(region=REGION, max_attempts=2), {},
                   session=boto3.session.Session(region_name=REGION), hooks=hooks)


def fallback_render(td) -> dict:
    """A minimal RegisterTaskDefinition dict, used only while emit/taskdef.py is absent."""
    def container(c):
        out = {"name": c.name, "image": c.image, "essential": c.essential,
               "environment": [{"name": k, "value": v} for k, v in c.environment]}
        ports = [{"containerPort": p.container_port, "protocol": p.protocol,
                  **({"name": p.name} if p.name else {})} for p in c.port_mappings]
        if ports:
            out["portMappings"] = ports
        if c.log_configuration:
            out["logConfiguration"] = {"logDriver": c.log_configuration.log_driver,
                                       "options": dict(c.log_configuration.options)}
        return out

    return {"family": td.family, "containerDefinitions": [container(c) for c in td.containers],
            "cpu": td.cpu, "memory": td.memory, "networkMode": td.network_mode,
            "requiresCompatibilities": list(td.requires_compatibilities),
            **({"executionRoleArn": td.execution_role_arn} if td.execution_role_arn else {})}


def renderer():
    try:
        from compose2ecs.emit.taskdef import task_definition_dict
    except ImportError:
        return fallback_render
    return task_definition_dict


def _container(project: str, name: str, image: str, ports=(), published=()):
    logs = m.LogConfiguration("awslogs", (("awslogs-group", f"/ecs/{project}"),
                                          ("awslogs-region", REGION),
                                          ("awslogs-stream-prefix", name)))
    mappings = tuple(m.PortMapping(container_port=p, name=f"{name}-{p}",
                                   published=p if p in published else None) for p in ports)
    return m.Container(name=name, image=image, source=name, port_mappings=mappings,
                       environment=(("MODE", "test"),), log_configuration=logs)


def make_project(name: str = "shop", images: dict | None = None, count: int = 1) -> m.EcsProject:
    """web (public :80) → api (:8080, Service Connect) → db (:5432), on one compose network."""
    images = {"web": "nginx:1.27", "api": "example/api:1", "db": "postgres:16", **(images or {})}
    tds = tuple(m.TaskDefinition(family=f"{name}-{svc}", cpu="256", memory="512",
                                 containers=(_container(name, svc, images[svc], ports, pub),))
                for svc, ports, pub in (("api", (8080,), ()), ("db", (5432,), ()), ("web", (80,), (80,))))
    sc = lambda svc, port: (m.ServiceConnectEndpoint(f"{svc}-{port}", svc, svc, port),)  # noqa: E731
    services = (
        m.Service("db", f"{name}-db", ("db",), desired_count=count, networks=("default",),
                  ingress_ports=((5432, "tcp"),), service_connect=sc("db", 5432)),
        m.Service("api", f"{name}-api", ("api",), desired_count=count, depends_on=("db",),
                  networks=("default",), ingress_ports=((8080, "tcp"),), service_connect=sc("api", 8080)),
        m.Service("web", f"{name}-web", ("web",), desired_count=count, depends_on=("api",),
                  networks=("default",), public_ports=((80, "tcp"),)),
    )
    return m.EcsProject(name=name, region=REGION, cluster=m.Cluster(name),
                        services=services, task_definitions=tuple(sorted(tds, key=lambda t: t.family)),
                        log_groups=(m.LogGroup(f"/ecs/{name}"),),
                        networks=(("default", ("api", "db", "web")),))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def moto_server(aws_env):
    """A moto_server subprocess on 127.0.0.1 and a free port; yields its endpoint URL."""
    port = free_port()
    env = dict(os.environ, MOTO_ECS_SERVICE_RUNNING="1")
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_port(port, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_for_port(port: int, proc, attempts: int = 200) -> None:
    for _ in range(attempts):
        if proc.poll() is not None:
            pytest.fail("moto_server exited at start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail("moto_server did not start listening")
