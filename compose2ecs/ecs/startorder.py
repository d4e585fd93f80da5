"""Findings for ``depends_on`` edges between ECS services that cannot be kept exactly.

Across tasks, ``deploy`` waits until a provider's rollout completed before it starts the
dependants (aws/apply.py), and CloudFormation orders the services with ``DependsOn``; ECS
counts a task with a health check only once it is healthy. What that cannot express gets a
finding at the dependency's key path:

* ``service_healthy`` on a provider without a healthcheck: the wait ends when it runs;
* ``restart: true``: Docker Compose restarts the dependant when the provider restarts; ECS
  keeps it running (the dependant must reconnect by itself);
* ``required: false`` needs nothing here: the loader drops the edge when the provider is not
  in the project (compose/profiles.py), and keeps it as a normal edge otherwise.

Edges inside one task are container ``dependsOn`` (grouping.py has their findings); edges to a
one-shot job are the job's (jobs.py).
"""
from __future__ import annotations

from .context import Ctx


def cross_task_findings(ctx: Ctx, groups: list, jobs: set) -> None:
    """One finding per edge between tasks that ECS keeps only approximately."""
    owner = {u.name: g for g in groups for u in g.units}
    for group in groups:
        for unit in group.units:
            for dep in unit.service.depends_on:
                target = owner.get(dep.service)
                if target is None or target is group or target.name in jobs:
                    continue
                _edge(ctx, unit, dep, target)


def _edge(ctx: Ctx, unit, dep, target) -> None:
    written = not _implied(unit.service, dep)  # not an edge the loader added for links & co.
    provider = next(u for u in target.units if u.name == dep.service)
    check = provider.service.healthcheck
    if dep.condition == "service_healthy" and (check is None or check.disable):
        ctx.lossy(unit, ("depends_on", dep.service), f"{dep.service} has no healthcheck, so deploy can only "
                  f"wait until it runs, not until it is healthy, before starting {unit.name}",
                  f"give {dep.service} a healthcheck")
    if dep.restart and written:
        ctx.info(unit, ("depends_on", dep.service, "restart"), f"restart: true is not kept: ECS does not "
                 f"restart {unit.name} when {dep.service} restarts or is redeployed",
                 f"make {unit.name} reconnect by itself (ECS replaces tasks that exit), or run both in one "
                 "task (x-ecs.task)")


def _implied(service, dep) -> bool:
    """True for the edge compose/implicit.py added (links, volumes_from, service: modes): a plain
    ``service_started`` edge to a service those keys name (an explicit entry wins there)."""
    from ..compose.implicit import IMPLICIT_KEYS
    from ..compose.profiles import DEPENDENCY_KEYS
    from ..errors import Location

    if dep.condition != "service_started":
        return False
    for key in IMPLICIT_KEYS:
        value = getattr(service, key, None) if key in ("network_mode",) else service.get(key)
        if value and any(name == dep.service for name, _, _ in DEPENDENCY_KEYS[key](value, Location())):
            return True
    return False
