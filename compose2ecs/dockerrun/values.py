"""The service being built from one `docker run` line, and the flags whose values have
structure: ports, ``-v``, ``--mount``, ``--gpus``, ``--network``, env files.

Every value written into the compose dict carries the Location of its flag token, so a later
error (schema, lowering) points into the command text.
"""
from __future__ import annotations

import csv
import difflib
import ipaddress
import re
from typing import Any, Callable, Optional

from ..compose.source import LDict, LList
from ..errors import Finding, Location, Severity
from ..units import parse_bytes
from ..records import record


@record
class Val:
    """A flag's value: ``word.text[start:]`` with its location; ``flag`` for booleans."""

    word: Any  # text.Word, or None for a boolean flag without a value
    start: int
    loc: Location
    flag: bool = True

    @property
    def text(self) -> str:
        return self.word.text[self.start:] if self.word is not None else ""

    @property
    def has_vars(self) -> bool:
        """True when the value holds a ``$`` the shell would expand (compose interpolates it)."""
        if self.word is None:
            return False
        text, literal = self.word.text, self.word.literal
        i = text.find("$", self.start)
        while i >= 0:  # (most values have no "$" at all: find() answers without a loop)
            if i not in literal:
                return True
            i = text.find("$", i + 1)
        return False

    def esc(self, a: int = 0, b: Optional[int] = None) -> str:
        """The value (or ``text[a:b]``) for compose: literal ``$`` written as ``$$``."""
        return self.word.escaped(self.start + a, None if b is None else self.start + b)


class ServiceBuilder:
    """Accumulates one compose service dict (located) plus what the final pass needs."""

    def __init__(self, at: Location, index: int, read_file: Callable, cwd: str):
        self.doc = LDict(at=at)
        self.at, self.index = at, index
        self.read_file, self.cwd = read_file, cwd
        self.findings: list = []
        self.container_name: Optional[str] = None
        self.networks: list = []  # [name, attrs LDict, Val]
        self.net_attrs: list = []  # (attr, value, Val)
        self.publish_all: Optional[Val] = None
        self.volume_driver: Optional[Val] = None
        self.top = {"volumes": LDict(at=at), "networks": LDict(at=at)}
        self.placeholders: list = []  # (text, what, Location)

    # -- writers used by the flag table ---------------------------------------------------
    def _node(self, parts: list, val: Val) -> LDict:
        node = self.doc
        for part in parts:
            if not isinstance(node.get(part), dict):
                node[part] = LDict(at=val.loc)
                node.locs[part] = val.loc
            node = node[part]
        return node

    def set(self, path: str, value, val: Val) -> None:
        *parents, leaf = path.split(".")
        node = self._node(parents, val)
        node[leaf] = value
        node.locs[leaf] = val.loc

    def append(self, path: str, value, val: Val) -> None:
        *parents, leaf = path.split(".")
        node = self._node(parents, val)
        if not isinstance(node.get(leaf), list):
            node[leaf] = LList(at=val.loc)
            node.locs[leaf] = val.loc
        if value not in node[leaf]:  # compose lists are uniqueItems; docker ignores repeats
            node[leaf].append_located(value, val.loc)

    def put(self, path: str, key: str, value, val: Val) -> None:
        node = self._node(path.split("."), val)
        node[key] = value
        node.locs[key] = val.loc

    def info(self, val: Val, message: str, hint: str = "") -> None:
        self.findings.append(Finding(Severity.INFO, val.loc, message, hint))

    def placeholder(self, text: str, what: str, loc: Location) -> None:
        """Keep ``text`` (``<timezone>``, ``$(id -u)``) as a placeholder; the finding points at it."""
        self.placeholders.append((text, what, loc))
        self.findings.append(Finding(Severity.INFO, loc, f"{text} is a placeholder copied from documentation; "
                                     "kept as it is (deploy refuses it)", "replace it with the real value"))

    def declare(self, kind: str, name: str, attrs: dict, val: Val) -> LDict:
        table = self.top[kind]
        if name not in table:
            table[name] = LDict(attrs, at=val.loc)
            table.locs[name] = val.loc
        return table[name]


# ---- ports ----------------------------------------------------------------------------------
_PORT_RANGE = re.compile(r"(\d+)(?:-(\d+))?\Z")


def _port_range(text: str, what: str, allow_zero: bool = False) -> int:
    match = _PORT_RANGE.match(text)
    low = allow_zero and 0 or 1
    if not match or not all(low <= int(g) <= 65535 for g in match.groups() if g):
        raise ValueError(f"{what} {text!r} is not a port number or range (1-65535)")
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if last < first:
        raise ValueError(f"{what} range {text!r} ends before it starts")
    return last - first + 1


def check_port(text: str) -> None:
    """``[ip:][host[-range]:]container[-range][/proto]``, as ``docker run -p`` accepts."""
    spec, _, proto = text.partition("/")
    if proto and proto not in ("tcp", "udp", "sctp"):
        raise ValueError(f"protocol {proto!r} is not tcp, udp or sctp")
    host_ip = ""
    if spec.startswith("["):
        host_ip, sep, spec = spec[1:].partition("]:")
        if not sep:
            raise ValueError(f"{text!r}: a bracketed IPv6 host address must be followed by ':'")
        spec = ":" + spec if spec.count(":") == 0 else spec
    parts = spec.rsplit(":", 2)
    if len(parts) == 3:
        host_ip = host_ip or parts[0]
        parts = parts[1:]
    if host_ip and not _is_ip(host_ip):
        raise ValueError(f"{host_ip!r} is not an IP address")
    count = _port_range(parts[-1], "container port")
    if len(parts) == 2 and parts[0]:
        host_count = _port_range(parts[0], "host port", allow_zero=True)
        if count > 1 and host_count != count:
            raise ValueError(f"{text!r}: host and container port ranges differ in length")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def check_expose(text: str) -> None:
    port, _, proto = text.partition("/")
    if proto and proto not in ("tcp", "udp", "sctp"):
        raise ValueError(f"protocol {proto!r} is not tcp, udp or sctp")
    _port_range(port, "port")


def apply_publish(svc: ServiceBuilder, val: Val) -> None:
    if not val.has_vars:
        check_port(val.text)
    svc.append("ports", val.esc(), val)


def apply_publish_all(svc: ServiceBuilder, val: Val) -> None:
    svc.publish_all = val if val.flag else None


# ---- volumes ----------------------------------------------------------------------------------
_VOLUME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
_VOLUME_MODES = {"ro", "rw", "z", "Z", "nocopy", "shared", "rshared", "slave", "rslave",
                 "private", "rprivate", "delegated", "cached", "consistent"}


def _is_path(source: str) -> bool:
    """A host path (``<path/to/data>`` copied from a README is one too)."""
    return source.startswith(("/", ".", "~", "$", "<")) or bool(re.match(r"[A-Za-z]:\\", source))



def split_outside_vars(text: str, sep: str = ":") -> list:
    """``text.split(sep)``, except inside ``${…}`` (``${A:-x}:/data`` is two parts) and after
    a Windows drive letter (``C:\\data:/data``; ``a:/data`` is the volume ``a``)."""
    parts, depth, current = [], 0, ""
    for i, ch in enumerate(text):
        if text.startswith("${", i):
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
        if ch == sep and not depth and not (i == 1 and text[0].isalpha() and
                                             text[2:3] == "\\"):
            parts.append(current)
            current = ""
        else:
            current += ch
    return parts + [current]


def apply_volume(svc: ServiceBuilder, val: Val) -> None:
    text = val.text
    parts = split_outside_vars(text)
    if len(parts) > 3 or not all(parts):
        raise ValueError(f"{text!r} is not SOURCE:TARGET[:MODE], a named VOLUME:TARGET or a "
                         "single container path")
    target = parts[1] if len(parts) > 1 else parts[0]
    if not target.startswith(("/", "$")):
        raise ValueError(f"target {target!r} must be an absolute path inside the container")
    if len(parts) == 3 and not set(parts[2].split(",")) <= _VOLUME_MODES:
        bad = sorted(set(parts[2].split(",")) - _VOLUME_MODES)
        raise ValueError(f"unknown volume option {', '.join(bad)} (use ro, rw, z, Z, nocopy, "
                         "or a propagation mode)")
    if len(parts) > 1 and not _is_path(parts[0]):
        if not _VOLUME_NAME.match(parts[0]):
            raise ValueError(f"{parts[0]!r} is neither an absolute path nor a volume name; "
                             f"write ./{parts[0]} for a path relative to the current directory")
        svc.declare("volumes", parts[0], {}, val)
    if len(parts) > 1 and parts[0].startswith("<"):  # a README placeholder: a bind, by long syntax
        mount = {"type": "bind", "source": parts[0], "target": target}
        if len(parts) == 3 and "ro" in parts[2].split(","):
            mount["read_only"] = True
        svc.append("volumes", _located(mount, val.loc), val)
        return
    svc.append("volumes", relative_pwd(val.esc()), val)


_PWD = re.compile(r"\$(\{PWD\}|PWD(?![A-Za-z0-9_]))")


def relative_pwd(source: str) -> str:
    """``${PWD}/conf`` (from ``$(pwd)/conf``) → ``./conf``: a bind source relative to the
    directory the command ran in, as Compose reads it, instead of the converting machine's path."""
    match = _PWD.match(source)
    if not match:
        return source
    rest = source[match.end():]
    return "." + rest if rest[:1] in ("", "/", ":") else source


_MOUNT_KEYS = {
    "type": ("type",), "source": ("source",), "src": ("source",), "target": ("target",),
    "destination": ("target",), "dst": ("target",), "readonly": ("read_only",),
    "ro": ("read_only",), "consistency": ("consistency",),
    "bind-propagation": ("bind", "propagation"), "bind-recursive": ("bind", "recursive"),
    "bind-nonrecursive": ("bind", "recursive"), "bind-create-mountpoint": None,
    "volume-nocopy": ("volume", "nocopy"), "volume-subpath": ("volume", "subpath"),
    "volume-driver": ("@", "driver"), "volume-opt": ("@", "driver_opts"),
    "volume-label": ("@", "labels"), "tmpfs-size": ("tmpfs", "size"),
    "tmpfs-mode": ("tmpfs", "mode"), "image-subpath": ("image", "subpath"),
}
_BOOL_WORDS = {"": True, "1": True, "true": True, "t": True, "0": False, "false": False,
               "f": False}
_MOUNT_TYPES = ("bind", "volume", "tmpfs", "npipe", "cluster", "image")


def _mount_value(key: str, value: str, has_value: bool):
    if key in ("readonly", "ro", "volume-nocopy"):
        if value.lower() not in _BOOL_WORDS:
            raise ValueError(f"{key}={value!r} is not true or false")
        return _BOOL_WORDS[value.lower()]
    if key == "bind-nonrecursive":
        return "disabled" if _BOOL_WORDS.get(value.lower(), True) else "enabled"
    if not has_value:
        raise ValueError(f"--mount field {key!r} needs a value ({key}=...)")
    if key == "type" and value not in _MOUNT_TYPES:
        raise ValueError(f"mount type {value!r} is not one of {', '.join(_MOUNT_TYPES)}")
    if key == "tmpfs-size" and "$" not in value:
        parse_bytes(value)
    return value


def parse_mount(text: str) -> tuple:
    """``--mount`` csv → (compose long-syntax volume dict, top-level volume attrs)."""
    try:
        fields = next(csv.reader([text]), [])
    except csv.Error as exc:
        raise ValueError(f"--mount value is not valid csv: {exc}") from None
    mount: dict = {"type": "volume"}
    top: dict = {}
    for field in fields:
        key, has_value, value = field.partition("=")
        key = key.strip().lower()
        if key not in _MOUNT_KEYS:
            close = difflib.get_close_matches(key, list(_MOUNT_KEYS), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ValueError(f"unknown --mount field {key!r}{hint}")
        dest = _MOUNT_KEYS[key]
        parsed = _mount_value(key, value, bool(has_value))
        if dest is None:
            continue
        if dest[0] == "@":
            _mount_top(top, dest[1], value)
        elif len(dest) == 1:
            mount[dest[0]] = parsed
        else:
            mount.setdefault(dest[0], {})[dest[1]] = parsed
    if "target" not in mount:
        raise ValueError("--mount needs target=<path in the container>")
    if mount["type"] == "bind" and "source" not in mount:
        raise ValueError("--mount type=bind needs source=<host path>")
    return mount, top


def _mount_top(top: dict, attr: str, value: str) -> None:
    if attr == "driver":
        top["driver"] = value
        return
    key, sep, rest = value.partition("=")
    if not sep:
        raise ValueError(f"{value!r} is not in the form key=value")
    top.setdefault(attr, {})[key] = rest


def apply_mount(svc: ServiceBuilder, val: Val) -> None:
    mount, top = parse_mount(val.text)
    if any(i >= val.start for i in val.word.literal if val.word.text[i] == "$"):
        raise ValueError("a literal $ inside --mount cannot be kept; use a variable instead")
    if mount["type"] == "bind":
        mount["source"] = relative_pwd(mount["source"])
    if mount["type"] == "volume" and "source" in mount:
        svc.declare("volumes", mount["source"], top, val)
    elif top:
        svc.info(val, "volume-driver/volume-opt/volume-label apply only to a named volume; "
                 "dropped for this anonymous volume")
    svc.append("volumes", _located(mount, val.loc), val)


def _located(value, loc: Location):
    if isinstance(value, dict):
        out = LDict(at=loc)
        for k, v in value.items():
            out[k] = _located(v, loc)
            out.locs[k] = loc
        return out
    return value


def apply_volumes_from(svc: ServiceBuilder, val: Val) -> None:
    name, _, mode = val.text.partition(":")
    if mode not in ("", "ro", "rw") or not name:
        raise ValueError(f"{val.text!r} is not CONTAINER[:ro|rw]")
    svc.append("volumes_from", "container:" + val.esc(), val)


def apply_volume_driver(svc: ServiceBuilder, val: Val) -> None:
    svc.volume_driver = val
