"""Which compose services share a task, in which order ECS services are created, and the
container ``dependsOn`` of services that share a task.

Default: one task (and one ECS service) per compose service. ``x-ecs.task: NAME`` puts a
service into task NAME. When NAME is a compose service, that service is the primary container
(it names the ECS service) and must itself stay in its own task; a NAME that is no compose
service starts a new task of that name (an info finding says so, in case it is a typo).
Containers of one task reach each other on localhost.

ECS names (containers, tasks/ECS services and so families) are made unique case-insensitively
after sanitising: ``web.v2`` and ``web-v2`` would both be ``web-v2``; the later one in sorted
order of compose names gets ``-2`` (``-3`` …) with an info finding.
"""
from __future__ import annotations


from ..errors import Severity, UserError
from .context import Ctx, Unit, ecs_name
from .model import ContainerDependency
from ..records import record

MAX_CONTAINERS = 10  # per task definition, not adjustable (ecs-facts.md §3)
CONDITIONS = {"service_started": "START", "service_healthy": "HEALTHY",
              "service_completed_successfully": "SUCCESS"}


@record(frozen=False, slots=False)
class Group:
    name: str  # ECS service name / task name (unique, sanitised)
    units: list  # Unit, primary first, then by name
    key: str = ""  # the task name as written in compose (x-ecs.task or the service name)

    @property
    def primary(self) -> Unit:
        return self.units[0]


def _unique(base: str, used: set) -> str:
    name, n = base, 2
    while name.lower() in used:
        suffix = f"-{n}"
        name, n = base[: 255 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def assign_container_names(ctx: Ctx, units: list) -> None:
    """Give every unit a unique ECS container name, in sorted order of compose names."""
    used: set = set()
    first: dict = {}
    for unit in sorted(units, key=lambda u: u.name):
        base = ecs_name(unit.name)
        unit.container = _unique(base, used)
        first.setdefault(base.lower(), unit.name)
        if unit.container != base:
            ctx.info(unit, (), f"compose services {first[base.lower()]!r} and {unit.name!r} get the same ECS "
                     f"name once sanitised (ECS names allow [A-Za-z0-9_-]; compared ignoring case); {unit.name!r} is "
                     f"named {unit.container!r} (family, ECS service, container, port names, log stream prefix)", "rename one of the services to keep the names apart")


def _check_task_targets(ctx: Ctx, units: list) -> None:
    """x-ecs.task must name a service that stays in its own task (or a new task name)."""
    by_name = {u.name: u for u in units}
    errors = []
    for unit in units:
        task = unit.settings.get("task")
        target = by_name.get(task)
        if not task or task == unit.name or target is None:
            continue
        own = target.settings.get("task")
        if own and own != target.name:
            errors.append(ctx.error(unit.settings.loc("task"), f"x-ecs.task names service {task!r}, but {task!r} "
                                    f"itself runs in task {own!r}: the service a task is named after is its "
                                    "primary container and must stay in its own task",
                                    f"write task: {own} here, or remove x-ecs.task from {task!r}"))
    if errors:
        raise UserError([d for e in errors for d in e.diagnostics])


def make_groups(ctx: Ctx, units: list) -> list:
    """Group units by their x-ecs.task (default: their own name); error above 10 containers."""
    _check_task_targets(ctx, units)
    # declaration order (the project keeps services sorted by name): file, then line
    position = {u.name: (u.service.at.file, u.service.at.line, u.name) for u in units}
    services = {u.name: u for u in units}
    by_key: dict = {}
    for unit in sorted(units, key=lambda u: u.name):
        by_key.setdefault(unit.settings.get("task") or unit.name, []).append(unit)
    used = {services[k].container.lower() for k in by_key if k in services}
    groups = []
    for key, members in sorted(by_key.items()):
        members.sort(key=lambda u: (u.name != key, u.name))
        _check_size(ctx, key, members, position)
        name = services[key].container if key in services else _new_task(ctx, key, members, used)
        for unit in members:
            unit.group = name
        groups.append(Group(name, members, key))
    return groups


def _new_task(ctx: Ctx, key: str, members: list, used: set) -> str:
    name = _unique(ecs_name(key), used)
    family = ecs_name(f"{ctx.project.name}-{name}")
    ctx.sink.add(Severity.INFO, members[0].settings.loc("task"), f"no compose service is called {key!r}: "
                 f"{', '.join(u.name for u in members)} form a new task {name!r} (family {family}) whose primary "
                 f"container is {members[0].name}", "to join another service's task, give that service's name",
                 members[0].name)
    return name


def _check_size(ctx: Ctx, key: str, members: list, position: dict) -> None:
    if len(members) <= MAX_CONTAINERS:
        return
    in_file_order = [members[0]] + sorted(members[1:], key=lambda u: position[u.name])
    extra = in_file_order[MAX_CONTAINERS]
    raise ctx.error(ctx.svc_at(extra, "x-ecs", "task"),
                    f"task {key!r} would hold {len(members)} containers; ECS allows {MAX_CONTAINERS} "
                    f"({extra.name} is the {MAX_CONTAINERS + 1}th)", "split the services into several tasks")


def order(groups: list) -> list:
    """Providers first (compose depends_on between tasks), ties by name; cycles broken by name."""
    # a one-shot init job sits in several tasks (ecs/jobs.py); it owns no task of its own
    owner = {u.name: g.name for g in groups for u in g.units if u.name == g.units[0].name}
    owner.update({u.name: g.name for g in groups for u in g.units if u.name not in owner})
    deps = {g.name: sorted({owner[d.service] for u in g.units for d in u.service.depends_on
                            if d.service in owner and owner[d.service] != g.name
                            and not any(m.name == d.service for m in g.units)}) for g in groups}
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
    _reject_cycles(ctx, group, out)
    return out


def _reject_cycles(ctx: Ctx, group: Group, deps: dict) -> None:
    """Containers waiting for each other in a circle never start: a located error naming the circle."""
    unit_of = {u.container: u for u in group.units}
    state: dict = {}

    def visit(name: str, path: list):
        state[name] = "open"
        for dep in deps.get(name, ()):
            target = dep.container_name
            if state.get(target) == "open":
                cycle = path[path.index(target):] + [target]
                first = unit_of[cycle[0]]
                raise ctx.error(ctx.svc_at(first, "depends_on", unit_of[cycle[1]].name),
                                "container dependency cycle in task " + repr(group.name) + ": "
                                + " → ".join(unit_of[c].name for c in cycle) + " (dependsOn can never be met)",
                                "remove one depends_on of the cycle, or run the services in separate tasks")
            if target not in state:
                visit(target, path + [target])
        state[name] = "done"

    for unit in group.units:
        if unit.container not in state:
            visit(unit.container, [unit.container])


def completing_targets(group: Group) -> set:
    """Services in the group that others wait to *complete*: they must not be essential."""
    names = {u.name for u in group.units}
    return {d.service for u in group.units for d in u.service.depends_on
            if d.service in names and d.condition == "service_completed_successfully"}
