"""Service ``volumes``: short syntax → long syntax (compose-go ``format.ParseVolume``).

``SRC:TGT[:MODE]`` becomes ``{type, source, target, read_only?, bind|volume}``; a source that
starts with ``.``, ``/``, ``~``, ``\\\\`` or a Windows drive is a bind mount, anything else a
named volume; a single path is an anonymous volume. Bind sources are made absolute here,
because only this phase still knows which file (and so which directory) they came from.
"""
from __future__ import annotations

import posixpath
from typing import Any, Optional

from .. import units
from ..errors import Location
from .canonical_base import (Ctx, absolute, clean_path, copy_dict, list_items, loc_of,
                             new_dict, new_list)

VOLUME_HINT = 'use "SOURCE:TARGET[:MODE]" (e.g. "./data:/data:ro") or the long syntax'
PROPAGATIONS = frozenset(("rprivate", "private", "rshared", "shared", "rslave", "slave"))
SELINUX = frozenset(("z", "Z"))


class VolumeSyntaxError(ValueError):
    pass


def _is_drive(buffer: str, char: str) -> bool:
    return char == ":" and len(buffer) == 1 and buffer.isalpha()


def split_volume_spec(spec: str) -> list:
    """Split on ``:`` except inside ``${...}`` and after a Windows drive letter."""
    fields, buffer, depth, i = [], "", 0, 0
    while i < len(spec):
        char = spec[i]
        if char == "$" and spec[i + 1:i + 2] == "{":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif char == ":" and depth == 0 and not _is_drive(buffer, char):
            fields.append(buffer)
            buffer = ""
            i += 1
            continue
        buffer += char
        i += 1
    fields.append(buffer)
    return fields


def _is_file_path(source: str) -> bool:
    if not source:
        return False
    if source[0] in "./~" or source.startswith("\\\\"):
        return True
    return len(source) > 1 and _is_drive(source[0], source[1])


def _apply_modes(mount: dict, modes: str) -> None:
    for option in modes.split(","):
        if option == "ro":
            mount["read_only"] = True
        elif option == "rw":
            mount.pop("read_only", None)
        elif option == "nocopy":
            mount["volume"] = {"nocopy": True}
        elif option in PROPAGATIONS:
            mount.setdefault("bind", {})["propagation"] = option
        elif option in SELINUX:
            mount.setdefault("bind", {})["selinux"] = option
        # Compose ignores unknown options too; the lowering reports what it cannot carry.


def parse_volume_spec(spec: str) -> dict:
    """One short-syntax volume string → plain long-form dict (source not yet resolved)."""
    if not spec:
        raise VolumeSyntaxError("empty volume")
    if len(spec) <= 2:
        return {"type": "volume", "target": spec, "volume": {}}
    fields = split_volume_spec(spec)
    if any(f == "" for f in fields):
        raise VolumeSyntaxError("empty section between colons")
    if len(fields) > 3:
        raise VolumeSyntaxError("too many colons")
    mount: dict = {}
    if len(fields) == 1:
        mount["target"] = fields[0]
    else:
        mount["source"], mount["target"] = fields[0], fields[1]
    if len(fields) == 3:
        _apply_modes(mount, fields[2])
    mount["target"] = clean_path(mount["target"])
    if _is_file_path(mount.get("source", "")):
        mount["type"] = "bind"
        mount.setdefault("bind", {})["create_host_path"] = True
    else:
        mount["type"] = "volume"
        mount.setdefault("volume", {})
    return mount


def _located(value: Any, at: Location) -> Any:
    if isinstance(value, dict):
        return new_dict(at, ((k, _located(v, at), at) for k, v in sorted(value.items())))
    return value


def _short_volume(spec: Any, at: Location, path: tuple, ctx: Ctx) -> Optional[Any]:
    if not isinstance(spec, str):
        ctx.error(at, path, f"a volume must be a string or a mapping, not {spec!r}", VOLUME_HINT)
        return None
    try:
        mount = parse_volume_spec(spec)
    except VolumeSyntaxError as exc:
        ctx.error(at, path, f"invalid volume {spec!r}: {exc}", VOLUME_HINT)
        return None
    if mount["type"] == "bind":
        mount["source"] = _bind_source(mount["source"], ctx)
    return _located(mount, at)


def _bind_source(source: str, ctx: Ctx) -> str:
    if ctx.relative_binds and not posixpath.isabs(source):
        return source
    return absolute(source, ctx)


def _tmpfs_options(tmpfs: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    size = tmpfs.get("size") if isinstance(tmpfs, dict) else None
    if size is None or (isinstance(size, int) and not isinstance(size, bool)):
        return tmpfs
    try:
        return copy_dict(tmpfs, at, {"size": units.parse_bytes(size)})
    except ValueError as exc:
        ctx.error(loc_of(tmpfs, "size", at), path + ("size",), f"invalid tmpfs size: {exc}",
                  "use a byte size such as 64m")
        return tmpfs


def _long_volume(mount: dict, at: Location, path: tuple, ctx: Ctx) -> Any:
    updates: dict = {}
    source = mount.get("source")
    if mount.get("type") == "bind" and isinstance(source, str):
        updates["source"] = _bind_source(source, ctx)
    if "tmpfs" in mount:
        updates["tmpfs"] = _tmpfs_options(mount["tmpfs"], loc_of(mount, "tmpfs", at),
                                          path + ("tmpfs",), ctx)
    return copy_dict(mount, at, updates)


def canonical_volumes(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """Service ``volumes`` → list of long-form mounts."""
    if not isinstance(value, list):
        return value
    items = []
    for i, item, loc in list_items(value, at):
        if isinstance(item, dict):
            mount = _long_volume(item, loc, path + (i,), ctx)
        else:
            mount = _short_volume(item, loc, path + (i,), ctx)
        if mount is not None:
            items.append((mount, loc))
    return new_list(getattr(value, "at", at), items)
