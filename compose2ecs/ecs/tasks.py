"""One group of compose services → one task definition.

Assembles the containers (containers.py), the task volumes they mount, container
``dependsOn``/``volumesFrom`` inside the task, the runtime platform, the roles and the task size.
"""
from __future__ import annotations

import re
from dataclasses import replace

from ..errors import Severity
from ..errors import UserError
from . import containers, files, grouping, limits, resources, storage
from .context import Ctx, Unit, ecs_name
from .model import TaskDefinition
from .names import NameSpace, shorten

PLATFORMS = {"linux/arm64": "ARM64", "linux/arm64/v8": "ARM64", "linux/aarch64": "ARM64",
             "linux/amd64": "X86_64", "linux/x86_64": "X86_64", "linux/amd64/v2": "X86_64",
             "linux/amd64/v3": "X86_64"}
_IMAGE_BAD = re.compile(r"[^a-z0-9._-]+")


def family_name(project: str, group: str) -> str:
    return ecs_name(f"{project}-{group}")


def build_task(ctx: Ctx, group, service_connect: bool) -> TaskDefinition:
    """The task definition for ``group`` (a grouping.Group)."""
    built, volumes, uses = {}, {}, {}
    completing = grouping.completing_targets(group)
    for unit in group.units:
        mounts, task_volumes = storage.container_storage(ctx, unit)
        for volume in task_volumes:
            volumes.setdefault(volume.name, volume)
        container = containers.lower_container(ctx, unit, image_for(ctx, unit), mounts)
        uses[unit.container] = files.container_files(ctx, unit)  # secret/config files (init container)
        if unit.name in completing and container.essential:
            ctx.info(unit, ("depends_on",), "marked non-essential: other containers of the task wait for it "
                     "to complete, so its exit must not stop the task")
            container = replace(container, essential=False)
        built[unit.container] = container
    _check_limits(ctx, group, built)
    _ensure_essential(ctx, group, built)
    _dedupe_ports(ctx, group, built)
    _unique_port_names(ctx, group, built)
    deps = grouping.container_dependencies(ctx, group, built)
    froms = _volumes_from(ctx, group)
    final = tuple(replace(built[u.container], depends_on=deps[u.container], volumes_from=froms[u.container])
                  for u in group.units)
    final, file_volumes = files.with_init_container(ctx, group, final, uses)
    volumes.update((v.name, v) for v in file_volumes)
    primary = group.primary
    efs = any(v.efs is not None for v in volumes.values())
    cpu, memory = resources.task_size(ctx, primary, final, service_connect, efs)
    arch = _architecture(ctx, group)
    return TaskDefinition(
        family=family_name(ctx.project.name, group.name), containers=final, cpu=cpu, memory=memory,
        requires_compatibilities=("EC2",) if primary.launch_type == "EC2" else ("FARGATE",),
        cpu_architecture=arch, operating_system_family="LINUX" if arch else None,
        ephemeral_storage_gib=primary.settings.get("ephemeral_storage"),
        volumes=tuple(volumes[k] for k in sorted(volumes)),
        execution_role_arn=_role(ctx, primary, "execution_role_arn") or "ecsTaskExecutionRole",
        task_role_arn=_role(ctx, primary, "task_role_arn"), pid_mode=_pid_mode(primary),
        ipc_mode=ipc_mode(ctx, group),
        task_role_placeholder=_task_role_placeholder(ctx, group))


_LIMIT_KEYS = {"stop_timeout": ("stop_grace_period",), "shared_memory_size": ("shm_size",)}


def _check_limits(ctx: Ctx, group, built: dict) -> None:
    """Every container number ECS would refuse under the unit's launch type, in one error."""
    found = []
    for unit in group.units:
        def locate(attr, unit=unit):
            path = _LIMIT_KEYS.get(attr)
            return ctx.svc_at(unit, *path) if path else resources.resources_at(ctx, unit)
        found += limits.check_container(built[unit.container], unit.launch_type, locate)
    if found:
        raise UserError(found)


def image_for(ctx: Ctx, unit: Unit) -> str:
    """--image > x-ecs.image > compose image > a placeholder (build-only services)."""
    image = (ctx.options.images or {}).get(unit.name) or unit.settings.get("image") or unit.service.image
    if image:
        if unit.service.build is not None and unit.service.image and image == unit.service.image:
            ctx.info(unit, ("build",), f"build is ignored: ECS pulls {image} from its registry",
                     "push the image you build to a registry ECS can reach (ECR, Docker Hub)")
        return str(image)
    repo = _IMAGE_BAD.sub("-", f"{ctx.project.name}-{unit.name}".lower()).strip("-.")
    value = f"replace-me.invalid/{repo}:latest"
    ctx.placeholder(value, f"image of build-only service {unit.name!r}",
                    f"build and push it, then pass --image {unit.name}=URI or set x-ecs.image")
    ctx.lossy(unit, ("build",), "the service has only a build section; ECS needs a pushed image, a placeholder "
              f"image {value} is used", f"build and push the image, then pass --image {unit.name}=URI")
    return value


def _role(ctx: Ctx, unit: Unit, key: str):
    return getattr(ctx.options, key) or unit.settings.get(key) or ctx.top.get(key)


def _task_role_placeholder(ctx: Ctx, group):
    """A placeholder role name when the task needs a role (policies, ECS Exec) and none was given."""
    primary = group.primary
    policies = primary.settings.get("policies") or ()
    exec_ = bool(primary.settings.get("enable_execute_command"))
    if not policies and not exec_:
        return None
    at = primary.settings.loc("policies" if policies else "enable_execute_command")
    given = _role(ctx, primary, "task_role_arn")
    wanted = (f"{len(policies)} polic{'y' if len(policies) == 1 else 'ies'}" if policies else "") + \
        (" and " if policies and exec_ else "") + ("the ssmmessages permissions of ECS Exec" if exec_ else "")
    if given:
        ctx.sink.add(Severity.INFO, at, f"the task uses role {given}: the task-definition output does not "
                     f"attach {wanted} to it", "make sure the role grants them", primary.name)
        return None
    value = shorten(f"REPLACE-ME-{family_name(ctx.project.name, group.name)}", 54) + "-task-role"
    ctx.placeholder(value, f"task role of ECS service {group.name!r} with {wanted}",
                    "create an IAM role trusted by ecs-tasks.amazonaws.com (aws iam create-role --role-name NAME "
                    "--assume-role-policy-document with Principal Service ecs-tasks.amazonaws.com), attach the "
                    "policies (aws iam attach-role-policy / put-role-policy), then pass --task-role-arn or set "
                    "x-ecs.task_role_arn; the CloudFormation format creates it")
    ctx.sink.add(Severity.INFO, at, f"the task needs a task role with {wanted}; the task definition names the "
                 f"placeholder role {value}", "create the role and pass --task-role-arn (see the report), or use "
                 "--format cloudformation, which creates it", primary.name)
    return value


IPC_MODES = {"host": "host", "shareable": "task", "none": "none", "private": None, "": None}


def ipc_mode(ctx: Ctx, group):
    """EC2 only: compose ``ipc`` → the task's ``ipcMode`` (one value per task)."""
    chosen = None
    names = {u.name for u in group.units}
    for unit in group.units:
        value = str(unit.service.get("ipc") or "")
        if unit.fargate or not value:
            continue
        kind, _, other = value.partition(":")
        if kind == "service" and other in names:
            mode = "task"
        elif value in IPC_MODES:
            mode = IPC_MODES[value]
        else:
            ctx.unsupported(unit, ("ipc",), f"ipc {value} cannot be expressed on ECS (ipcMode host, task or none); "
                            "dropped", "put the services that share IPC in one task (x-ecs.task) with ipc: shareable")
            continue
        if chosen and mode and mode != chosen:
            ctx.lossy(unit, ("ipc",), f"ipc {value} differs from the task's ipcMode {chosen}; all containers of a "
                      f"task share one ({chosen})")
            continue
        chosen = chosen or mode
    return chosen


def _pid_mode(unit: Unit):
    pid = unit.service.get("pid")
    return "host" if pid == "host" and not unit.fargate else None


def _architecture(ctx: Ctx, group):
    chosen = None
    for unit in group.units:
        platform = unit.service.platform
        if not platform:
            continue
        arch = PLATFORMS.get(str(platform).lower())
        if arch is None:
            ctx.lossy(unit, ("platform",), f"platform {platform} is not available on ECS Linux tasks; "
                      "X86_64 is used", "use linux/amd64 or linux/arm64")
            arch = "X86_64"
        if chosen and arch != chosen:
            ctx.lossy(unit, ("platform",), f"platform {platform} differs from the task's {chosen}; "
                      f"all containers of a task share one architecture ({chosen})")
            continue
        chosen = chosen or arch
    if chosen == "ARM64" and group.primary.launch_type == "FARGATE_SPOT":
        raise ctx.error(ctx.svc_at(group.primary, "platform"), "Fargate Spot runs X86_64 tasks only, "
                        "but the task asks for linux/arm64", "use the FARGATE launch type or linux/amd64")
    return chosen


def _ensure_essential(ctx: Ctx, group, built: dict) -> None:
    if any(c.essential for c in built.values()):
        return
    primary = group.primary
    ctx.lossy(primary, ("x-ecs", "essential"), "no container of the task is essential; ECS needs one, so "
              f"{primary.name} is made essential")
    built[primary.container] = replace(built[primary.container], essential=True)


def _dedupe_ports(ctx: Ctx, group, built: dict) -> None:
    """Containers of one task share a network interface: a port can be bound only once."""
    taken: dict = {}
    for unit in group.units:
        container = built[unit.container]
        kept = []
        for mapping in container.port_mappings:
            key = (mapping.container_port or mapping.container_port_range, mapping.protocol)
            if key in taken:
                ctx.lossy(unit, ("ports",), f"port {key[0]}/{key[1]} is already used by {taken[key]} in the same "
                          "task (containers of a task share localhost); mapping dropped", "use another port")
                continue
            taken[key] = unit.name
            kept.append(mapping)
        if len(kept) != len(container.port_mappings):
            built[unit.container] = replace(container, port_mappings=tuple(kept))


PORT_NAME_LIMIT = 64  # portMappings[].name: ^[a-z0-9_][a-z0-9_-]{0,63}$, unique in the task definition


def _unique_port_names(ctx: Ctx, group, built: dict) -> None:
    """portMappings names are unique within a task definition (and are lower case, so ``Web`` and
    ``web`` clash): a later clashing name gets a hash suffix, with an info finding."""
    space = NameSpace(PORT_NAME_LIMIT)
    for unit in group.units:
        container = built[unit.container]
        mappings = []
        for m in container.port_mappings:
            owner = (unit.container, m.container_port or m.container_port_range, m.protocol)
            name = space.claim(m.name, owner) if m.name else None
            if name != m.name:
                ctx.sink.add(Severity.INFO, m.at if m.at.file else ctx.svc_at(unit, "ports"),
                             f"port name {m.name} is already used in the task (port names are compared in lower "
                             f"case); port {owner[1]}/{m.protocol} is named {name}",
                             "give the ports distinct names", unit.name)
                m = replace(m, name=name)
            mappings.append(m)
        built[unit.container] = replace(container, port_mappings=tuple(mappings))


def _volumes_from(ctx: Ctx, group) -> dict:
    in_task = {u.name: u for u in group.units}
    out = {}
    for unit in group.units:
        entries = []
        for i, item in enumerate(unit.service.get("volumes_from") or ()):
            text = str(item)
            source, _, mode = text.partition(":")
            if source in in_task and source != unit.name:
                entries.append((in_task[source].container, mode == "ro"))
            else:
                ctx.unsupported(unit, ("volumes_from", i), f"volumes_from {text}: only services in the same "
                                "task can share volumes on ECS; dropped",
                                f"put {source} in the same task (x-ecs.task) or use a named volume")
        out[unit.container] = tuple(entries)
    return out
