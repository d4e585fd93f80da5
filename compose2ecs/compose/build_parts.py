"""Typed builders for the structured service keys (ports, volumes, secrets, healthcheck, ...).

Each takes the :class:`Builder`, the plain canonical value and its key path, and returns the
model value. They expect long syntax (the canonicaliser ran) but stay tolerant of odd input:
anything unreadable becomes a located error, never an exception.
"""
from __future__ import annotations

from typing import Any, Optional

from .build_base import (Builder, extensions, freeze, mapping_of, optional_strings, pairs,
                         strings)
from .canonical_base import go_string
from .model import (Build, Dependency, FileReference, Healthcheck, Logging, Port,
                    ServiceNetwork, Ulimit, VolumeMount)


def _by_name(mapping: dict) -> list:
    """Items sorted by key as text (keys from odd input may be None or numbers)."""
    return sorted(((str(k), v) for k, v in mapping.items()), key=lambda kv: kv[0])


def build_ports(b: Builder, value: Any, path: tuple) -> tuple:
    out = []
    for i, port in enumerate(value or ()):
        p = path + (i,)
        if not isinstance(port, dict):
            b.error(p, f"port {port!r} is not in long form", "this is a bug: please report it")
            continue
        target = b.int(port.get("target"), p + ("target",))
        if target is None:
            continue
        out.append(Port(target=target, published=go_string(port.get("published")),
                        host_ip=port.get("host_ip"), protocol=port.get("protocol") or "tcp",
                        app_protocol=port.get("app_protocol"), mode=port.get("mode") or "ingress",
                        name=port.get("name"), at=b.at(p), extensions=extensions(port)))
    return tuple(out)


def _tmpfs_pairs(b: Builder, tmpfs: Any, path: tuple) -> tuple:
    if not isinstance(tmpfs, dict):
        return ()
    out = dict(tmpfs)
    if "size" in out:
        out["size"] = b.bytes(out["size"], path + ("size",))
    if isinstance(out.get("mode"), str):
        out["mode"] = b.convert(lambda m: int(m, 8), out["mode"], path + ("mode",), "file mode")
    return pairs(out, freeze)


def build_volumes(b: Builder, value: Any, path: tuple) -> tuple:
    out = []
    for i, mount in enumerate(value or ()):
        p = path + (i,)
        if not isinstance(mount, dict) or not mount.get("target") and mount.get("type") != "npipe":
            b.error(p, "a volume needs a target path inside the container",
                    "write it as SOURCE:TARGET or give target: in the long syntax")
            continue
        out.append(VolumeMount(
            type=mount.get("type", "volume"), target=mount.get("target", ""),
            source=mount.get("source") or None,
            read_only=bool(b.bool(mount.get("read_only"), p + ("read_only",))),
            consistency=mount.get("consistency"),
            bind=pairs(mount.get("bind"), freeze), volume=pairs(mount.get("volume"), freeze),
            tmpfs=_tmpfs_pairs(b, mount.get("tmpfs"), p + ("tmpfs",)),
            image=pairs(mount.get("image"), freeze), at=b.at(p)))
    return tuple(out)


def _mode(b: Builder, mode: Any, path: tuple) -> Optional[int]:
    if isinstance(mode, str):
        return b.convert(lambda m: int(m, 8), mode, path, "file mode",
                         "use an octal number such as 0440")
    return b.int(mode, path)


def build_file_refs(b: Builder, value: Any, path: tuple) -> tuple:
    out = []
    for i, ref in enumerate(value or ()):
        p = path + (i,)
        ref = {"source": ref} if isinstance(ref, str) else ref
        if not isinstance(ref, dict) or not ref.get("source"):
            b.error(p, "a secret or config reference needs a source name",
                    "name a top-level secret/config as source:")
            continue
        out.append(FileReference(source=ref["source"], target=ref.get("target"),
                                 uid=go_string(ref.get("uid")), gid=go_string(ref.get("gid")),
                                 mode=_mode(b, ref.get("mode"), p + ("mode",)), at=b.at(p)))
    return tuple(out)


def build_depends_on(b: Builder, value: Any, path: tuple) -> tuple:
    if isinstance(value, list):
        value = {go_string(name): {} for name in value}
    out = []
    for name, spec in _by_name(mapping_of(value)):
        spec = mapping_of(spec)
        p = path + (name,)
        out.append(Dependency(service=name, condition=spec.get("condition", "service_started"),
                              restart=bool(b.bool(spec.get("restart", False), p + ("restart",))),
                              required=bool(b.bool(spec.get("required", True), p + ("required",))),
                              at=b.at(p)))
    return tuple(out)


def build_healthcheck(b: Builder, value: Any, path: tuple) -> Optional[Healthcheck]:
    if not isinstance(value, dict):
        return None
    test = value.get("test")
    test = ("CMD-SHELL", test) if isinstance(test, str) else optional_strings(test)
    disable = bool(b.bool(value.get("disable", False), path + ("disable",)))
    return Healthcheck(
        test=test, interval=b.duration(value.get("interval"), path + ("interval",)),
        timeout=b.duration(value.get("timeout"), path + ("timeout",)),
        retries=b.int(value.get("retries"), path + ("retries",)),
        start_period=b.duration(value.get("start_period"), path + ("start_period",)),
        start_interval=b.duration(value.get("start_interval"), path + ("start_interval",)),
        disable=disable or (test is not None and test[:1] == ("NONE",)), at=b.at(path))


def build_logging(b: Builder, value: Any, path: tuple) -> Optional[Logging]:
    if not isinstance(value, dict):
        return None
    return Logging(driver=value.get("driver"), options=pairs(value.get("options")),
                   at=b.at(path))


def build_ulimits(b: Builder, value: Any, path: tuple) -> tuple:
    out = []
    for name, limit in _by_name(mapping_of(value)):
        p = path + (name,)
        if not isinstance(limit, dict):
            limit = {"soft": limit, "hard": limit}
        soft = b.int(limit.get("soft"), p + ("soft",))
        hard = b.int(limit.get("hard"), p + ("hard",))
        if soft is None or hard is None:
            continue
        if not (-1 <= soft <= ULIMIT_MAX and -1 <= hard <= ULIMIT_MAX):
            b.error(p, f"ulimit {name} {soft}:{hard} is out of range",
                    f"use numbers from 0 to {ULIMIT_MAX}, or -1 for unlimited")
        elif soft > hard >= 0:
            b.error(p, f"ulimit {name}: the soft limit {soft} is above the hard limit {hard}",
                    "make soft at most hard")
        else:
            out.append(Ulimit(name=name, soft=soft, hard=hard, at=b.at(p)))
    return tuple(out)


ULIMIT_MAX = 2 ** 31 - 1  # ECS ulimit values are 32-bit integers


NETWORK_FIELDS = ("aliases", "ipv4_address", "ipv6_address")


def build_networks(b: Builder, value: Any, path: tuple) -> tuple:
    if isinstance(value, list):
        value = {go_string(name): None for name in value}
    out = []
    for name, spec in _by_name(mapping_of(value)):
        spec = mapping_of(spec)
        extra = {k: v for k, v in spec.items() if k not in NETWORK_FIELDS}
        out.append(ServiceNetwork(name=name, aliases=strings(spec.get("aliases")),
                                  ipv4_address=spec.get("ipv4_address"),
                                  ipv6_address=spec.get("ipv6_address"),
                                  extra=pairs(extra, freeze), at=b.at(path + (name,))))
    return tuple(out)


BUILD_FIELDS = ("context", "dockerfile", "target", "args", "platforms")


def build_build(b: Builder, value: Any, path: tuple, working_dir: str) -> Optional[Build]:
    if value is None:
        return None
    if isinstance(value, str):
        value = {"context": value}
    value = mapping_of(value)
    extra = {k: v for k, v in value.items() if k not in BUILD_FIELDS}
    return Build(context=value.get("context") or working_dir,
                 dockerfile=value.get("dockerfile"), target=value.get("target"),
                 args=pairs(value.get("args")), platforms=strings(value.get("platforms")),
                 extra=pairs(extra, freeze), at=b.at(path))


__all__ = ["build_ports", "build_volumes", "build_file_refs", "build_depends_on",
           "build_healthcheck", "build_logging", "build_ulimits", "build_networks",
           "build_build"]
