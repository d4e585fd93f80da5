"""Placeholders the user declared (``x-ecs.placeholders``) that a task definition still holds.

The `docker run` front-end keeps what people paste from image READMEs — ``<path/to/config>``,
``TZ="<timezone>"``, ``$(id -u)`` — as it is and declares each under ``x-ecs.placeholders``
(text → what it stands for); a compose file may declare its own the same way. Those still
present in a container definition become :class:`~compose2ecs.ecs.model.Placeholder` values:
the report lists them, the CloudFormation emitter makes them parameters, and deploy refuses
them (``aws/plan.py``), as it refuses a placeholder EFS id.
"""
from __future__ import annotations

import dataclasses

from .context import Ctx

HOW = "put the real value where the docker run line or compose file has the placeholder"


def register(ctx: Ctx, task_definitions) -> None:
    """Register every declared placeholder some task definition still contains."""
    declared = ctx.top.get("placeholders") or {}
    if not declared:
        return
    text = "\x00".join(_strings(tuple(task_definitions)))
    for value in sorted(declared):
        if value and value in text:
            ctx.placeholder(value, str(declared[value]), HOW)


def _strings(value) -> list:
    """Every string inside the (frozen dataclass) ECS model ``value``."""
    out, stack = [], [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            out.append(node)
        elif dataclasses.is_dataclass(node):
            stack.extend(getattr(node, f.name) for f in dataclasses.fields(node))
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    return out
