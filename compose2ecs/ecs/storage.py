"""Service volumes and tmpfs → task volumes, mount points and EFS file systems.

Fargate has two kinds of task storage (ecs-facts.md §3): EFS (persistent, shared) and the
task's ephemeral storage (``host: {}`` without a source path, lost when the task stops). A
named volume becomes EFS unless the user opts into ephemeral storage (``x-ecs.volumes``);
an anonymous volume is ephemeral. Host bind mounts cannot be honoured: the files are on the
developer's machine, not on the task.

A read-only root (``read_only: true``) still writes where Compose gave it writable storage:
tmpfs on Fargate and writable bind mounts become task ephemeral volumes (see
:func:`_scratch`), so a database with a read-only root can start; a finding says what changes.
"""
from __future__ import annotations

from typing import Optional

from ..errors import Severity
from .context import Ctx, Unit, ecs_name
from .model import EfsVolumeConfiguration, MountPoint, TaskVolume

_BIND_HINT = "bake the files into the image, or use a named volume (EFS) and copy them there"
_SOCKET_HINT = "ECS tasks cannot reach a Docker daemon; remove the mount or run the tool elsewhere"


def container_storage(ctx: Ctx, unit: Unit) -> tuple:
    """(mount points, task volumes) for one container."""
    mounts, volumes = [], []
    for i, mount in enumerate(unit.service.volumes):
        result = _lower_mount(ctx, unit, mount, i)
        if result:
            mounts.append(result[0])
            volumes.append(result[1])
    for i, text in enumerate(unit.service.tmpfs if read_only_scratch(unit) else ()):
        target = str(text).split(":", 1)[0]
        mount, volume = _scratch(ctx, unit, ("tmpfs", i), target, f"tmp-{i}", _TMPFS_CHANGE)
        mounts.append(mount)
        volumes.append(volume)
    return tuple(mounts), tuple(volumes)


def read_only_scratch(unit: Unit) -> bool:
    """True when tmpfs paths must become task volumes: a read-only root on Fargate (no tmpfs)."""
    return bool(unit.service.read_only) and unit.fargate


_TMPFS_CHANGE = "tmpfs {target} becomes a writable task ephemeral volume (the root is read-only and " \
                "Fargate has no tmpfs): on disk, not in memory, with no size limit of its own (it shares " \
                "the task's ephemeral storage)"
_BIND_CHANGE = "bind mount {source} → {target} becomes an empty writable task ephemeral volume (the root " \
               "is read-only; the host files cannot be carried to ECS): what the container writes there " \
               "is lost when the task stops"


def _scratch(ctx: Ctx, unit: Unit, path: tuple, target: str, suffix: str, change: str, **words) -> tuple:
    """A writable task ephemeral volume at ``target`` for a container with a read-only root."""
    name = ecs_name(f"{unit.container}-{suffix}")
    ctx.lossy(unit, path, change.format(target=target, **words),
              "use a named volume for data that must survive, or drop read_only if the image "
              "writes elsewhere too")
    return MountPoint(name, target, False), TaskVolume(name)


def _lower_mount(ctx: Ctx, unit: Unit, mount, index: int) -> Optional[tuple]:
    path = ("volumes", index)
    if mount.type == "volume" and mount.source:
        volume = named_volume(ctx, unit, mount.source, mount)
        return MountPoint(volume.name, mount.target, mount.read_only), volume
    if mount.type == "volume":
        name = ecs_name(f"{unit.container}-anon-{index}")
        ctx.info(unit, path, f"anonymous volume {mount.target} uses the task's ephemeral storage "
                 "(lost when the task stops)", "use a named volume for data that must survive")
        return MountPoint(name, mount.target, mount.read_only), TaskVolume(name)
    if mount.type == "bind":
        if unit.service.read_only and not mount.read_only and not _is_socket(mount):
            return _scratch(ctx, unit, path, mount.target, f"bind-{index}", _BIND_CHANGE,
                            source=mount.source or "?")
        _bind(ctx, unit, mount, path)
    elif mount.type == "tmpfs":
        if read_only_scratch(unit):
            return _scratch(ctx, unit, path, mount.target, f"tmpfs-{index}", _TMPFS_CHANGE)
        _tmpfs_mount(ctx, unit, mount, path)
    else:
        ctx.unsupported(unit, path, f"{mount.type} mount {mount.target} is not supported by ECS; dropped")
    return None


def _is_socket(mount) -> bool:
    return (mount.source or "").endswith("docker.sock")


def _bind(ctx: Ctx, unit: Unit, mount, path: tuple) -> None:
    source = mount.source or "?"
    if _is_socket(mount):
        ctx.unsupported(unit, path, f"bind mount of the Docker socket {source} cannot work on ECS; dropped",
                        _SOCKET_HINT)
        return
    ctx.unsupported(unit, path, f"bind mount of host path {source} → {mount.target} cannot be honoured on "
                    "ECS (the task runs on AWS, not on this machine); dropped", _BIND_HINT)


def _tmpfs_mount(ctx: Ctx, unit: Unit, mount, path: tuple) -> None:
    if unit.fargate:
        ctx.unsupported(unit, path, f"tmpfs mount {mount.target} is not supported on Fargate; dropped",
                        "use a task ephemeral volume (x-ecs.volumes: ephemeral) or the EC2 launch type")


def tmpfs_entries(ctx: Ctx, unit: Unit) -> tuple:
    """EC2: ``linuxParameters.tmpfs`` entries from ``tmpfs:`` and tmpfs mounts (size is required)."""
    svc, out = unit.service, []
    if unit.fargate:
        return ()
    for i, text in enumerate(svc.tmpfs):
        out.append(_tmpfs_dict(ctx, unit, str(text).split(":", 1)[0], None, ("tmpfs", i)))
    for i, mount in enumerate(svc.volumes):
        if mount.type == "tmpfs":
            size = dict(mount.tmpfs).get("size")
            out.append(_tmpfs_dict(ctx, unit, mount.target, size, ("volumes", i)))
    return tuple(out)


def _tmpfs_dict(ctx: Ctx, unit: Unit, target: str, size: Optional[int], path: tuple) -> dict:
    if not size:
        ctx.lossy(unit, path, f"tmpfs {target} has no size; ECS requires one, 64 MiB is used",
                  "give the tmpfs a size")
        mib = 64
    else:
        mib = max(1, -(-int(size) // (1024 * 1024)))
    return {"containerPath": target, "size": mib}


def named_volume(ctx: Ctx, unit: Unit, key: str, mount=None) -> TaskVolume:
    """The task volume for compose volume ``key``: EFS (known id or placeholder) or ephemeral."""
    spec = _volume_spec(ctx, key)
    subpath = dict(mount.volume).get("subpath") if mount is not None else None
    name = ecs_name(f"{key}-{subpath}") if subpath else ecs_name(key)  # one task volume per root
    if spec.get("ephemeral"):
        if subpath:
            ctx.sink.add(Severity.LOSSY, mount.at, f"volume {key} subpath {subpath} cannot be expressed on task ephemeral storage; "
                      "the subpath is a separate empty volume", "mount the whole volume and use the subdirectory", unit.name)
        return TaskVolume(name, None, key)
    fs_id = spec.get("file_system_id")
    entry = ctx.efs.setdefault(key, {"file_system_id": fs_id, "services": set(),
                                     "uid": spec.get("uid"), "gid": spec.get("gid")})
    entry["services"].add(unit.group)
    if fs_id is None:
        fs_id = _placeholder_fs(ctx, key)
    iam = "ENABLED" if spec.get("iam") else None
    encrypted = spec.get("transit_encryption", True) or iam or spec.get("access_point_id")
    root = spec.get("root_directory")
    if subpath:
        root = "/" + "/".join(p.strip("/") for p in (root or "", subpath) if p.strip("/"))
    if (spec.get("access_point_id") or iam) and root:
        if subpath:
            ctx.sink.add(Severity.LOSSY, mount.at, f"volume {key} subpath {subpath} dropped: with an EFS access point or IAM "
                      "authorization ECS mounts the access point's root", "use an access point rooted at the subpath",
                         unit.name)
        root = None  # an access point or IAM auth requires rootDirectory omitted or "/"
    config = EfsVolumeConfiguration(fs_id, root, "ENABLED" if encrypted else "DISABLED",
                                    spec.get("access_point_id"), iam)
    return TaskVolume(name, config, key)


def _placeholder_fs(ctx: Ctx, key: str) -> str:
    # Numbered by the volume's place among the project's volumes: unique and stable across runs.
    keys = sorted({r.key for r in ctx.project.volumes} | set(ctx.efs))
    value = f"fs-{keys.index(key) + 1:017x}"
    if value not in ctx.placeholders:
        ctx.sink.add(Severity.INFO, ctx.at("volumes", key), f"volume {key!r} becomes an EFS volume with the "
                     f"placeholder file system id {value}", f"pass --efs {key}=fs-… or set x-ecs.volumes.{key}: fs-… "
                     "(--format cloudformation creates the file system)")
    return ctx.placeholder(value, f"EFS file system for compose volume {key!r}",
                           f"--efs {key}=fs-… or x-ecs.volumes.{key}: fs-…; the CloudFormation format creates it")


def _volume_spec(ctx: Ctx, key: str) -> dict:
    """What the user said about volume ``key``: --efs, x-ecs.volumes, external name fs-…, driver_opts."""
    spec: dict = {}
    resource = ctx.project.resource("volumes", key)
    if resource is not None:
        name = resource.get("name")
        if resource.external and isinstance(name, str) and name.startswith("fs-"):
            spec["file_system_id"] = name  # Docker's ECS integration convention
        opts = dict(resource.get("driver_opts") or {})
        for k in ("uid", "gid"):
            if str(opts.get(k, "")).isdigit():
                spec[k] = int(opts[k])
    configured = (ctx.top.get("volumes") or {}).get(key)
    if isinstance(configured, str):
        configured = {"ephemeral": True} if configured == "ephemeral" else {"file_system_id": configured}
    spec.update(configured or {})
    if key in (ctx.options.efs or {}):
        spec["file_system_id"] = ctx.options.efs[key]
        spec.pop("ephemeral", None)
    return spec
