"""Compose secrets and configs → files at their target path, written by one init container.

ECS injects secrets only as environment variables, so each task that mounts secret or
config files gets one small non-essential init container (``INIT_NAME``, a pinned public
busybox). It receives every value through ECS ``secrets`` (``C2E_VALUE_<i>``), writes it to a
task volume with the file's owner and mode, and exits; each container that uses a file
``dependsOn`` it with ``SUCCESS`` and mounts the volume of the file's directory read-only.

The value is never parsed by the shell: the script is fixed text that names variables only
(``printf '%s' "$C2E_VALUE_0" > "$C2E_FILE_0"``); a quoted expansion is not split, globbed or
evaluated, and ``printf '%s'`` writes it verbatim (``printenv`` would append a newline).
Binary values are stored base64 (ECS secrets are strings) and decoded with ``base64 -d``.
Target paths, owners and modes travel as plain environment variables, so they are not
parsed either. One volume per (container, directory) keeps a container from seeing
another container's files, as under Compose.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import replace
from typing import Optional

from . import secrets
from .context import Ctx, Unit
from .model import Container, ContainerDependency, MountPoint, SecretRef, SecretSpec, TaskVolume
from ..records import record

INIT_NAME = "compose2ecs-files"
INIT_IMAGE = "public.ecr.aws/docker/library/busybox:1.36.1"
INIT_ROOT = "/compose2ecs"  # where the init container mounts the volumes (one sub-directory each)
DEFAULT_MODE = 0o444  # Compose's default for secrets and configs
DEFAULT_DIR = {"secrets": "/run/secrets", "configs": ""}  # a relative target lives here
QUIET_DIRS = ("/run/secrets", "/run/configs")  # directories an image rarely ships files in
SSM_LIMIT = 4096  # bytes of a standard SSM parameter; larger configs go to Secrets Manager
_NUMERIC = re.compile(r"^[0-9]+$")


@record(slots=False)
class FileUse:
    """One secret or config a container reads as a file."""

    spec: SecretSpec
    target: str  # absolute path in the container
    owner: str  # "uid", "uid:gid", ":gid" or "" (leave root)
    mode: int


def container_files(ctx: Ctx, unit: Unit) -> tuple:
    """The FileUses of ``unit`` (secrets injected as variables are left to ecs/secrets.py)."""
    out = []
    for kind, lookup in (("secrets", secrets.secret_spec), ("configs", config_spec)):
        for i, ref in enumerate(getattr(unit.service, kind)):
            if kind == "secrets" and secrets.as_environment(ctx, unit, ref.source):
                continue
            target = _target(ctx, unit, kind, i, ref)
            spec = lookup(ctx, ref.source) if target else None
            if target and spec is None:
                ctx.unsupported(unit, (kind, i), f"{kind[:-1]} {ref.source!r} is not defined at the top level; "
                                "dropped", f"declare it under {kind}:")
            if spec is not None:
                out.append(_use(ctx, unit, kind, i, ref, spec, target))
    return tuple(out)


def _target(ctx: Ctx, unit: Unit, kind: str, i: int, ref) -> str:
    """The absolute path of the file ('' when it cannot be written: a file at the root)."""
    target = ref.target or ref.source
    if not target.startswith("/"):
        target = posixpath.join(DEFAULT_DIR[kind] or "/", target)
    target = posixpath.normpath(target)
    if posixpath.dirname(target) == "/":
        ctx.unsupported(unit, (kind, i), f"{kind[:-1]} {ref.source!r} cannot be written to {target}: a task "
                        "volume mounts a directory, and the root directory cannot be one; dropped",
                        f"give it a target in a directory of its own, e.g. /run/{kind}/{posixpath.basename(target)}")
        return ""
    return target


def _use(ctx: Ctx, unit: Unit, kind: str, i: int, ref, spec: SecretSpec, target: str) -> FileUse:
    folder = posixpath.dirname(target)
    if not folder.startswith(QUIET_DIRS):
        ctx.lossy(unit, (kind, i), f"{kind[:-1]} {ref.source!r} is written to {target} through a volume on "
                  f"{folder}, which hides the files the image has in {folder}",
                  f"use a target in a directory of its own (e.g. /run/{kind}/{posixpath.basename(target)})")
    else:
        ctx.info(unit, (kind, i), f"{kind[:-1]} {ref.source!r} is written to {target} by the init container "
                 f"{INIT_NAME} before the container starts")
    return FileUse(spec, target, _owner(ctx, unit, kind, i, ref), DEFAULT_MODE if ref.mode is None else ref.mode)


def _owner(ctx: Ctx, unit: Unit, kind: str, i: int, ref) -> str:
    ids = []
    for name in ("uid", "gid"):
        value = getattr(ref, name)
        if value not in (None, "") and not _NUMERIC.match(str(value)):
            ctx.unsupported(unit, (kind, i, name), f"{name} {value!r} is not numeric; the file keeps owner root",
                            f"give the numeric {name}")
            value = None
        ids.append("" if value in (None, "") else str(value))
    uid, gid = ids
    return uid + (f":{gid}" if gid else "")


def config_spec(ctx: Ctx, key: str) -> Optional[SecretSpec]:
    """The project-wide SecretSpec of compose config ``key``: SSM parameter (Secrets Manager
    above SSM's size limit), external ones by name; None when undefined."""
    slot = f"config:{key}"
    if slot in ctx.secrets:
        return ctx.secrets[slot]
    resource = ctx.project.resource("configs", key)
    if resource is None:
        return None
    if resource.external:
        name = str(resource.get("name") or key)
        spec = SecretSpec(slot, name, secrets._store(name), kind="config")
    else:
        spec = _created_config(ctx, key, slot, resource)
    ctx.secrets[slot] = spec
    return spec


def _created_config(ctx: Ctx, key: str, slot: str, resource) -> SecretSpec:
    path, content = resource.get("file"), resource.get("content")
    size = len(str(content).encode("utf-8")) if content is not None else _size(path)
    kind = secrets.encoding(path)
    source = path or (f"environment variable {resource.get('environment')}" if resource.get("environment")
                      else "inline content")
    if size <= SSM_LIMIT and kind == "text":
        name = secrets.store_name(ctx.project.name, "config", key)
        ctx.info(None, ("configs", key), f"config {key!r} comes from {source}; deploy stores it in the SSM "
                 f"parameter {name}, which the task reads", "deploy the project (convert never uploads it)")
        return SecretSpec(slot, name, "ssm", True, path, resource.get("environment"), "config", kind, name,
                          None if content is None else str(content))
    value = f"arn:aws:secretsmanager:{ctx.region}:000000000000:secret:REPLACE-ME-{ctx.project.name}-config-{key}"
    ctx.placeholder(value, f"Secrets Manager secret for compose config {key!r} (over {SSM_LIMIT} bytes or binary)",
                    "deploy stores it")
    return SecretSpec(slot, value, "secretsmanager", True, path, resource.get("environment"), "config", kind,
                      secrets.store_name(ctx.project.name, "secret", f"config-{key}"),
                      None if content is None else str(content))


def _size(path) -> int:
    import os

    try:
        return os.path.getsize(str(path)) if path else 0
    except OSError:
        return 0


def with_init_container(ctx: Ctx, group, containers: tuple, uses: dict) -> tuple:
    """``(containers, volumes)``: ``containers`` plus the init container writing ``uses``
    (container name → FileUses), each user mounting its directories read-only."""
    if not any(uses.values()):
        return containers, ()
    from .grouping import MAX_CONTAINERS

    if len(containers) >= MAX_CONTAINERS:
        raise ctx.error(ctx.svc_at(group.primary, "secrets"), f"task {group.name!r} already holds "
                        f"{len(containers)} containers; the init container that writes its secret and config files "
                        f"would be the {len(containers) + 1}th (ECS allows {MAX_CONTAINERS})",
                        "move a service to another task (x-ecs.task)")
    volumes, env, refs, mounts, lines, out = [], [], [], [], ["set -e", "umask 077"], []
    index = 0
    for container in containers:
        mine = uses.get(container.name) or ()
        folders = sorted({posixpath.dirname(u.target) for u in mine})
        names = {}
        for folder in folders:
            names[folder] = f"files-{container.name}-{folders.index(folder)}"[:255]
            volumes.append(TaskVolume(names[folder]))
            mounts.append(MountPoint(names[folder], f"{INIT_ROOT}/{len(mounts)}"))
        where = {m.source_volume: m.container_path for m in mounts}
        for use in mine:
            path = f"{where[names[posixpath.dirname(use.target)]]}/{posixpath.basename(use.target)}"
            env += [(f"C2E_FILE_{index}", path), (f"C2E_MODE_{index}", f"{use.mode:04o}")]
            refs.append(SecretRef(f"C2E_VALUE_{index}", use.spec.value_from, use.spec.key))
            lines += _script(index, use)
            if use.owner:
                env.append((f"C2E_OWNER_{index}", use.owner))
            index += 1
        if mine:
            container = replace(container, mount_points=container.mount_points + tuple(
                MountPoint(names[f], f, True) for f in folders), depends_on=tuple(sorted(
                    container.depends_on + (ContainerDependency(INIT_NAME, "SUCCESS"),),
                    key=lambda d: d.container_name)))
        out.append(container)
    logs = next((c.log_configuration for c in out if uses.get(c.name)), None)
    return tuple(out) + (_init(lines, env, refs, mounts, logs),), tuple(volumes)


def _init(lines: list, env: list, refs: list, mounts: list, logs) -> Container:
    """The init container: the fixed script, paths/modes/owners as variables, values as secrets."""
    return Container(name=INIT_NAME, image=INIT_IMAGE, source="", essential=False, entry_point=("sh", "-c"),
                     command=("; ".join(lines),), environment=tuple(sorted(env)),
                     secrets=tuple(sorted(refs, key=lambda r: r.name)), mount_points=tuple(mounts),
                     log_configuration=logs)


def _script(index: int, use: FileUse) -> list:
    """Shell lines writing file ``index``: names variables only, never a value or a path."""
    value, path = f'"$C2E_VALUE_{index}"', f'"$C2E_FILE_{index}"'
    decode = " | base64 -d" if use.spec.encoding == "base64" else ""
    lines = [f"printf '%s' {value}{decode} > {path}"]
    if use.owner:
        lines.append(f'chown "$C2E_OWNER_{index}" {path}')
    return lines + [f'chmod "$C2E_MODE_{index}" {path}']


def mapping_notes() -> list:
    """The docs/mapping.md section on how secrets and configs lower (rendered by support.py)."""
    return ["## Secrets and configs", "",
            "A compose secret or config a service uses becomes a **file at its target** (`/run/secrets/<name>` for a",
            "secret without one; `/<name>` for a config, which must then name a directory of its own), with the",
            "`uid`, `gid` and `mode` of the long syntax (default `0444`, owner root). ECS injects secrets only as",
            "environment variables, so each task that mounts files gets one non-essential init container",
            f"`{INIT_NAME}` (`{INIT_IMAGE}`): it receives every value through ECS `secrets`, writes the",
            "files to task volumes (bind mounts without a host path: task storage on Fargate and EC2), and exits;",
            "each container that uses a file `dependsOn` it with `SUCCESS` and mounts the volume of the file's",
            "directory read-only (one volume per container and directory: containers do not see each other's",
            "files). A directory other than `/run/secrets`/`/run/configs` is mounted over what the image has there",
            "(a lossy finding). The task must have room for the extra container (10 at most).", "",
            "Values: secrets from `file:`/`environment:` are stored by `deploy` in Secrets Manager",
            "(`compose2ecs/<project>/<key>`), configs in SSM Parameter Store (`/compose2ecs/<project>/configs/<key>`,",
            "Secrets Manager above 4 KiB); `external` secrets and x-ecs `secrets` references are read, never written.",
            "A file that is not UTF-8 text is stored base64 and decoded by the init container. No value is put in",
            "a task definition or template. With x-ecs `secrets: {<secret>: NAME}` on a service (or `x-aws-keys`)",
            "the secret is an environment variable instead, as before.",
            "Details: [deploy.md](deploy.md#secrets-and-configs).",
            ""]
