"""Fargate task sizes: the seven tiers and the first-fit rounding of ecs-facts.md §1–2.

Pure arithmetic, no findings: callers decide what a rounding or a miss means for the user.
"""
from __future__ import annotations

from typing import Optional

from ..records import record


@record
class Tier:
    cpu: int  # CPU units
    memory: tuple  # allowed memory values in MiB, ascending
    windows: bool = False


def _grid(start: int, stop: int, step: int) -> tuple:
    return tuple(range(start, stop + 1, step))


# ecs-facts.md §1 (botocore RegisterTaskDefinitionRequest.memory, cfn-lint fargate_cpu_memory.json).
TIERS = (
    Tier(256, (512, 1024, 2048)),
    Tier(512, _grid(1024, 4096, 1024)),
    Tier(1024, _grid(2048, 8192, 1024), windows=True),
    Tier(2048, _grid(4096, 16384, 1024), windows=True),
    Tier(4096, _grid(8192, 30720, 1024), windows=True),
    Tier(8192, _grid(16384, 61440, 4096)),
    Tier(16384, _grid(32768, 122880, 8192)),
)

MAX_CPU = TIERS[-1].cpu
MAX_MEMORY = TIERS[-1].memory[-1]
DEFAULT_SIZE = (256, 512)  # no limits anywhere → the smallest task

# Service Connect proxy headroom (ecs-facts.md §2, step 2).
SERVICE_CONNECT_CPU = 256
SERVICE_CONNECT_MEMORY = 64


def valid_pairs(windows: bool = False) -> list:
    """Every valid (cpu, memory) pair, ascending (74 for Linux)."""
    return [(t.cpu, m) for t in TIERS if t.windows or not windows for m in t.memory]


def is_valid(cpu: int, memory: int, windows: bool = False) -> bool:
    """True when ``cpu``/``memory`` (units, MiB) is a Fargate task size."""
    return (cpu, memory) in set(valid_pairs(windows))


def fit(need_cpu: int, need_memory: int, windows: bool = False) -> Optional[tuple]:
    """Smallest Fargate (cpu, memory) that holds ``need_cpu`` units and ``need_memory`` MiB.

    First fit over ascending tiers; AWS's own guidance ("round up to the nearest Fargate
    size") and, checked by brute force, also the cheapest. None when nothing fits.
    """
    for tier in TIERS:
        if windows and not tier.windows:
            continue
        if tier.cpu < need_cpu or tier.memory[-1] < need_memory:
            continue
        for mem in tier.memory:
            if mem >= need_memory:
                return tier.cpu, mem
    return None


def memory_range(cpu: int) -> Optional[tuple]:
    """(min, max) MiB allowed with ``cpu`` units, or None when ``cpu`` is not a tier."""
    for tier in TIERS:
        if tier.cpu == cpu:
            return tier.memory[0], tier.memory[-1]
    return None
