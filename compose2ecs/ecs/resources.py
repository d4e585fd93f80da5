"""Compose resources → container cpu/memory, and the task size (ecs-facts.md §2).

Container: ``cpus`` (limit, else reservation) × 1024 → ``cpu``; ``cpu_shares`` as-is when no
cpus are given; memory limit → ``memory`` (hard), reservation → ``memoryReservation`` (soft).
Task: the sum over containers plus Service Connect headroom, rounded up to the smallest
Fargate size (first fit over the seven tiers), unless ``x-ecs.cpu``/``x-ecs.memory`` say more.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Optional

from ..errors import Location, Severity, UserError
from ..units import parse_bytes
from . import fargate, limits
from .context import Ctx, Unit

MIB = 1024 * 1024
MIN_CONTAINER_MEMORY = 6  # MiB, Docker ≥ 20.10 (ecs-facts.md §2)


def _mib(value: Optional[int]) -> Optional[int]:
    return None if value is None else int(math.ceil(value / MIB))


def container_resources(ctx: Ctx, unit: Unit) -> tuple:
    """(cpu units, memory MiB, memoryReservation MiB) for one container; None = unset."""
    res = unit.service.deploy.resources
    cpus = res.cpus_limit if res.cpus_limit is not None else res.cpus_reservation
    cpu = int(math.ceil(cpus * 1024)) if cpus else (res.cpu_shares or None)
    memory, reservation = _mib(res.memory_limit), _mib(res.memory_reservation)
    if memory is not None and memory < MIN_CONTAINER_MEMORY:
        ctx.lossy(unit, ("deploy", "resources", "limits", "memory"),
                  f"memory limit {memory} MiB is below Docker's minimum; using {MIN_CONTAINER_MEMORY} MiB")
        memory = MIN_CONTAINER_MEMORY
    if memory is not None and reservation is not None and reservation >= memory:
        ctx.lossy(unit, ("deploy", "resources", "reservations", "memory"),
                  f"memory reservation {reservation} MiB is not below the limit {memory} MiB; reservation dropped",
                  "ECS requires memoryReservation < memory")
        reservation = None
    if reservation is not None and reservation < MIN_CONTAINER_MEMORY:
        reservation = MIN_CONTAINER_MEMORY
    return cpu, memory, reservation


def need(containers) -> tuple:
    """(cpu units, MiB) the containers need together (unset counts as 0)."""
    cpu = sum(c.cpu or 0 for c in containers)
    mem = sum(max(c.memory or 0, c.memory_reservation or 0) for c in containers)
    return cpu, mem


def task_size(ctx: Ctx, primary: Unit, containers, service_connect: bool, efs: bool) -> tuple:
    """(cpu, memory) strings for the task; raises UserError when nothing can hold it."""
    need_cpu, need_mem = need(containers)
    hard_sum = sum(c.memory or 0 for c in containers)
    extra_cpu = fargate.SERVICE_CONNECT_CPU if service_connect else 0
    extra_mem = fargate.SERVICE_CONNECT_MEMORY if service_connect else 0
    if efs and hard_sum:
        extra_mem = max(extra_mem, 1)  # the EFS supervisor needs room beyond the hard limits
    want_cpu, want_mem = need_cpu + extra_cpu, need_mem + extra_mem
    override_cpu = primary.settings.get("cpu")
    override_mem = _override_memory(ctx, primary)
    if override_cpu or override_mem:
        return _overridden(ctx, primary, override_cpu, override_mem, want_cpu, want_mem)
    if not primary.fargate and (want_cpu > fargate.MAX_CPU or want_mem > fargate.MAX_MEMORY):
        size = max(want_cpu, 128), max(want_mem, 512)  # EC2: no size grid, only a range
        problems = limits.check_task(size[0], size[1], primary.launch_type, resources_at(ctx, primary))
        if problems:
            raise UserError(problems)
        return str(size[0]), str(size[1])
    size = fargate.fit(want_cpu, want_mem)
    if size is None:
        raise ctx.error(resources_at(ctx, primary),
                        f"the task needs {want_cpu} CPU units and {want_mem} MiB, more than the largest Fargate "
                        f"size ({fargate.MAX_CPU} units / {fargate.MAX_MEMORY} MiB)",
                        "lower the limits, split the services into separate tasks, or use the EC2 launch type")
    _report_rounding(ctx, primary, need_cpu, need_mem, extra_cpu, extra_mem, size)
    return str(size[0]), str(size[1])


def _override_memory(ctx: Ctx, unit: Unit) -> Optional[int]:
    value = unit.settings.get("memory")
    if value is None:
        return None
    return value if isinstance(value, int) else _mib(parse_bytes(value))


def _overridden(ctx: Ctx, unit: Unit, cpu, mem, want_cpu: int, want_mem: int) -> tuple:
    at = ctx.svc_at(unit, "x-ecs", "cpu" if cpu else "memory")
    if cpu and not mem:
        fitted = fargate.fit(max(cpu, want_cpu), want_mem)
        mem = fitted[1] if fitted and fitted[0] == cpu else None
    elif mem and not cpu:
        fitted = fargate.fit(want_cpu, max(mem, want_mem))
        cpu = fitted[0] if fitted and fitted[1] == mem else None
    if cpu is None or mem is None or (unit.fargate and not fargate.is_valid(cpu, mem)):
        raise ctx.error(at, f"x-ecs task size {cpu or '?'} CPU units / {mem or '?'} MiB is not a Fargate size "
                        f"that holds what the containers need ({want_cpu} units / {want_mem} MiB)",
                        "see the Fargate size table in docs/x-ecs.md, or drop the override")
    if cpu < want_cpu or mem < want_mem:
        raise ctx.error(at, f"x-ecs task size {cpu} CPU units / {mem} MiB is smaller than the containers "
                        f"need ({want_cpu} units / {want_mem} MiB)", "raise the task size or lower the limits")
    problems = limits.check_task(cpu, mem, unit.launch_type, ctx.svc_at(unit, "x-ecs", "cpu"),
                                 ctx.svc_at(unit, "x-ecs", "memory"), "lower x-ecs.cpu / x-ecs.memory")  # EC2: a range
    if problems:
        raise UserError(problems)
    return str(cpu), str(mem)


def _report_rounding(ctx: Ctx, unit: Unit, cpu: int, mem: int, extra_cpu: int, extra_mem: int, size: tuple):
    at = resources_at(ctx, unit)
    if cpu == 0 and mem == 0:
        ctx.sink.add(Severity.INFO, at, f"no resource limits: the task gets {_size(size)}"
                     + (" (including Service Connect proxy headroom)" if extra_cpu else ""),
                     "set deploy.resources.limits to size the task", unit.name)
        return
    if (cpu + extra_cpu, mem + extra_mem) == size:
        return
    headroom = f" + Service Connect proxy {extra_cpu} units / {extra_mem} MiB" if extra_cpu else ""
    ctx.sink.add(Severity.LOSSY, at, f"task size rounded up from {cpu} CPU units / {mem} MiB{headroom} to the "
                 f"Fargate size {_size(size)}",
                 "choose limits that match a Fargate size to avoid paying for unused capacity", unit.name)


def _size(size: tuple) -> str:
    return f"{size[0]} CPU units ({size[0] / 1024:g} vCPU) / {size[1]} MiB"


def resources_at(ctx: Ctx, unit: Unit) -> Location:
    """Where the service's resources were written (deploy.resources, mem_limit, …), else the service."""
    res = unit.service.deploy.resources
    if res.at.file and replace(res, at=Location()) != type(res)():
        return res.at
    return ctx.svc_at(unit)
