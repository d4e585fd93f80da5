"""ports / expose / x-ecs.ports / well-known images → container ``portMappings``.

awsvpc gives each task its own ENI, so a container listens on its container port and nothing
else: ``hostPort`` is never set (ECS fills it with the container port), and a published port
that differs from the target cannot be remapped on the task. The published port is kept in
:attr:`PortMapping.published` for load-balancer listeners and security groups.

The loader expands a short-syntax range (``8000-8200``) into one Port per port, all sharing
the original entry's location; consecutive ports of one entry are folded back into one
``containerPortRange`` mapping (ECS allows 100 ranges per container), and every finding about
an entry is reported once, at the entry's own key path.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from ..errors import Location, Severity
from . import exposure, wellknown
from .context import Ctx, Unit, load_balancer_requested
from .model import PortMapping
from .names import shorten

_PORT_NAME_BAD = re.compile(r"[^a-z0-9_-]+")
_EXPOSE = re.compile(r"^(\d+)(?:-(\d+))?(?:/(tcp|udp|sctp))?$")
APP_PROTOCOLS = ("http", "http2", "grpc")
MAX_RANGES = 100  # containerPortRange mappings per container (ecs-facts.md §3)


def port_name(service: str, port: int, protocol: str, explicit: Optional[str] = None) -> str:
    """A discovery name matching ``^[a-z0-9_][a-z0-9_-]{0,63}$``: ``<service>-<port>-<proto>``."""
    base = explicit or f"{service}-{port}-{protocol}"
    name = _PORT_NAME_BAD.sub("-", base.lower()).lstrip("-")
    suffix = f"-{port}-{protocol}"
    if len(name) > 64:  # keep the distinguishing port/protocol at the end, and a hash of the whole name
        name = shorten(name, 64) if explicit else shorten(name[:-len(suffix)], 64, suffix, key=name)
    return name or f"p-{port}-{protocol}"


def container_ports(ctx: Ctx, unit: Unit) -> tuple:
    """Port mappings of one container, de-duplicated, in declaration order."""
    out: list = []
    for i, entry in enumerate(_entries(unit.service.ports)):
        for mapping in _from_entry(ctx, unit, entry, i):
            _add(ctx, unit, out, mapping)
    for i, text in enumerate(unit.service.expose):
        _add(ctx, unit, out, _from_expose(ctx, unit, str(text), i))
    for i, item in enumerate(unit.settings.get("ports") or ()):
        _add(ctx, unit, out, _from_xecs(ctx, unit, item, i))
    if not out:
        out += _well_known(ctx, unit)
    return tuple(_limit_ranges(ctx, unit, out))


def _entries(ports) -> list:
    """Runs of expanded ports that came from one compose entry (same location, set by the loader)."""
    out: list = []
    for port in ports:
        here = (port.at.file, port.at.line, port.at.column)
        if out and port.at.line and here == _where(out[-1][0]):
            out[-1].append(port)
        else:
            out.append([port])
    return out


def _where(port) -> tuple:
    return port.at.file, port.at.line, port.at.column


def _span(m: PortMapping) -> tuple:
    if m.container_port is not None:
        return m.container_port, m.container_port
    lo, _, hi = m.container_port_range.partition("-")
    return int(lo), int(hi)


def _label(m: PortMapping) -> str:
    return str(m.container_port or m.container_port_range)


def _add(ctx: Ctx, unit: Unit, out: list, mapping: Optional[PortMapping]) -> None:
    """Append ``mapping`` unless it overlaps one already kept (a port is bound once per container)."""
    if mapping is None:
        return
    lo, hi = _span(mapping)
    for index, previous in enumerate(out):
        plo, phi = _span(previous)
        if hi < plo or lo > phi:
            continue
        if previous.container_port is not None and previous.container_port == mapping.container_port \
                and previous.protocol == mapping.protocol:
            out[index] = _merge_same(ctx, unit, previous, mapping)
        elif previous.protocol != mapping.protocol and (lo, hi) == (plo, phi):
            _finding(ctx, unit, mapping.at, Severity.LOSSY, f"port {_label(mapping)}/{mapping.protocol} dropped: "
                     f"ECS cannot map one container port for two protocols ({_label(previous)}/"
                     f"{previous.protocol} is kept)", "listen on a different port for the second protocol")
        else:
            _finding(ctx, unit, mapping.at, Severity.LOSSY, f"port {_label(mapping)}/{mapping.protocol} dropped: "
                     f"it overlaps {_label(previous)}/{previous.protocol} (a port can be in one mapping only)",
                     "declare each port once")
        return
    out.append(mapping)


def _merge_same(ctx: Ctx, unit: Unit, previous: PortMapping, new: PortMapping) -> PortMapping:
    """Two declarations of one port: keep the published port, the explicit name and app protocol."""
    default = port_name(unit.container, previous.container_port, previous.protocol)
    name, app, published = previous.name, previous.app_protocol or new.app_protocol, previous.published
    if new.name and new.name != default:
        if name not in (None, default) and name != new.name:
            _finding(ctx, unit, new.at, Severity.LOSSY, f"port name {new.name} dropped: port "
                     f"{previous.container_port}/{previous.protocol} is already named {name}", "name the port once")
        else:
            name = new.name
    if previous.app_protocol and new.app_protocol and previous.app_protocol != new.app_protocol:
        _finding(ctx, unit, new.at, Severity.LOSSY, f"app_protocol {new.app_protocol} dropped: port "
                 f"{previous.container_port} already uses {previous.app_protocol}", "declare the port once")
    if new.published and not published:
        published = new.published
    return PortMapping(previous.container_port, previous.protocol, name, app, None, published, previous.at)


def _limit_ranges(ctx: Ctx, unit: Unit, out: list) -> list:
    kept, ranges = [], 0
    for m in out:
        if m.container_port_range:
            ranges += 1
            if ranges > MAX_RANGES:
                _finding(ctx, unit, m.at, Severity.LOSSY, f"port range {m.container_port_range} dropped: ECS "
                         f"allows {MAX_RANGES} port ranges per container", "merge adjacent ranges")
                continue
        kept.append(m)
    if ranges:
        first = next(m for m in kept if m.container_port_range)
        _finding(ctx, unit, first.at, Severity.INFO, "port ranges get no port-mapping name: ECS port ranges cannot "
                 "take part in Service Connect, so other services reach them by task IP, not by service name",
                 "declare single ports for what other services must reach by name")
    return kept


def _finding(ctx: Ctx, unit: Unit, at: Location, severity: str, message: str, hint: str = "") -> None:
    ctx.sink.add(severity, at, message, hint, unit.name)


def _entry_at(ctx: Ctx, unit: Unit, port, index: int) -> Location:
    """The compose entry's own location: its file position, and ``ports[index]`` where index counts
    original entries, not the loader's expanded ports."""
    if port.at == Location():
        return ctx.svc_at(unit, "ports", index)
    path = port.at.key_path
    if path and isinstance(path[-1], int):
        path = tuple(path[:-1]) + (index,)
    return port.at.with_path(path)


def _from_entry(ctx: Ctx, unit: Unit, entry: list, index: int) -> list:
    """One compose ``ports`` entry (possibly an expanded range) → mappings; findings once."""
    first = entry[0]
    at = _entry_at(ctx, unit, first, index)
    protocol = _protocol(ctx, unit, first.protocol, at)
    if protocol is None:
        return []
    entry = _exposure(ctx, unit, entry, at)
    if len(entry) == 1:
        return [_single(ctx, unit, entry[0], protocol, at)]
    return _range_entry(ctx, unit, entry, protocol, at)


def _exposure(ctx: Ctx, unit: Unit, entry: list, at: Location) -> list:
    """Say what the entry's host address means on ECS (exposure.py); a port bound to the host's
    loopback or a private address is not published to the internet, so it loses its published port."""
    first = entry[0]
    label = str(first.target) if len(entry) == 1 else f"{first.target}-{entry[-1].target}"
    note = exposure.host_ip_note(first.host_ip, label, unit.name)
    if note:
        _finding(ctx, unit, at, Severity.INFO, *note)
    if exposure.internet_published(first.host_ip):
        return entry
    return [replace(port, published=None) for port in entry]


def _single(ctx: Ctx, unit: Unit, port, protocol: str, at: Location) -> PortMapping:
    published = _published(ctx, unit, port, at)
    app = port.app_protocol.lower() if port.app_protocol else None
    if app and app not in APP_PROTOCOLS:
        _finding(ctx, unit, at, Severity.INFO, f"app_protocol {port.app_protocol} is ignored "
                 "(ECS knows http, http2, grpc)")
        app = None
    name = port_name(unit.container, port.target, protocol, port.name)
    return PortMapping(port.target, protocol, name, app, None, published, at)


def _published_number(port) -> Optional[int]:
    text = str(port.published) if port.published not in (None, "") else ""
    first = text.split("-", 1)[0]
    return int(first) if first.isdigit() else None


def _range_entry(ctx: Ctx, unit: Unit, entry: list, protocol: str, at: Location) -> list:
    """Consecutive targets → one containerPortRange each; published ports must match the targets."""
    runs: list = [[entry[0]]]
    for port in entry[1:]:
        if port.target == runs[-1][-1].target + 1:
            runs[-1].append(port)
        else:
            runs.append([port])
    numbers = [_published_number(p) for p in entry]
    shifted = [p for p, n in zip(entry, numbers) if n not in (None, 0, p.target)]
    if shifted:
        _finding(ctx, unit, at, Severity.LOSSY, f"published ports {entry[0].published} differ from container "
                 f"ports {entry[0].target}-{entry[-1].target}: awsvpc cannot remap ports, the task listens on the "
                 "container ports", "publish the same range on both sides")
    if any(n == 0 for n in numbers):
        _finding(ctx, unit, at, Severity.INFO, "published port 0 (a random host port in Docker) is not a fixed "
                 "port: the ports are treated as not published")
    out = []
    for run in runs:
        published = _published_number(run[0]) or None
        if len(run) == 1:
            name = port_name(unit.container, run[0].target, protocol, run[0].name)
            out.append(PortMapping(run[0].target, protocol, name, None, None, published, at))
        else:
            out.append(PortMapping(None, protocol, None, None, f"{run[0].target}-{run[-1].target}", published, at))
    return out


def _published(ctx: Ctx, unit: Unit, port, at: Location) -> Optional[int]:
    value = _published_number(port)
    if value is None:
        return None
    text = str(port.published)
    if value == 0:
        _finding(ctx, unit, at, Severity.INFO, f"published port 0 means a random host port in Docker; ECS has "
                 f"no such thing, so port {port.target} is treated as not published (reachable inside the VPC only)",
                 f"publish {port.target}:{port.target} to make it public")
        return None
    if "-" in text:
        _finding(ctx, unit, at, Severity.LOSSY, f"published range {text} cannot be used: awsvpc exposes port "
                 f"{port.target} itself; the first published port is recorded", "publish a single port")
    elif value != port.target and load_balancer_requested(ctx):  # the listener does the remapping
        _finding(ctx, unit, at, Severity.INFO, f"published port {value} is the load balancer's listener port; "
                 f"it forwards to port {port.target}, where the task listens")
    elif value != port.target:
        _finding(ctx, unit, at, Severity.LOSSY, f"published port {value} differs from container port "
                 f"{port.target}: awsvpc cannot remap ports, the task listens on {port.target}",
                 f"publish {port.target}:{port.target}, or use a load balancer (listener {value} → {port.target})")
    return value


def _protocol(ctx: Ctx, unit: Unit, protocol: str, at: Location) -> Optional[str]:
    protocol = (protocol or "tcp").lower()
    if protocol in ("tcp", "udp"):
        return protocol
    _finding(ctx, unit, at, Severity.UNSUPPORTED, f"protocol {protocol} is not supported by ECS (tcp or udp); "
             "port dropped")
    return None


def _from_expose(ctx: Ctx, unit: Unit, text: str, index: int) -> Optional[PortMapping]:
    at = ctx.svc_at(unit, "expose", index)
    match = _EXPOSE.match(text.strip())
    if not match:
        _finding(ctx, unit, at, Severity.UNSUPPORTED, f"expose value {text!r} is not port[/protocol]; dropped")
        return None
    start, end, protocol = int(match.group(1)), match.group(2), _protocol(ctx, unit, match.group(3), at)
    if protocol is None:
        return None
    if end and int(end) != start:
        return _expose_range(ctx, unit, start, int(end), protocol, at)
    return PortMapping(start, protocol, port_name(unit.container, start, protocol), None, None, None, at)


def _expose_range(ctx: Ctx, unit: Unit, start: int, end: int, protocol: str, at: Location):
    if end < start:
        _finding(ctx, unit, at, Severity.UNSUPPORTED, f"port range {start}-{end} ends before it starts; dropped",
                 "write the lower port first")
        return None
    return PortMapping(None, protocol, None, None, f"{start}-{end}", None, at)


def _from_xecs(ctx: Ctx, unit: Unit, item, index: int) -> Optional[PortMapping]:
    at = ctx.svc_at(unit, "x-ecs", "ports", index)
    if isinstance(item, dict):
        port, protocol = item["port"], item.get("protocol", "tcp")
        name = port_name(unit.container, port, protocol, item.get("name"))
        return PortMapping(port, protocol, name, item.get("app_protocol"), None, None, at)
    if isinstance(item, int):
        return PortMapping(item, "tcp", port_name(unit.container, item, "tcp"), None, None, None, at)
    match = _EXPOSE.match(str(item))
    start, end, protocol = int(match.group(1)), match.group(2), match.group(3) or "tcp"
    if end and int(end) != start:
        return _expose_range(ctx, unit, start, int(end), protocol, at)
    return PortMapping(start, protocol, port_name(unit.container, start, protocol), None, None, None, at)


def _well_known(ctx: Ctx, unit: Unit) -> list:
    known = wellknown.default_port(_image(unit))
    if known is None:
        return []
    port, protocol = known
    ctx.info(unit, ("image",), f"no ports declared; assuming {wellknown.repository(_image(unit))}'s default "
             f"port {port}/{protocol} so other services can reach it",
             "declare the port with expose or x-ecs.ports if it differs")
    return [PortMapping(port, protocol, port_name(unit.container, port, protocol), None, None, None,
                        ctx.svc_at(unit, "image"))]


def _image(unit: Unit) -> Optional[str]:
    return unit.settings.get("image") or unit.service.image
