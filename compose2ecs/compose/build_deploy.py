"""``deploy`` and the service-level resource keys, reconciled into one :class:`Deploy`.

Compose lets ``cpus``/``mem_limit``/``mem_reservation``/``pids_limit``/``scale`` and their
``deploy`` equivalents coexist as long as they agree; when both are set and differ, the
file is ambiguous and we refuse it, naming both keys (as Compose does).
"""
from __future__ import annotations

from typing import Any, Optional

from ..errors import format_key_path
from .canonical_base import unwrap
from .build_base import Builder, extensions, freeze, mapping_of, pairs, parse_float
from .model import Deploy, Resources

# Resources field, service-level key (or None), deploy.resources path (or None), kind.
RESOURCE_KEYS = (
    ("cpus_limit", "cpus", ("limits", "cpus"), "cpus"),
    ("cpus_reservation", None, ("reservations", "cpus"), "cpus"),
    ("memory_limit", "mem_limit", ("limits", "memory"), "bytes"),
    ("memory_reservation", "mem_reservation", ("reservations", "memory"), "bytes"),
    ("pids_limit", "pids_limit", ("limits", "pids"), "int"),
    ("cpu_shares", "cpu_shares", None, "int"),
)

# Which service keys this module consumes (the rest of the service builder skips them).
CONSUMED_KEYS = frozenset(("deploy", "scale", "cpus", "mem_limit", "mem_reservation",
                           "pids_limit", "cpu_shares"))

# Sub-keys of restart_policy / update_config / rollback_config / placement → kind.
POLICY_KINDS = {
    "delay": "duration", "window": "duration", "monitor": "duration",
    "max_attempts": "int", "parallelism": "int", "max_replicas_per_node": "int",
    "max_failure_ratio": "float",
}


def _dig(mapping: Any, keys: tuple) -> Any:
    for key in keys:
        mapping = unwrap(mapping)
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return unwrap(mapping)


def _parse(b: Builder, kind: str, value: Any, path: tuple) -> Any:
    if kind == "float":
        return b.convert(parse_float, value, path, "number")
    return getattr(b, kind)(value, path)


def _agree(b: Builder, path: tuple, key_a: tuple, a: Any, key_b: tuple, b_value: Any) -> Any:
    """One value from two places that must agree; a disagreement is a located error that
    quotes both values as written (``1g`` and ``512M``, not byte counts)."""
    if a is not None and b_value is not None and a != b_value:
        raw_a, raw_b = _dig(b.doc, path + key_a), _dig(b.doc, path + key_b)
        b.error(path + key_a,
                f"{format_key_path(key_a)} ({raw_a}) and {format_key_path(key_b)} ({raw_b}) "
                "disagree", "set only one of them, or give both the same value")
    return a if a is not None else b_value


def _resources(b: Builder, svc: dict, path: tuple) -> Resources:
    resources = mapping_of(_dig(svc, ("deploy", "resources")))
    values: dict = {}
    for field, key, sub, kind in RESOURCE_KEYS:
        local = _parse(b, kind, svc.get(key), path + (key,)) if key else None
        deploy_key = ("deploy", "resources") + sub if sub else None
        remote = _parse(b, kind, _dig(resources, sub), path + deploy_key) if sub else None
        if key and sub:
            values[field] = _agree(b, path, (key,), local, deploy_key, remote)
        else:
            values[field] = local if key else remote
    reservations = mapping_of(resources.get("reservations"))
    return Resources(**values,
                     devices=freeze(reservations.get("devices") or []),
                     generic_resources=freeze(reservations.get("generic_resources") or []),
                     at=b.at(path + ("deploy", "resources")))


def _policy(b: Builder, value: Any, path: tuple) -> tuple:
    """restart_policy/update_config/rollback_config/placement → sorted typed pairs."""
    if not isinstance(value, dict):
        return ()
    out = []
    for key, item in value.items():
        kind = POLICY_KINDS.get(key)
        out.append((key, _parse(b, kind, item, path + (key,)) if kind else freeze(item)))
    return tuple(sorted(out))


MAX_REPLICAS = 2 ** 31 - 1  # ECS desiredCount is a 32-bit integer


def _replicas(b: Builder, svc: dict, deploy: dict, path: tuple) -> Optional[int]:
    scale = _count(b, svc.get("scale"), path + ("scale",))
    replicas = _count(b, deploy.get("replicas"), path + ("deploy", "replicas"))
    return _agree(b, path, ("scale",), scale, ("deploy", "replicas"), replicas)


def _count(b: Builder, value, path: tuple) -> Optional[int]:
    number = b.int(value, path)
    if number is not None and not 0 <= number <= MAX_REPLICAS:
        b.error(path, f"{number} is not a number of replicas",
                f"use a whole number from 0 to {MAX_REPLICAS}")
        return None
    return number


def build_deploy(b: Builder, svc: dict, path: tuple) -> Deploy:
    """The service's :class:`Deploy`, resources and replicas reconciled."""
    deploy = mapping_of(svc.get("deploy"))
    dpath = path + ("deploy",)
    return Deploy(
        mode=deploy.get("mode"),
        replicas=_replicas(b, svc, deploy, path),
        resources=_resources(b, svc, path),
        restart_policy=_policy(b, deploy.get("restart_policy"), dpath + ("restart_policy",)),
        update_config=_policy(b, deploy.get("update_config"), dpath + ("update_config",)),
        rollback_config=_policy(b, deploy.get("rollback_config"), dpath + ("rollback_config",)),
        placement=_policy(b, deploy.get("placement"), dpath + ("placement",)),
        labels=pairs(deploy.get("labels")),
        endpoint_mode=deploy.get("endpoint_mode"),
        at=b.at(dpath) if "deploy" in svc else b.at(path),
        extensions=extensions(deploy),
    )
