"""List-or-mapping keys (``environment``, ``labels``, ``extra_hosts``, ...) → mappings.

Compose accepts ``- KEY=VALUE`` lists wherever it accepts a mapping; merging and lowering are
simpler when there is one form. Values become strings the way Compose stores them
(``true`` → ``"true"``); a bare ``KEY`` means *take it from the host* (``None``) for
environment-like keys and the empty string for labels.
"""
from __future__ import annotations

from typing import Any, Callable

from ..errors import Location
from .canonical_base import Ctx, absolute, dict_items, go_string, list_items, new_dict


def _list_to_pairs(value: list, at: Location, path: tuple, ctx: Ctx, bare: Any,
                   split: Callable) -> list:
    pairs = []
    for i, item, loc in list_items(value, at):
        if not isinstance(item, str):
            ctx.error(loc, path + (i,), f"expected a \"KEY=VALUE\" string, not {item!r}",
                      "quote the entry or use the mapping form")
            continue
        key, val = split(item)
        if key == "":
            ctx.error(loc, path + (i,), f"entry {item!r} has no name before the separator",
                      "write it as NAME=value")
            continue
        pairs.append((key, bare if val is None else val, loc))
    return pairs


def _split_equals(item: str) -> tuple:
    key, sep, val = item.partition("=")
    return key, (val if sep else None)


def _mapping(value: Any, at: Location, path: tuple, ctx: Ctx, bare: Any,
             split: Callable = _split_equals, convert: Callable = go_string) -> Any:
    """Shared body of every list-or-mapping canonicaliser; later list entries win."""
    if isinstance(value, list):
        pairs = _list_to_pairs(value, at, path, ctx, bare, split)
    elif isinstance(value, dict):
        pairs = [(k, bare if v is None else v, loc) for k, v, loc in dict_items(value, at)]
    else:
        return value
    out = new_dict(getattr(value, "at", at), ())
    for key, val, loc in pairs:
        out.pop(key, None)  # a repeated list key: the last one wins, at its own position
        out[str(key)] = convert(val)
        out.locs[str(key)] = loc
    return out


def canonical_environment(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``environment``/``build.args``: ``- K=V`` → ``K: V``; ``- K`` → ``K: null``."""
    return _mapping(value, at, path, ctx, None)


def canonical_labels(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``labels``/``annotations``/``deploy.labels``: a bare key is an empty label."""
    return _mapping(value, at, path, ctx, "")


def canonical_sysctls(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    return _mapping(value, at, path, ctx, "")


def _split_host(item: str) -> tuple:
    """``host=ip`` (preferred) or legacy ``host:ip``; IPv6 after the first separator."""
    sep = "=" if "=" in item else ":"
    host, found, ip = item.partition(sep)
    return host, (_strip_brackets(ip) if found else None)


def _strip_brackets(ip: Any) -> Any:
    if isinstance(ip, str) and ip.startswith("[") and ip.endswith("]"):
        return ip[1:-1]
    return ip


def _host_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_strip_brackets(go_string(v)) for v in value]
    return _strip_brackets(go_string(value))


def canonical_extra_hosts(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``extra_hosts`` → mapping host → IP (a list of IPs when a host repeats in list form)."""
    if not isinstance(value, list):
        return _mapping(value, at, path, ctx, "", convert=_host_value)
    out = new_dict(getattr(value, "at", at), ())
    for i, item, loc in list_items(value, at):
        host, ip = _split_host(item) if isinstance(item, str) else ("", None)
        if not host:
            ctx.error(loc, path + (i,), f"extra host {item!r} has no host name",
                      'write it as "host=1.2.3.4"')
        elif not ip:
            ctx.error(loc, path + (i,), f"extra host {item!r} has no IP address",
                      'write it as "host=1.2.3.4"')
        elif host in out:
            previous = out[host] if isinstance(out[host], list) else [out[host]]
            out[host] = previous + [ip]
        else:
            out[host] = ip
            out.locs[host] = loc
    return out


def canonical_additional_contexts(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``build.additional_contexts``: list → mapping; local paths made absolute."""
    def convert(v: Any) -> Any:
        v = go_string(v)
        if isinstance(v, str) and "://" not in v and not v.startswith("service:"):
            return absolute(v, ctx)
        return v
    return _mapping(value, at, path, ctx, "", convert=convert)
