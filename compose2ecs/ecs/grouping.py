"""Which compose services share a task, in which order ECS services are created, and the
container ``dependsOn`` of services that share a task.

Default: one task (and one ECS service) per compose service. ``x-ecs.task: NAME`` puts a
service into task NAME; a compose service called NAME, when there is one, is the primary
container (it names the ECS service). Containers of one task reach each other on localhost.
"""
from __future__ import annotations

from dataclasses import dataclass

from .context import Ctx, Unit
from .model import ContainerDependency

MAX_CONTAINERS = 10  # per task definition, not adjustable (ecs-facts.md §3)
CONDITIONS = {"service_started": "START", "service_healthy": "HEALTHY",
              "service_completed_successfully": "SUCCESS"}


@dataclass
class Group:
    name: str  # ECS service name / task name
    units: list  # Unit, primary first, then by name

    @property
    def primary(self) -> Unit:
        return self.units[0]


def make_groups(ctx: Ctx, units: list) -> list:
    """Group units by their x-ecs.task (default: their own name); error above 10 containers."""
    by_name: dict = {}
    for unit in sorted(units, key=lambda u: u.name):
        by_name.setdefault(unit.settings.get("task") or unit.name, []).append(unit)
    groups = []
    for name, members in sorted(by_name.items()):
        members.sort(key=lambda u: (u.name != name, u.name))
        if len(members) > MAX_CONTAINERS:
            extra = members[MAX_CONTAINERS]
            raise ctx.error(ctx.svc_at(extra, "x-ecs", "task"),
                            f"task {name!r} would hold {len(members)} containers; ECS allows {MAX_CONTAINERS}",
                            "split the services into several tasks")
        for unit in members:
            unit.group = name
        groups.append(Group(name, members))
    return groups


def order(groups: list) -> list:
    """Providers first (compose depends_on between tasks), ties by name; cycles broken by name."""
    owner = {u.name: g.name for g in groups for u in g.units}
    deps = {g.name: sorted({owner[d.service] for u in g.units for d in u.service.depends_on
                            if d.service in owner and owner[d.service] != g.name}) for g in groups}
    done, out, visiting = set(), [], set()

    def visit(name):
        if name in done or name in visiting:
            return
        visiting.add(name)
        for dep in deps[name]:
            visit(dep)
        visiting.discard(name)
        done.add(name)
        out.append(name)

    for name in sorted(deps):
        visit(name)
    by_name = {g.name: g for g in groups}
    return [by_name[n] for n in out], deps


def container_dependencies(ctx: Ctx, group: Group, containers: dict) -> dict:
    """Container name → tuple of ContainerDependency for services in the same task."""
    in_task = {u.name: u for u in group.units}
    out = {}
    for unit in group.units:
        deps = []
        for i, dep in enumerate(unit.service.depends_on):
            target = in_task.get(dep.service)
            if target is None:
                continue
            condition = CONDITIONS.get(dep.condition, "START")
            if condition == "HEALTHY" and containers[target.container].health_check is None:
                ctx.lossy(unit, ("depends_on", dep.service), f"{dep.service} has no healthcheck, so ECS cannot wait "
                          "for it to be healthy; waiting for it to start instead", f"give {dep.service} a healthcheck")
                condition = "START"
            deps.append(ContainerDependency(target.container, condition))
        out[unit.container] = tuple(sorted(deps, key=lambda d: d.container_name))
    return out


def completing_targets(group: Group) -> set:
    """Services in the group that others wait to *complete*: they must not be essential."""
    names = {u.name for u in group.units}
    return {d.service for u in group.units for d in u.service.depends_on
            if d.service in names and d.condition == "service_completed_successfully"}
