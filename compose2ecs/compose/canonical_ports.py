"""``ports`` and ``expose``: short syntax → long syntax, as ``docker compose config`` prints.

Short form ``[[IP:]HOST:]CONTAINER[/PROTO]`` follows docker/go-connections ``ParsePortSpec``:
ranges expand to one entry per container port, a host range with a single container port
stays one entry whose ``published`` is the range, IPv6 host IPs may be bare (``::1:80:80``)
or bracketed (``[::1]:80:80``).
"""
from __future__ import annotations

import ipaddress
from typing import Any, Optional

from ..errors import Location
from .canonical_base import Ctx, as_int, copy_dict, go_string, list_items, new_dict, new_list

PROTOCOLS = ("tcp", "udp", "sctp")
PORT_HINT = 'use "[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]", e.g. "8080:80" or "53:53/udp"'


class PortSyntaxError(ValueError):
    pass


def _port_range(text: str, what: str) -> tuple:
    """``"80"`` → (80, 80); ``"3000-3005"`` → (3000, 3005)."""
    start, sep, end = text.partition("-")
    if not sep:
        end = start
    lo, hi = as_int(start), as_int(end)
    if lo is None or hi is None or not start.strip().isdigit() or not end.strip().isdigit():
        raise PortSyntaxError(f"invalid {what} {text!r}: not a port number or range")
    if not (0 <= lo <= 65535 and 0 <= hi <= 65535):
        raise PortSyntaxError(f"invalid {what} {text!r}: ports go from 0 to 65535")
    if hi < lo:
        raise PortSyntaxError(f"invalid {what} {text!r}: the range ends before it starts")
    return lo, hi


def _split_parts(spec: str) -> tuple:
    """(ip, host, container) exactly as go-connections splits on ``:``."""
    parts = spec.split(":")
    if len(parts) == 1:
        return "", "", parts[0]
    if len(parts) == 2:
        return "", parts[0], parts[1]
    return ":".join(parts[:-2]), parts[-2], parts[-1]


def _host_ip(ip: str) -> str:
    if ip.startswith("[") and ip.endswith("]"):
        ip = ip[1:-1]
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        raise PortSyntaxError(f"invalid host IP address {ip!r}") from None
    return ip


def parse_port_spec(spec: str) -> list:
    """One short-syntax port string → list of long-form dicts (plain). Raises PortSyntaxError."""
    ip, host, container = _split_parts(spec.strip())
    container, _, proto = container.partition("/")
    proto = (proto or "tcp").lower()
    if proto not in PROTOCOLS:
        raise PortSyntaxError(f"invalid protocol {proto!r}: only tcp, udp and sctp exist")
    if ip:
        ip = _host_ip(ip)
    if not container:
        raise PortSyntaxError("no container port given")
    start, end = _port_range(container, "container port")
    if start == 0:
        raise PortSyntaxError("container port 0 is not a port a service can listen on")
    h_start, h_end = _port_range(host, "host port") if host else (None, None)
    if host and (end - start) != (h_end - h_start) and end != start:
        raise PortSyntaxError(f"the host range {host!r} and the container range {container!r} "
                              "have different lengths")
    out = []
    for i in range(end - start + 1):
        entry: dict = {"mode": "ingress", "target": start + i, "protocol": proto}
        if ip:
            entry["host_ip"] = ip
        if host:
            entry["published"] = str(h_start + i)
            if start == end and h_start != h_end:
                entry["published"] = f"{h_start}-{h_end}"
        out.append(entry)
    return out


def _short_port(value: Any, at: Location, path: tuple, ctx: Ctx) -> list:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        ctx.error(at, path, f"a port must be a number, a string or a mapping, not {value!r}",
                  PORT_HINT)
        return []
    try:
        specs = parse_port_spec(value)
    except PortSyntaxError as exc:
        ctx.error(at, path, f"invalid port {value!r}: {exc}", PORT_HINT)
        return []
    return [(new_dict(at, ((k, v, at) for k, v in spec.items())), at) for spec in specs]


def _long_port(value: dict, at: Location, path: tuple, ctx: Ctx) -> Optional[Any]:
    updates: dict = {}
    target = as_int(value.get("target"))
    if target is None or not 1 <= target <= 65535:
        ctx.error(at, path + ("target",), f"invalid port target {value.get('target')!r}",
                  "target is the container port, a number from 1 to 65535")
        return None
    updates["target"] = target
    published = value.get("published")
    if published is not None:
        updates["published"] = go_string(published)
    updates["protocol"] = str(value.get("protocol") or "tcp").lower()
    updates["mode"] = value.get("mode") or "ingress"
    return copy_dict(value, at, updates)


def canonical_ports(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``ports`` → list of long-form mappings (target int, published str)."""
    if not isinstance(value, list):
        return value
    items = []
    for i, item, loc in list_items(value, at):
        if isinstance(item, dict):
            port = _long_port(item, loc, path + (i,), ctx)
            if port is not None:
                items.append((port, loc))
        else:
            items.extend(_short_port(item, loc, path + (i,), ctx))
    return new_list(getattr(value, "at", at), _unique(items))


def _unique(items: list) -> list:
    """Drop exact repeats ("3000" next to "3000-3005"): the same mapping twice means nothing
    more, and the schema wants unique entries when the output is validated again."""
    seen, out = [], []
    for port, loc in items:
        if port not in seen:
            seen.append(port)
            out.append((port, loc))
    return out


def canonical_expose(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``expose`` → list of strings (``- 80`` becomes ``"80"``); each must be a port or a
    range, with an optional protocol."""
    if not isinstance(value, list):
        return value
    items = []
    for index, item, loc in list_items(value, at):
        text = go_string(item)
        port, _, proto = text.partition("/")
        try:
            start, _ = _port_range(port, "port")
            if start == 0:
                raise PortSyntaxError("port 0 is not a port a service can listen on")
            if proto and proto.lower() not in PROTOCOLS:
                raise PortSyntaxError(f"unknown protocol {proto!r}")
        except PortSyntaxError as exc:
            ctx.error(loc, path + (index,), f"invalid exposed port: {exc}",
                      "write a port from 1 to 65535 or a range, optionally with /tcp or /udp")
        items.append((text, loc))
    return new_list(getattr(value, "at", at), items)
