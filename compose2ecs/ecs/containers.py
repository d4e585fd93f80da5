"""One compose service → one ECS container definition (everything but dependsOn).

Each container field has a small function; :func:`lower_container` assembles them. Keys the
support table marks ``ec2`` are lowered into :attr:`Container.ec2_only` only under the EC2
launch type; on Fargate the generic support-table finding says why they were dropped.
"""
from __future__ import annotations

import math
import re

from . import health, logging, ports, resources, secrets, storage, support
from .context import Ctx, Unit
from .model import Container, LinuxParameters, Ulimit

FARGATE_CAPABILITIES = ("SYS_PTRACE",)
CAPABILITIES = frozenset("""ALL AUDIT_CONTROL AUDIT_WRITE BLOCK_SUSPEND CHOWN DAC_OVERRIDE DAC_READ_SEARCH
FOWNER FSETID IPC_LOCK IPC_OWNER KILL LEASE LINUX_IMMUTABLE MAC_ADMIN MAC_OVERRIDE MKNOD NET_ADMIN
NET_BIND_SERVICE NET_BROADCAST NET_RAW SETFCAP SETGID SETPCAP SETUID SYS_ADMIN SYS_BOOT SYS_CHROOT
SYS_MODULE SYS_NICE SYS_PACCT SYS_PTRACE SYS_RAWIO SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG SYSLOG
WAKE_ALARM""".split())
ULIMITS = frozenset("core cpu data fsize locks memlock msgqueue nice nofile nproc rss rtprio rttime "
                    "sigpending stack".split())
# Fargate accepts namespaced sysctls only (ecs-facts.md §3).
_FARGATE_SYSCTL = re.compile(r"^(net\.|kernel\.msg|kernel\.sem|kernel\.shm|fs\.mqueue\.)")
FARGATE_STOP_TIMEOUT = (2, 120)


def lower_container(ctx: Ctx, unit: Unit, image: str, mounts: tuple) -> Container:
    """The container for ``unit``; ``mounts`` come from :func:`storage.container_storage`."""
    svc = unit.service
    cpu, memory, reservation = resources.container_resources(ctx, unit)
    secret_refs = secrets.container_secrets(ctx, unit)
    return Container(
        name=unit.container, image=image, source=svc.name,
        essential=unit.settings.get("essential", True),
        command=svc.command, entry_point=svc.entrypoint,
        environment=environment(ctx, unit, {s.name for s in secret_refs}),
        secrets=secret_refs, port_mappings=ports.container_ports(ctx, unit), mount_points=mounts,
        health_check=health.health_check(ctx, unit), log_configuration=logging.log_configuration(ctx, unit),
        cpu=cpu, memory=memory, memory_reservation=reservation,
        working_directory=svc.working_dir, user=_user(svc.user), docker_labels=_labels(svc.labels),
        readonly_root_filesystem=svc.read_only, interactive=svc.stdin_open, pseudo_terminal=svc.tty,
        stop_timeout=stop_timeout(ctx, unit), system_controls=system_controls(ctx, unit),
        ulimits=ulimits(ctx, unit), linux_parameters=linux_parameters(ctx, unit),
        ec2_only=ec2_only(ctx, unit), repository_credentials=unit.settings.get("pull_credentials"),
        at=svc.at)


def environment(ctx: Ctx, unit: Unit, secret_names: set) -> tuple:
    """Sorted (name, value) pairs; unset host variables are left out, secrets win."""
    out = []
    for name, value in unit.service.environment:
        if value is None:
            continue
        if name in secret_names:
            ctx.lossy(unit, ("environment", name), f"environment variable {name} is dropped: a secret "
                      "is injected under the same name", "rename the secret's variable in x-ecs.secrets")
            continue
        out.append((str(name), _string(value)))
    return tuple(sorted(out))


def _string(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _labels(labels) -> tuple:
    return tuple(sorted((str(k), _string(v)) for k, v in labels if v is not None))


def _user(user):
    return None if user in (None, "") else str(user)


def stop_timeout(ctx: Ctx, unit: Unit):
    value = unit.service.stop_grace_period
    if value is None:
        return None
    seconds = int(math.ceil(value))
    if not unit.fargate:
        return max(seconds, 0)
    lo, hi = FARGATE_STOP_TIMEOUT
    clamped = min(max(seconds, lo), hi)
    if clamped != value:
        ctx.lossy(unit, ("stop_grace_period",), f"stop_grace_period {value:g}s is outside Fargate's "
                  f"{lo}–{hi} s; stopTimeout {clamped} s is used",
                  "make the application stop within 120 s of SIGTERM")
    return clamped


def system_controls(ctx: Ctx, unit: Unit) -> tuple:
    out = []
    for name, value in unit.service.sysctls:
        if unit.fargate and not _FARGATE_SYSCTL.match(str(name)):
            ctx.unsupported(unit, ("sysctls", name), f"sysctl {name} is not supported on Fargate "
                            "(only net.* and IPC namespaced ones); dropped")
            continue
        out.append((str(name), _string(value)))
    return tuple(sorted(out))


def ulimits(ctx: Ctx, unit: Unit) -> tuple:
    out = []
    for limit in unit.service.ulimits:
        if limit.name not in ULIMITS:
            ctx.unsupported(unit, ("ulimits", limit.name), f"ulimit {limit.name} is not known to ECS; dropped")
            continue
        out.append(Ulimit(limit.name, int(limit.soft), int(limit.hard)))
    return tuple(sorted(out, key=lambda u: u.name))


def _capabilities(ctx: Ctx, unit: Unit, key: str) -> tuple:
    out, dropped = [], []
    for cap in getattr(unit.service, key):
        name = str(cap).upper()
        name = name[4:] if name.startswith("CAP_") else name
        if name not in CAPABILITIES:
            dropped.append(str(cap))
        elif key == "cap_add" and unit.fargate and name not in FARGATE_CAPABILITIES:
            dropped.append(str(cap))
        elif name not in out:
            out.append(name)
    if dropped:
        reason = "Fargate allows adding only SYS_PTRACE" if key == "cap_add" and unit.fargate else "unknown to ECS"
        ctx.unsupported(unit, (key,), f"{key} {', '.join(dropped)} dropped: {reason}",
                        "use the EC2 launch type for other capabilities" if unit.fargate else "")
    return tuple(out)


def linux_parameters(ctx: Ctx, unit: Unit) -> LinuxParameters:
    svc = unit.service
    shm, devices = None, ()
    shm_mib = _shm(ctx, unit)  # an invalid size is an error on every launch type
    if not unit.fargate:
        shm = shm_mib
        devices = tuple(_device(d) for d in (svc.get("devices") or ()))
    return LinuxParameters(_capabilities(ctx, unit, "cap_add"), _capabilities(ctx, unit, "cap_drop"),
                           True if svc.init else None, shm, devices, storage.tmpfs_entries(ctx, unit))


def _shm(ctx: Ctx, unit: Unit):
    value = unit.service.get("shm_size")
    if value in (None, ""):
        return None
    from ..units import parse_bytes

    try:
        size = parse_bytes(value)
    except ValueError as err:
        raise ctx.error(ctx.svc_at(unit, "shm_size"), f"invalid shm_size: {err}",
                        "write a size such as 64m or 1g") from None
    return max(1, int(math.ceil(size / (1024 * 1024))))


def _device(device) -> dict:
    if isinstance(device, dict):
        host, target = device.get("source"), device.get("target") or device.get("source")
        perms = device.get("permissions")
    else:
        parts = str(device).split(":")
        host, target = parts[0], parts[1] if len(parts) > 1 else parts[0]
        perms = parts[2] if len(parts) > 2 else None
    out = {"hostPath": host, "containerPath": target}
    flags = [{"r": "read", "w": "write", "m": "mknod"}[c] for c in (perms or "") if c in "rwm"]
    if flags:
        out["permissions"] = flags
    return out


# EC2-only container keys: compose key → (API key, converter).
_EC2_KEYS = {
    "privileged": ("privileged", lambda v: bool(v)),
    "dns": ("dnsServers", lambda v: [str(x) for x in (v if isinstance(v, (list, tuple)) else [v])]),
    "dns_search": ("dnsSearchDomains", lambda v: [str(x) for x in (v if isinstance(v, (list, tuple)) else [v])]),
    "security_opt": ("dockerSecurityOptions", lambda v: [str(x) for x in v]),
    "gpus": ("resourceRequirements", lambda v: [{"type": "GPU", "value": str(_gpu_count(v))}]),
}


def _gpu_count(value) -> int:
    """compose ``gpus``: ``all`` or device requests with ``count``/``device_ids`` (1 when unknown)."""
    if not isinstance(value, (list, tuple)):
        return 1 if value == "all" or not str(value).isdigit() else int(value)
    total = 0
    for item in value:
        item = dict(item) if isinstance(item, (dict, tuple, list)) and not isinstance(item, str) else {}
        count = item.get("count")
        total += int(count) if str(count).isdigit() else len(item.get("device_ids") or ()) or 1
    return max(total, 1)


def _gpus_all(value) -> bool:
    if value == "all":
        return True
    return isinstance(value, (list, tuple)) and any(isinstance(i, dict) and i.get("count") == "all" for i in value)


def ec2_only(ctx: Ctx, unit: Unit) -> tuple:
    if unit.fargate:
        return ()
    out = []
    for key, (api, convert) in _EC2_KEYS.items():
        value = support.value_of(unit.service, key)
        if support.present(value):
            if key == "gpus" and _gpus_all(value):
                ctx.lossy(unit, ("gpus",), "gpus all cannot be expressed: ECS reserves a number of GPUs; "
                          f"{_gpu_count(value)} GPU(s) reserved", "give gpus a count (e.g. count: 2)")
            out.append((api, convert(value)))
    return tuple(sorted(out))
