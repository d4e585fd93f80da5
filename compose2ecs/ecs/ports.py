"""ports / expose / x-ecs.ports / well-known images → container ``portMappings``.

awsvpc gives each task its own ENI, so a container listens on its container port and nothing
else: ``hostPort`` is never set (ECS fills it with the container port), and a published port
that differs from the target cannot be remapped on the task. The published port is kept in
:attr:`PortMapping.published` for load-balancer listeners and security groups.
"""
from __future__ import annotations

import re
from typing import Optional

from ..errors import Location
from . import wellknown
from .context import Ctx, Unit
from .model import PortMapping

_PORT_NAME_BAD = re.compile(r"[^a-z0-9_-]+")
_EXPOSE = re.compile(r"^(\d+)(?:-(\d+))?(?:/(tcp|udp|sctp))?$")
APP_PROTOCOLS = ("http", "http2", "grpc")


def port_name(service: str, port: int, protocol: str, explicit: Optional[str] = None) -> str:
    """A discovery name matching ``^[a-z0-9_][a-z0-9_-]{0,63}$``: ``<service>-<port>-<proto>``."""
    base = explicit or f"{service}-{port}-{protocol}"
    name = _PORT_NAME_BAD.sub("-", base.lower()).lstrip("-")
    suffix = f"-{port}-{protocol}"
    if len(name) > 64:  # keep the distinguishing port/protocol at the end
        name = name[: 64 - len(suffix)].rstrip("-") + suffix if not explicit else name[:64]
    return name or f"p-{port}-{protocol}"


def container_ports(ctx: Ctx, unit: Unit) -> tuple:
    """Port mappings of one container, de-duplicated by (port, protocol), in declaration order."""
    svc = unit.service
    out: list = []
    seen: dict = {}
    for i, port in enumerate(svc.ports):
        _add(ctx, unit, out, seen, _from_port(ctx, unit, port, i), ("ports", i))
    for i, text in enumerate(svc.expose):
        _add(ctx, unit, out, seen, _from_expose(ctx, unit, str(text), i), ("expose", i))
    for i, item in enumerate(unit.settings.get("ports") or ()):
        _add(ctx, unit, out, seen, _from_xecs(ctx, unit, item, i), ("x-ecs", "ports", i))
    if not out:
        out += _well_known(ctx, unit)
    return tuple(out)


def _add(ctx: Ctx, unit: Unit, out: list, seen: dict, mapping: Optional[PortMapping], path: tuple) -> None:
    if mapping is None:
        return
    key = mapping.container_port or mapping.container_port_range
    if key in seen:
        previous = seen[key]
        if previous.protocol != mapping.protocol:
            ctx.lossy(unit, path, f"port {key}/{mapping.protocol} dropped: ECS cannot map one container "
                      f"port for two protocols ({key}/{previous.protocol} is kept)",
                      "listen on a different port for the second protocol")
        elif mapping.published and not previous.published:
            out[out.index(previous)] = seen[key] = _replace_published(previous, mapping.published)
        return
    seen[key] = mapping
    out.append(mapping)


def _replace_published(mapping: PortMapping, published: int) -> PortMapping:
    return PortMapping(mapping.container_port, mapping.protocol, mapping.name, mapping.app_protocol,
                       mapping.container_port_range, published, mapping.at)


def _from_port(ctx: Ctx, unit: Unit, port, index: int) -> Optional[PortMapping]:
    path = ("ports", index)
    protocol = _protocol(ctx, unit, port.protocol, path)
    if protocol is None:
        return None
    published = _published(ctx, unit, port, path)
    if port.host_ip and port.host_ip not in ("0.0.0.0", "::"):
        ctx.info(unit, path, f"host_ip {port.host_ip} is ignored: a task has its own network interface",
                 "restrict access with security groups")
    app = port.app_protocol.lower() if port.app_protocol else None
    if app and app not in APP_PROTOCOLS:
        ctx.info(unit, path, f"app_protocol {port.app_protocol} is ignored (ECS knows http, http2, grpc)")
        app = None
    name = port_name(unit.name, port.target, protocol, port.name)
    return PortMapping(port.target, protocol, name, app, None, published, port.at)


def _published(ctx: Ctx, unit: Unit, port, path: tuple) -> Optional[int]:
    if port.published in (None, ""):
        return None
    text = str(port.published)
    first = text.split("-", 1)[0]
    if not first.isdigit():
        return None
    value = int(first)
    if "-" in text:
        ctx.lossy(unit, path, f"published range {text} cannot be used: awsvpc exposes port {port.target} "
                  "itself; the first published port is recorded", "publish a single port")
    elif value != port.target:
        ctx.lossy(unit, path, f"published port {value} differs from container port {port.target}: awsvpc "
                  f"cannot remap ports, the task listens on {port.target}",
                  f"publish {port.target}:{port.target}, or use a load balancer (listener {value} → {port.target})")
    return value


def _protocol(ctx: Ctx, unit: Unit, protocol: str, path: tuple) -> Optional[str]:
    protocol = (protocol or "tcp").lower()
    if protocol in ("tcp", "udp"):
        return protocol
    ctx.unsupported(unit, path, f"protocol {protocol} is not supported by ECS (tcp or udp); port dropped")
    return None


def _from_expose(ctx: Ctx, unit: Unit, text: str, index: int) -> Optional[PortMapping]:
    path = ("expose", index)
    match = _EXPOSE.match(text.strip())
    if not match:
        ctx.unsupported(unit, path, f"expose value {text!r} is not port[/protocol]; dropped")
        return None
    start, end, protocol = int(match.group(1)), match.group(2), _protocol(ctx, unit, match.group(3), path)
    if protocol is None:
        return None
    at = ctx.svc_at(unit, *path)
    if end and int(end) != start:
        return PortMapping(None, protocol, None, None, f"{start}-{int(end)}", None, at)
    return PortMapping(start, protocol, port_name(unit.name, start, protocol), None, None, None, at)


def _from_xecs(ctx: Ctx, unit: Unit, item, index: int) -> Optional[PortMapping]:
    at = ctx.svc_at(unit, "x-ecs", "ports", index)
    if isinstance(item, dict):
        port, protocol = item["port"], item.get("protocol", "tcp")
        name = port_name(unit.name, port, protocol, item.get("name"))
        return PortMapping(port, protocol, name, item.get("app_protocol"), None, None, at)
    if isinstance(item, int):
        return PortMapping(item, "tcp", port_name(unit.name, item, "tcp"), None, None, None, at)
    return _xecs_text(unit, str(item), at)


def _xecs_text(unit: Unit, text: str, at: Location) -> PortMapping:
    match = _EXPOSE.match(text)
    start, end, protocol = int(match.group(1)), match.group(2), match.group(3) or "tcp"
    if end and int(end) != start:
        return PortMapping(None, protocol, None, None, f"{start}-{int(end)}", None, at)
    return PortMapping(start, protocol, port_name(unit.name, start, protocol), None, None, None, at)


def _well_known(ctx: Ctx, unit: Unit) -> list:
    known = wellknown.default_port(_image(unit))
    if known is None:
        return []
    port, protocol = known
    ctx.info(unit, ("image",), f"no ports declared; assuming {wellknown.repository(_image(unit))}'s default "
             f"port {port}/{protocol} so other services can reach it",
             "declare the port with expose or x-ecs.ports if it differs")
    return [PortMapping(port, protocol, port_name(unit.name, port, protocol), None, None, None,
                        ctx.svc_at(unit, "image"))]


def _image(unit: Unit) -> Optional[str]:
    return unit.settings.get("image") or unit.service.image
