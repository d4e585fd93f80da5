"""Shared plumbing of :mod:`compose2ecs.compose.build`: locating paths, collecting errors,
and the small scalar converters every typed field uses."""
from __future__ import annotations

import re
from typing import Any, Callable, Optional

from .. import units
from ..errors import Location, diagnostic
from .canonical_base import as_int, go_string
from .source import locate


class Builder:
    """Reads the canonical document; every error is collected so the user sees them all."""

    def __init__(self, doc: Any):
        self.doc = doc
        self.errors: list = []

    def at(self, path: tuple) -> Location:
        return locate(self.doc, path)

    def error(self, path: tuple, message: str, hint: str = "") -> None:
        self.errors.append(diagnostic(self.at(path), message, hint))

    def convert(self, parse: Callable, value: Any, path: tuple, what: str,
                hint: str = "") -> Any:
        """``parse(value)``; a ValueError becomes a located error and ``None``."""
        if value is None:
            return None
        try:
            return parse(value)
        except (ValueError, TypeError) as exc:
            message, own_hint = split_hint(str(exc))
            self.error(path, f"invalid {what}: {message}", own_hint or hint)
            return None

    def guard(self, build: Callable, value: Any, path: tuple) -> Any:
        """Run a field builder; a wrong shape (unvalidated input) becomes a located error."""
        try:
            return build(self, value, path)
        except (TypeError, AttributeError, ValueError, KeyError):
            self.error(path, f"unexpected value {value!r} for {path[-1]}",
                       "check this key against the compose specification")
            return None

    def duration(self, value: Any, path: tuple) -> Optional[float]:
        return self.convert(units.parse_duration, value, path, "duration",
                            "use a duration such as 30s, 1m30s or 500ms")

    def bytes(self, value: Any, path: tuple) -> Optional[int]:
        return self.convert(units.parse_bytes, value, path, "byte size",
                            "use a size such as 512m or 1g")

    def cpus(self, value: Any, path: tuple) -> Optional[float]:
        return self.convert(units.parse_cpus, value, path, "CPU count",
                            "use a number of CPUs such as 0.5 or 2")

    def int(self, value: Any, path: tuple) -> Optional[int]:
        return self.convert(parse_int, value, path, "number", "use a whole number")

    def bool(self, value: Any, path: tuple) -> Optional[bool]:
        return self.convert(parse_bool, value, path, "boolean", "use true or false")


_HINT_RE = re.compile(r"^(.*) \((use .*)\)$", re.DOTALL)


def split_hint(text: str) -> tuple:
    """``"'x' is not a size (use 512m)"`` → ("'x' is not a size", "use 512m"): the units
    module words its own fix, which belongs in the hint, not twice in the message."""
    match = _HINT_RE.match(text)
    return (match.group(1), match.group(2)) if match else (text, "")


def parse_int(value: Any) -> int:
    number = as_int(value)
    if number is None:
        raise ValueError(f"{value!r} is not a whole number")
    return number


def parse_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    return float(value)


_BOOLS = {"true": True, "false": False}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in _BOOLS:
        return _BOOLS[value.lower()]
    raise ValueError(f"{value!r} is not true or false")


def mapping_of(value: Any) -> dict:
    """``value`` if it is a mapping, else ``{}`` (robust against unvalidated input)."""
    return value if isinstance(value, dict) else {}


def pairs(mapping: Any, convert: Callable = go_string) -> tuple:
    """A mapping → sorted ``(key, value)`` tuple; ``None`` → ``()``."""
    if not isinstance(mapping, dict):
        return ()
    return tuple(sorted((str(k), convert(v)) for k, v in mapping.items()))


def extensions(mapping: Any) -> tuple:
    """The ``x-*`` keys of a mapping as sorted pairs (Port/Deploy ``extensions``)."""
    if not isinstance(mapping, dict):
        return ()
    return pairs({k: v for k, v in mapping.items() if str(k).startswith("x-")}, freeze)


def freeze(value: Any) -> Any:
    """Plain lists → tuples (recursively) so typed values are immutable; dicts stay."""
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    if isinstance(value, dict):
        return {k: freeze(v) for k, v in value.items()}
    return value


def strings(value: Any) -> tuple:
    """A list (or a single string) → tuple of strings; ``None`` → ``()``."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(go_string(v) for v in value)
    return (go_string(value),)  # a lone scalar: the schema rejects it, but never crash


def optional_strings(value: Any) -> Optional[tuple]:
    """``command``/``entrypoint``: ``None`` stays unset, ``[]`` is an explicit empty list."""
    return None if value is None else strings(value)
