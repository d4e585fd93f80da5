"""Task definitions on the deploy side: the dict to register, and the normalised compare.

ECS echoes a registered task definition back with read-only fields (revision, status,
registeredAt …), filled-in defaults (``cpu: 0``, ``essential: true``, empty lists,
``hostPort`` = ``containerPort`` in awsvpc) and full role ARNs where a name was given.
:func:`normalise` removes exactly those differences so "unchanged" means unchanged, and
:func:`diff` shows what did change as a unified diff of sorted JSON.
"""
from __future__ import annotations

import difflib
import json
from typing import Callable

READ_ONLY = ("taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
             "registeredAt", "registeredBy", "deregisteredAt", "deleteRequestedAt", "tags")
CONTAINER_DEFAULTS = {"essential": True, "cpu": 0}
PORT_DEFAULTS = {"protocol": "tcp"}
ROLE_KEYS = ("executionRoleArn", "taskRoleArn")


def default_renderer() -> Callable:
    """The emitter's ``task_definition_dict`` (imported late: it is another helper's module)."""
    from ..emit.taskdef import task_definition_dict

    return task_definition_dict


def desired_dict(td, render: Callable, execution_role_arn: str, tags: list) -> dict:
    """The RegisterTaskDefinition input: the emitter's dict, the resolved execution role, tags."""
    body = dict(render(td))
    body["executionRoleArn"] = execution_role_arn
    if tags:
        body["tags"] = [dict(t) for t in tags]
    return body


def _prune(value):
    """Drop None, empty lists and empty dicts, recursively (ECS echoes empties for unset keys)."""
    if isinstance(value, dict):
        out = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _role_name(value):
    # "arn:aws:iam::123:role/path/name" and "name" denote the same role.
    return value.rsplit("/", 1)[-1] if isinstance(value, str) else value


def _container(c: dict, awsvpc: bool) -> dict:
    c = dict(c)
    for key, default in CONTAINER_DEFAULTS.items():
        if c.get(key) == default:
            c.pop(key)
    ports = []
    for port in c.get("portMappings") or []:
        port = {k: v for k, v in port.items() if PORT_DEFAULTS.get(k) != v}
        if awsvpc and port.get("hostPort") == port.get("containerPort"):
            port.pop("hostPort", None)
        ports.append(port)
    if ports:
        c["portMappings"] = ports
    for key in ("environment", "secrets"):
        if c.get(key):
            c[key] = sorted(c[key], key=lambda e: e.get("name", ""))
    return c


def normalise(body: dict) -> dict:
    """A comparable form of a task definition (desired or live)."""
    body = {k: v for k, v in body.items() if k not in READ_ONLY}
    awsvpc = body.get("networkMode") == "awsvpc"
    body["containerDefinitions"] = sorted(
        (_container(c, awsvpc) for c in body.get("containerDefinitions") or []),
        key=lambda c: c.get("name", ""))
    for key in ROLE_KEYS:
        if key in body:
            body[key] = _role_name(body[key])
    for key in ("cpu", "memory"):
        if body.get(key) is not None:
            body[key] = str(body[key])
    body["volumes"] = [_volume(v) for v in body.get("volumes") or []]
    return _prune(body)


def _volume(volume: dict) -> dict:
    """ECS fills in an EFS volume's rootDirectory ("/") when it is left out."""
    efs = volume.get("efsVolumeConfiguration")
    if isinstance(efs, dict) and efs.get("rootDirectory") == "/":
        volume = {**volume, "efsVolumeConfiguration": {k: v for k, v in efs.items()
                                                        if k != "rootDirectory"}}
    return volume


def same(desired: dict, live: dict) -> bool:
    """True when registering ``desired`` would repeat the live revision."""
    return normalise(desired) == normalise(live)


def diff(live: dict, desired: dict, family: str) -> str:
    """A unified diff (live revision → new) of the normalised JSON."""
    def lines(body):
        return json.dumps(normalise(body), indent=2, sort_keys=True).splitlines(keepends=True)

    old = lines(live) if live else []
    return "".join(difflib.unified_diff(old, lines(desired), f"{family} (live)", f"{family} (new)"))
