"""``healthcheck`` → ``healthCheck`` with ECS's ranges (ecs-facts.md §3).

Compose defaults (interval 30 s, timeout 30 s, retries 3) are written out explicitly because
ECS's own defaults differ (timeout 5 s): the task behaves as it did under Compose.
"""
from __future__ import annotations

import math
from typing import Optional

from .context import Ctx, Unit
from .model import HealthCheck

# field → (compose attribute, compose default, ECS min, ECS max)
RANGES = {
    "interval": ("interval", 30, 5, 300),
    "timeout": ("timeout", 30, 2, 60),
    "retries": ("retries", 3, 1, 10),
    "start_period": ("start_period", 0, 0, 300),
}


def health_check(ctx: Ctx, unit: Unit) -> Optional[HealthCheck]:
    """The container health check, or None (no healthcheck, disabled, or NONE)."""
    hc = unit.service.healthcheck
    if hc is None or hc.disable:
        return None
    test = tuple(str(t) for t in hc.test) if hc.test is not None else None
    if not test or test[0] == "NONE":
        if test is None:
            ctx.lossy(unit, ("healthcheck",), "healthcheck without test: ECS ignores the image's HEALTHCHECK, "
                      "so the container has no health check", "give healthcheck.test")
        return None
    if test[0] not in ("CMD", "CMD-SHELL"):
        test = ("CMD-SHELL", " ".join(test))
    values = {field: _clamped(ctx, unit, field, getattr(hc, attr), default, lo, hi)
              for field, (attr, default, lo, hi) in RANGES.items()}
    if hc.start_interval is not None:
        ctx.info(unit, ("healthcheck", "start_interval"), "start_interval is ignored: ECS checks at the "
                 "regular interval during the start period")
    return HealthCheck(test, values["interval"], values["timeout"], values["retries"],
                       values["start_period"] or None)


def _clamped(ctx: Ctx, unit: Unit, field: str, value, default: int, lo: int, hi: int) -> int:
    if value is None:
        return default if default >= lo else lo
    number = int(math.ceil(value)) if field != "retries" else int(value)
    clamped = min(max(number, lo), hi)
    if clamped != value:
        unit_text = "" if field == "retries" else " s"
        ctx.lossy(unit, ("healthcheck", field), f"healthcheck {field} {_fmt(value)}{unit_text} is outside "
                  f"ECS's range {lo}–{hi}; using {clamped}{unit_text}")
    return clamped


def _fmt(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
