"""ECS's 64 KiB task-definition limit (ecs-facts.md §3), checked right after lowering.

ECS measures the registered task definition as JSON ("Actual length: 'N'. Max allowed length is
'65536' bytes"); we measure the exact RegisterTaskDefinition request that the JSON emitter writes
and the deployer sends, serialised compactly in UTF-8 — the smallest form the request can take, so
a definition we reject is one ECS would refuse however it is sent. The same dict is what
CloudFormation registers (only re-cased), so all three outputs are covered by one check.

The error names the ECS service, the size, and the biggest parts with the compose location they
came from (an env-file variable points at its line in the env file).
"""
from __future__ import annotations

import json

from ..errors import Location, diagnostic

MAX_BYTES = 65536  # 64 KiB; was 32 KiB before 2021
SHOWN = 3  # biggest contributors named in the message

# containerDefinitions key → compose key the user wrote (for the location and the wording)
_COMPOSE_KEY = {"environment": "environment", "secrets": "secrets", "command": "command",
                "entryPoint": "entrypoint", "dockerLabels": "labels", "healthCheck": "healthcheck",
                "mountPoints": "volumes", "portMappings": "ports", "ulimits": "ulimits",
                "systemControls": "sysctls", "linuxParameters": "cap_add"}


def size_of(data) -> int:
    """Bytes of ``data`` as compact UTF-8 JSON (how the request travels)."""
    return len(json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8"))


def check(ecs_project, locate) -> list:
    """Diagnostics for every task definition above 64 KiB.

    ``locate(*path)`` is the compose project's locator (``Project.locate``).
    """
    from ..emit.taskdef import task_definition_dict  # the request ECS measures (lazy: emit imports ecs)

    owner = {s.task_definition: s.name for s in ecs_project.services}
    out = []
    for td in ecs_project.task_definitions:
        request = task_definition_dict(td)
        size = size_of(request)
        if size <= MAX_BYTES:
            continue
        parts = contributors(td, request, locate)
        service = owner.get(td.family, td.family)
        at = parts[0][2] if parts else Location()
        biggest = "; ".join(f"{where}: {_what(label)}{n:,} bytes" for n, label, where in parts[:SHOWN])
        out.append(diagnostic(
            at, f"ECS service {service}: task definition {td.family} is {size:,} bytes as JSON, more than "
                f"ECS's limit of {MAX_BYTES:,} bytes (64 KiB); the biggest parts: {biggest}",
            "move large env_file variables into an S3 environment file (ECS environmentFiles) or into "
            "Secrets Manager as compose secrets (x-ecs.secrets), shorten labels and commands, or split "
            "the services into separate tasks (x-ecs.task)"))
    return out


def _what(label: str) -> str:
    return f"{label}, " if label[0].isdigit() else ""


def contributors(td, request: dict, locate) -> list:
    """(bytes, label, Location) of the big parts of a task definition, biggest first.

    Each container field counts once, except the environment: its variables count per file they
    came from (compose file or env_file), and one by one, so a single huge variable is named too.
    """
    parts = []
    for container, data in zip(td.containers, request["containerDefinitions"]):
        svc = container.source or container.name
        for key, value in data.items():
            compose_key = _COMPOSE_KEY.get(key)
            if compose_key is not None and key != "environment":
                parts.append((size_of({key: value}), compose_key, locate("services", svc, compose_key)))
        parts += _environment(container, svc, locate)
    parts.sort(key=lambda p: (-p[0], p[2].file, p[2].line, p[2].column, str(p[2])))
    return parts


def _environment(container, svc: str, locate) -> list:
    per_file: dict = {}  # file → [bytes, count, first Location]
    out = []
    for name, value in container.environment:
        n = size_of({"name": name, "value": value}) + 1
        at = locate("services", svc, "environment", name)
        entry = per_file.setdefault(at.file, [0, 0, at])
        entry[0] += n
        entry[1] += 1
        if (at.line, at.column) < (entry[2].line, entry[2].column):
            entry[2] = at
        out.append((n, "variable", at))
    for n, count, at in per_file.values():
        if count > 1:
            out.append((n, f"{count} variables", at.with_path(("services", svc, "environment"))))
    return out
