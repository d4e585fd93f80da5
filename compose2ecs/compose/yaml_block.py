"""A direct writer for ``config`` output: block-style YAML text without building YAML nodes.

``render.py`` prints the project with PyYAML (libyaml's emitter, block style, no aliases,
width 10000). For the values compose documents hold (mappings, lists, ASCII strings, ints,
bools, null, ordinary floats) the emitter's choices are simple: a string is written plain
when libyaml's scalar analysis allows a plain block scalar and the YAML 1.1 resolver reads
it back as a string (and the 1.2 core schema too, see render.py), otherwise single-quoted.
This module makes those choices itself and writes the lines directly, which is several
times faster. Anything outside that subset (non-ASCII or control characters, very long
strings or keys, other types) raises :class:`Unsupported` and render.py falls back to the
emitter, so the output is the same bytes either way (tests/test_render.py fuzzes both).
"""
from __future__ import annotations

import re
from typing import Any

from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from .source import Override, Reset, resolve_plain_scalar

_STR_TAG = "tag:yaml.org,2002:str"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_ASCII_PRINTABLE = re.compile(r"[\x20-\x7e]*\Z")
# libyaml: these first characters make a plain scalar impossible
_BAD_FIRST = frozenset("#,[]{}&*!|>'\"%@`")
MAX_TEXT = 1000  # longer strings could meet the line width; the emitter handles them
MAX_KEY = 120  # libyaml writes keys longer than 128 as complex keys ("? key")
MAX_COLUMN = 4000


class Unsupported(Exception):
    """The value needs the full emitter (render.py falls back to it)."""


def _block_plain_allowed(s: str) -> bool:
    """libyaml's ``yaml_emitter_analyze_scalar`` for a non-empty, single-line, printable
    ASCII string in block context: may it be written plain?"""
    first = s[0]
    if first in _BAD_FIRST or first == " " or s[-1] == " ":
        return False
    if first in "?:-" and (len(s) == 1 or s[1] == " "):
        return False
    if s.startswith(("---", "...")):
        return False
    return not (": " in s or s.endswith(":") or " #" in s)


class BlockWriter:
    """Writes one document; ``texts`` memoises the rendering of each string."""

    def __init__(self):
        self.resolver = Resolver()
        self.texts: dict = {}
        self.keys: dict = {}
        self.lines: list = []

    def text(self, s: str) -> str:
        out = self.texts.get(s)
        if out is None:
            if len(s) > MAX_TEXT or not _ASCII_PRINTABLE.match(s):
                raise Unsupported(s)
            plain = (s != "" and _block_plain_allowed(s)
                     and self.resolver.resolve(ScalarNode, s, (True, False)) == _STR_TAG
                     and isinstance(resolve_plain_scalar(s), str))
            out = s if plain else "'" + s.replace("'", "''") + "'"
            self.texts[s] = out
        return out

    def scalar(self, value: Any) -> str:
        """A key or an unescaped value."""
        kind = type(value)
        if kind is str:
            return self.text(value)
        if kind is bool:
            return "true" if value else "false"
        if kind is int:
            return str(value)
        if value is None:
            return "null"
        if kind is float:
            return self._float(value)
        raise Unsupported(value)

    def _float(self, value: float) -> str:
        if value != value or value in (float("inf"), float("-inf")):
            raise Unsupported(value)
        text = repr(value).lower()
        if "." not in text and "e" in text:  # as PyYAML's represent_float
            text = text.replace("e", ".0e", 1)
        if self.resolver.resolve(ScalarNode, text, (True, False)) != _FLOAT_TAG:
            raise Unsupported(value)
        return text

    def key(self, value: Any) -> str:
        out = self.keys.get(value) if type(value) is str else None
        if out is None:
            if type(value) is str and len(value) > MAX_KEY:
                raise Unsupported(value)
            out = self.scalar(value)
            if type(value) is str:
                self.keys[value] = out
        return out

    def leaf(self, value: Any):
        """Text of a section value that is not a non-empty collection, else None."""
        if type(value) is str:  # the common case first
            return self.text(value.replace("$", "$$") if "$" in value else value)
        if isinstance(value, (Reset, Override)):
            return self.leaf(_unwrap(value))
        if isinstance(value, dict):
            return None if value else "{}"
        if isinstance(value, list):
            return None if value else "[]"
        if isinstance(value, str) and "$" in value:
            return self.text(value.replace("$", "$$"))
        return self.scalar(value)

    def mapping(self, value: dict, first: str, col: int) -> None:
        """Entries of a non-empty mapping; the first line starts with ``first``."""
        if col > MAX_COLUMN:
            raise Unsupported("nesting")
        lines, pad = self.lines, " " * col
        start = first
        for k in sorted(value, key=str):
            prefix = start + self.key(k) + ":"
            start = pad
            item = _unwrap(value[k])
            leaf = self.leaf(item)
            if leaf is not None:
                lines.append(prefix + " " + leaf)
            elif isinstance(item, dict):
                lines.append(prefix)
                self.mapping(item, pad + "  ", col + 2)
            else:  # a list under a key is not indented further (PyYAML's style)
                lines.append(prefix)
                self.sequence(item, pad, col)

    def sequence(self, value: list, first: str, col: int) -> None:
        """Items of a non-empty list; the first ``- `` goes after ``first``."""
        if col > MAX_COLUMN:
            raise Unsupported("nesting")
        lines, pad = self.lines, " " * col
        start = first
        for item in value:
            prefix = start + "- "
            start = pad
            item = _unwrap(item)
            leaf = self.leaf(item)
            if leaf is not None:
                lines.append(prefix + leaf)
            elif isinstance(item, dict):
                self.mapping(item, prefix, col + 2)
            else:
                self.sequence(item, prefix, col + 2)


def _unwrap(value: Any) -> Any:
    while isinstance(value, (Reset, Override)):
        value = value.value
    return value


def write_document(sections: list) -> str:
    """``[(key, value, is_section)]`` (render.py's top level, in order) → YAML text.
    Section values are escaped (``$`` → ``$$``) and sorted; other values are written as
    they are. Raises :class:`Unsupported` when the emitter must do it."""
    if not sections:
        return "{}\n"
    writer = BlockWriter()
    lines = writer.lines
    for key, value, section in sections:
        prefix = writer.key(key) + ":"
        value = _unwrap(value)
        leaf = writer.leaf(value) if section else writer.scalar(value)
        if leaf is not None:
            lines.append(prefix + " " + leaf)
        elif isinstance(value, dict):
            lines.append(prefix)
            writer.mapping(value, "  ", 2)
        else:
            lines.append(prefix)
            writer.sequence(value, "", 0)
    lines.append("")
    return "\n".join(lines)
