"""Smaller service keys: ``ulimits``, ``devices``, ``gpus``, ``develop.watch`` and the
``post_start``/``pre_stop`` hooks (compose-go ``transform/`` equivalents)."""
from __future__ import annotations

from typing import Any

from .. import units
from ..errors import Location
from .canonical_base import (Ctx, absolute, as_int, at_of, copy_dict, dict_items, list_items,
                             loc_of, new_dict, new_list)


def _ulimit(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    if isinstance(value, dict):
        updates = {k: as_int(value[k]) for k in ("soft", "hard") if as_int(value.get(k)) is not None}
        return copy_dict(value, at, updates)
    number = as_int(value)
    if number is None:
        ctx.error(at, path, f"invalid ulimit {value!r}", "use a number or {soft: n, hard: n}")
        return value
    return new_dict(at, [("soft", number, at), ("hard", number, at)])


def canonical_ulimits(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``nofile: 65535`` → ``nofile: {soft: 65535, hard: 65535}``."""
    if not isinstance(value, dict):
        return value
    return new_dict(at_of(value, at), ((k, _ulimit(v, loc, path + (k,), ctx), loc)
                                       for k, v, loc in dict_items(value, at)))


def _device(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``/dev/x[:/dev/y[:rwm]]`` → ``{source, target, permissions}`` (compose-go)."""
    if not isinstance(value, str):
        return value
    parts = value.split(":")
    if len(parts) > 3:
        ctx.error(at, path, f"confusing device mapping {value!r}", "use the long syntax")
        return value
    source = parts[0]
    target = parts[1] if len(parts) > 1 and parts[1] else source
    permissions = parts[2] if len(parts) == 3 else "rwm"
    return new_dict(at, [("source", source, at), ("target", target, at),
                         ("permissions", permissions, at)])


def canonical_devices(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    if not isinstance(value, list):
        return value
    return new_list(at_of(value, at), ((_device(v, loc, path + (i,), ctx), loc)
                                       for i, v, loc in list_items(value, at)))


def canonical_gpus(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``gpus: all`` → ``[{count: all}]``."""
    if isinstance(value, str):
        return new_list(at, [(new_dict(at, [("count", value, at)]), at)])
    return value


def _split(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """A hook's ``command`` string → words, like the service ``command``."""
    if not isinstance(value, str):
        return value
    try:
        return new_list(at, ((w, at) for w in units.split_command(value)))
    except ValueError as exc:
        ctx.error(at, path, str(exc), "balance the quotes, or write the command as a list")
        return value


def canonical_hooks(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``post_start``/``pre_stop``: each hook's ``command`` in list form."""
    if not isinstance(value, list):
        return value
    items = []
    for i, hook, loc in list_items(value, at):
        if isinstance(hook, dict) and "command" in hook:
            cmd_loc = loc_of(hook, "command", loc)
            hook = copy_dict(hook, loc, {"command": _split(hook["command"], cmd_loc,
                                                           path + (i, "command"), ctx)})
        items.append((hook, loc))
    return new_list(at_of(value, at), items)


def _watch_rules(rule: Any, loc: Location, ctx: Ctx) -> list:
    """One watch rule → one rule per path (a list of paths is split), paths absolute."""
    if not isinstance(rule, dict):
        return [(rule, loc)]
    paths = rule.get("path")
    paths = paths if isinstance(paths, list) else [paths]
    return [(copy_dict(rule, loc, {"path": absolute(p, ctx)} if isinstance(p, str) else {}),
             loc) for p in paths]


def canonical_develop(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``develop.watch``: paths made absolute, one rule per path."""
    if not isinstance(value, dict) or not isinstance(value.get("watch"), list):
        return value
    watch = value["watch"]
    rules = []
    for _, rule, loc in list_items(watch, loc_of(value, "watch", at)):
        rules.extend(_watch_rules(rule, loc, ctx))
    return copy_dict(value, at, {"watch": new_list(at_of(watch, at), rules)})
