"""Shared plumbing of the canonicaliser: located containers, wrappers, paths and errors.

Every canonicaliser builds its new mappings and lists with the locations of the values it
was given, so a later phase (merge, build, lowering) can still point at the line the user
wrote. Helpers here accept plain ``dict``/``list`` input too (the ``docker run`` front-end
builds service dicts without positions).
"""
from __future__ import annotations

import os
import posixpath
import re
from dataclasses import field
from typing import Any, Callable, Iterable, Optional

from ..errors import Location, diagnostic
from .source import LDict, LList, Override, Reset
from ..records import record

# A canonicaliser: (value, location of the value, key path, context) -> canonical value.
Canonicaliser = Callable[[Any, Location, tuple, "Ctx"], Any]


@record(frozen=False, slots=False)
class Ctx:
    """What a canonicaliser may know about the world: the directory relative paths are
    resolved from, the home directory for ``~``, and the errors found so far."""

    base_dir: str
    home: str
    errors: list = field(default_factory=list)
    relative_binds: bool = False  # docker run input: ./logs stays ./logs (not this machine's path)

    def error(self, at: Location, path: tuple, message: str, hint: str = "") -> None:
        self.errors.append(diagnostic(at.with_path(path), message, hint))


def _unknown(loc: Location) -> bool:
    """``loc == Location()``, without building a Location and calling the dataclass __eq__
    (this runs for every value canonicalised)."""
    return type(loc) is Location and loc.file == "" and loc.line == 0 and loc.column == 0 \
        and loc.key_path == ()


def loc_of(node: Any, key: Any, fallback: Location) -> Location:
    """Location of ``node[key]``; plain containers fall back to ``fallback``."""
    if isinstance(node, (LDict, LList)):
        found = node.loc(key)
        return fallback if _unknown(found) else found
    return fallback


def at_of(node: Any, fallback: Location) -> Location:
    at = getattr(node, "at", None)
    return at if isinstance(at, Location) and not _unknown(at) else fallback


def new_dict(at: Location, items: Iterable[tuple]) -> LDict:
    """An LDict from ``(key, value, location)`` triples."""
    out = LDict(at=at)
    for key, value, loc in items:
        out[key] = value
        out.locs[key] = loc
    return out


def new_list(at: Location, items: Iterable[tuple]) -> LList:
    """An LList from ``(value, location)`` pairs."""
    out = LList(at=at)
    for value, loc in items:
        out.append_located(value, loc)
    return out


def dict_items(node: dict, at: Location) -> list:
    """``(key, value, location)`` triples of a (possibly plain) mapping."""
    return [(k, v, loc_of(node, k, at)) for k, v in node.items()]


def list_items(node: list, at: Location) -> list:
    """``(index, value, location)`` triples of a (possibly plain) sequence."""
    return [(i, v, loc_of(node, i, at)) for i, v in enumerate(node)]


def copy_dict(node: dict, at: Location, updates: Optional[dict] = None) -> LDict:
    """A located copy of ``node`` with ``updates`` (key → value) applied in place of the
    old values (their locations kept) and new keys located at the mapping."""
    updates = updates or {}
    out = new_dict(at_of(node, at), ((k, updates.get(k, v), loc) for k, v, loc in
                                     dict_items(node, at_of(node, at))))
    for key, value in updates.items():
        if key not in out:
            out[key] = value
            out.locs[key] = at_of(node, at)
    return out


def through_wrappers(fn: Canonicaliser, value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """Apply ``fn`` to the value inside ``!reset``/``!override`` and keep the wrapper, so the
    merge phase still sees the tag while merging long forms."""
    if isinstance(value, (Reset, Override)):
        inner = value.value
        return type(value)(inner if inner is None else guarded(fn, inner, at, path, ctx))
    if value is None:
        return None
    return guarded(fn, value, at, path, ctx)


SHAPE_HINT = "check this key against the compose specification (is the file validated?)"


def guarded(fn: Canonicaliser, value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """Run one canonicaliser. Documents are schema-validated first, so a wrong shape here
    means unvalidated input: report it where it is instead of crashing."""
    try:
        return fn(value, at, path, ctx)
    except (TypeError, AttributeError, ValueError, KeyError):
        ctx.error(at, path, f"unexpected value {value!r} for {path[-1]}", SHAPE_HINT)
        return value


def unwrap(value: Any) -> Any:
    return value.value if isinstance(value, (Reset, Override)) else value


# --- scalars -------------------------------------------------------------------------

def go_string(value: Any) -> Any:
    """A scalar as Compose stores it in a string map: ``true`` → ``"true"``, ``1.0`` → ``"1"``
    (Go prints float64 without a trailing .0); ``None`` stays ``None``."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, (Reset, Override)):
        return type(value)(go_string(value.value))
    return str(value)


def as_int(value: Any) -> Optional[int]:
    """An int from an int, an integral float or a decimal string; ``None`` if not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value):
        return int(value)
    return None


# --- paths ---------------------------------------------------------------------------

_REMOTE_PREFIXES = ("https://", "http://", "git://", "ssh://", "github.com/", "git@")
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]|^\\\\")


def is_remote(path: str) -> bool:
    """Build contexts that are URLs or git references are never joined to a directory."""
    return path.startswith(_REMOTE_PREFIXES)


def is_windows_path(path: str) -> bool:
    return bool(_WINDOWS_PATH.match(path))


def expand_home(path: str, home: str) -> str:
    if path == "~":
        return home
    if path.startswith("~/"):
        return posixpath.join(home, path[2:])
    return path


def absolute(path: str, ctx: Ctx) -> str:
    """Resolve a host path the way Compose does: ``~`` from home, relative from the
    project directory; Windows drive paths are left alone (they are absolute there)."""
    if not isinstance(path, str) or not path or is_windows_path(path):
        return path
    path = expand_home(path, ctx.home)
    if not posixpath.isabs(path):
        path = posixpath.join(ctx.base_dir, path)
    return clean_path(path)


def clean_path(path: str) -> str:
    """Go's ``path.Clean`` (posixpath.normpath keeps a leading ``//``; Go does not)."""
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def default_home(home: Optional[str]) -> str:
    return home if home is not None else os.path.expanduser("~")
