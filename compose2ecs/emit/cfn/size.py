"""A template (or nested stack) that no split can bring under CloudFormation's limits → a user error.

split.py packs the generated resources into nested stacks; what it cannot move (the overlay's own
resources, one service's resources that are too big together) can still exceed the template size
(1,000,000 bytes through S3) or the resource/output/parameter counts. That is the input's doing,
so it is a located user error (exit 2) naming the biggest resources and where they came from.
"""
from __future__ import annotations

import json

from ...compose.source import locate as locate_in
from ...errors import Location, UserError, diagnostic

SHOWN = 3


class TemplateTooLarge(ValueError):
    """Raised by split.fit: ``part`` (named ``name``) still exceeds ``problems`` after splitting."""

    def __init__(self, name: str, part: dict, problems: list):
        self.name, self.part, self.problems = name, part, list(problems)
        super().__init__(f"{name} exceeds CloudFormation limits ({', '.join(problems)})")


def _bytes(body) -> int:
    return len(json.dumps(body, separators=(",", ":"), sort_keys=True, default=str).encode("utf-8"))


def user_error(error: TemplateTooLarge, ecs, owners: dict) -> UserError:
    """The located UserError for ``error``; ``owners`` maps logical ID → ECS service name."""
    from .overlay import find_overlay

    key, overlay = find_overlay(ecs)
    overlay_ids = set((overlay or {}).get("Resources") or {}) if isinstance(overlay, dict) else set()
    services = {s.name: s for s in ecs.services}
    fallback = Location(next((s.at.file for s in ecs.services if s.at.file), ""))  # the file, no line
    ranked = sorted(((_bytes(body), rid) for rid, body in (error.part.get("Resources") or {}).items()),
                    key=lambda item: (-item[0], item[1]))
    parts = []
    shown = [item for item in ranked[:SHOWN] if item is ranked[0] or item[0] * 10 >= ranked[0][0]]
    for size, rid in shown:
        if rid in overlay_ids:
            where = locate_in(overlay, ("Resources", rid), fallback).with_path(("x-ecs", key, "Resources", rid))
            what = f"overlay resource {rid}"
        else:
            service = services.get(owners.get(rid, ""))
            where = service.at if service is not None and service.at.file else fallback
            what = f"resource {rid}" + (f" of ECS service {service.name}" if service is not None else "")
        parts.append((where, f"{where}: {what} {size:,} bytes"))
    at = parts[0][0] if parts else fallback
    limits = "; ".join(_plain(p) for p in error.problems)
    return UserError(diagnostic(
        at, f"the CloudFormation {error.name} is too large even after splitting into nested stacks ({limits}); "
            f"the biggest resources: {'; '.join(text for _, text in parts)}",
        "shrink what the biggest resources carry: move env_file variables into an S3 environment file "
        "(ECS environmentFiles) and secrets into Secrets Manager (x-ecs.secrets), keep large inline code "
        "out of x-ecs.cloudformation (put it in S3), or deploy with --format taskdef / deploy --via api"))


def _plain(problem: str) -> str:
    """``bytes: 1765537 > 1000000`` → ``about 1,765,537 bytes, the limit is 1,000,000``."""
    what, _, numbers = problem.partition(": ")
    have, _, limit = numbers.partition(" > ")
    try:
        have_n, limit_n = int(have), int(limit)
    except ValueError:
        return problem
    prefix = "about " if what == "bytes" else ""
    return f"{prefix}{have_n:,} {what}, the limit is {limit_n:,}"
