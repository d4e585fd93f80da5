"""The one block-YAML writer: ``config`` output and CloudFormation templates.

Both print JSON-like data (dicts, lists, strings, ints, floats, bools, None) in PyYAML's
block style: two-space indent, a list not indented under its key, a mapping inside a list
item starting on the ``- `` line, empty collections as ``{}``/``[]``. PyYAML itself spends
most of its time in Python representers, so this writes the lines directly, several times
faster, with the choices libyaml's emitter makes (``safe_dump(..., width=10000)``):

* a printable ASCII string of at most :data:`MAX_TEXT` characters is written *plain* when
  libyaml's scalar analysis allows a plain block scalar and it reads back as a string both
  with PyYAML's YAML 1.1 resolver and with the YAML 1.2 core schema (Docker Compose, and
  :func:`~compose2ecs.compose.source.resolve_plain_scalar`); otherwise it is single-quoted;
* ints, bools, null and floats are spelled as PyYAML's representer spells them.

What lies outside that subset (other strings, keys longer than :data:`MAX_KEY`, deep
nesting, other types) is a policy of the writer class: :class:`ConfigWriter` raises
:class:`Unsupported` so ``compose/render.py`` falls back to the libyaml emitter and the
output stays byte-identical to it (tests/test_render_fast.py fuzzes both);
:class:`TemplateWriter` writes such strings double-quoted (a JSON string, which every YAML
reader decodes) and very long keys in the explicit ``? key`` form, so templates always read
back to the very same data (tests/test_cloudformation_yaml.py).
"""
from __future__ import annotations

import json
import re
from typing import Any, Optional

from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from .compose.source import Override, Reset, resolve_plain_scalar

_STR_TAG = "tag:yaml.org,2002:str"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_RESOLVE = Resolver().resolve  # YAML 1.1 implicit tags; no path resolvers, so shareable
_ASCII_PRINTABLE = re.compile(r"[\x20-\x7e]*\Z")
# libyaml: these first characters make a plain scalar impossible
_BAD_FIRST = frozenset("#,[]{}&*!|>'\"%@`")
# Characters JSON leaves raw but YAML readers reject or fold inside double quotes.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
# A letter, "_" or "/" first; then letters, digits, _./'(),;=+@${}-, ":" not before a space,
# single inner spaces; not ending in ":". libyaml writes that plain, and no YAML 1.1 or 1.2
# resolver reads it as anything but a string except the words below (numbers, timestamps,
# ".inf", "<<", "=" all start otherwise). Most strings are like this: a shortcut.
_SIMPLE = re.compile(r"[A-Za-z_/](?:[-A-Za-z0-9_./'(),;=+@${}]|:(?! )| (?! ))*(?<![: ])\Z")
_WORDS = frozenset("yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF "
                   "null Null NULL".split())
MAX_TEXT = 1000  # longer strings could meet the emitter's line width
MAX_KEY = 120  # libyaml writes keys longer than 128 as complex keys ("? key")
MAX_COLUMN = 4000  # deeper than this, libyaml's indentation meets the line width
MAX_SIMPLE_KEY = 1000  # YAML readers take implicit keys of at most 1024 characters


class Unsupported(Exception):
    """The value needs the full emitter (``ConfigWriter`` only)."""


def block_plain_allowed(s: str) -> bool:
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


def _escape(match) -> str:
    return "\\u%04x" % ord(match.group())


def double_quote(text: str) -> str:
    """``text`` as a double-quoted YAML scalar that every YAML reader decodes to ``text``."""
    return _YAML_UNSAFE.sub(_escape, json.dumps(text, ensure_ascii=False))


def float_text(value: float) -> Optional[str]:
    """PyYAML's spelling of a float (``represent_float``), or None if it would not read back."""
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value).lower()
    if "." not in text and "e" in text:  # YAML 1.1 floats need a dot: 1e+20 → 1.0e+20
        text = text.replace("e", ".0e", 1)
    return text if _RESOLVE(ScalarNode, text, (True, False)) == _FLOAT_TAG else None


def sorted_keys(value: dict) -> list:
    """Keys sorted by their text: ``sorted(value, key=str)``, natively when all are strings."""
    try:
        keys = sorted(value)
    except TypeError:
        return sorted(value, key=str)
    if keys and type(keys[0]) is not str:
        return sorted(value, key=str)
    return keys


def unwrap(value: Any) -> Any:
    """The value inside ``!reset``/``!override`` wrappers."""
    while isinstance(value, (Reset, Override)):
        value = value.value
    return value


class Writer:
    """Writes one document as lines; caches the text of every distinct string and key.
    The hooks at the end decide what happens outside libyaml's simple subset: here they
    raise :class:`Unsupported`."""

    SEQUENCES: tuple = (list, tuple)
    WRAPPERS: tuple = ()  # wrapper types to look through (config's !reset/!override)
    QUOTE_ALSO: frozenset = frozenset()  # words quoted although both schemas read a string

    def __init__(self, values: Optional[dict] = None) -> None:
        self.lines: list = []
        self.texts: dict = {}  # str → its scalar text
        self.values = self.texts if values is None else values  # str value → its text
        self.keys: dict = {}  # str key → its key text
        # bound once: the loops below run once per mapping/list, often tiny ones
        self._append, self._key_text, self._value_text = self.lines.append, self.keys.get, self.values.get

    def getvalue(self) -> str:
        """The document written so far."""
        return "\n".join(self.lines) + "\n" if self.lines else ""

    def text(self, s: str) -> str:
        """A string's scalar text (memoised)."""
        out = self.texts.get(s)
        if out is None:
            out = self.texts[s] = self._string(s)
        return out

    def _string(self, s: str) -> str:
        if (_SIMPLE.match(s) and len(s) <= MAX_TEXT and s not in _WORDS
                and s not in self.QUOTE_ALSO):  # shortcut of the full rule below
            return s
        if len(s) > MAX_TEXT or not _ASCII_PRINTABLE.match(s):
            return self.outside(s)
        if (s and block_plain_allowed(s) and s not in self.QUOTE_ALSO
                and _RESOLVE(ScalarNode, s, (True, False)) == _STR_TAG
                and isinstance(resolve_plain_scalar(s), str)):
            return s
        return "'" + s.replace("'", "''") + "'"

    def value_text(self, s: str) -> str:
        """A string value's text, on a miss of ``self.values``."""
        return self.text(s)

    def scalar(self, value: Any) -> str:
        """A key or a value that is not a collection."""
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
            text = float_text(value)
            if text is not None:
                return text
        return self.other(value)

    def key(self, k: Any, pad: str) -> str:
        """A key's text, on a miss of ``self.keys``; ``pad`` is the mapping's indentation."""
        if type(k) is not str:
            return self.scalar(k)
        if len(k) > MAX_KEY:
            return self.long_key(k, pad)
        out = self.keys[k] = self.text(k)
        return out

    def mapping(self, value: dict, first: str, col: int, keys=None) -> None:
        """Entries of a non-empty mapping at column ``col``; the first line starts with
        ``first``. ``keys`` gives the order (default: sorted). Strings and non-empty
        collections, nearly every value, are handled inline (no call per entry)."""
        if col > MAX_COLUMN:
            self.too_deep()
        append, key_text, value_text = self._append, self._key_text, self._value_text
        pad, seqs, start = " " * col, self.SEQUENCES, first
        if keys is None:  # sorted_keys(), inlined
            try:
                keys = sorted(value)
            except TypeError:
                keys = sorted(value, key=str)
            if keys and type(keys[0]) is not str:
                keys = sorted(value, key=str)
        for k in keys:
            kt = key_text(k)
            if kt is None:
                kt = self.key(k, pad)
            item = value[k]
            if type(item) is str:
                vt = value_text(item)
                if vt is None:
                    vt = self.value_text(item)
                append(f"{start}{kt}: {vt}")
            elif type(item) is int:  # = scalar(); ports, sizes, counts: many
                append(f"{start}{kt}: {item}")
            elif item and isinstance(item, dict):
                append(f"{start}{kt}:")
                self.mapping(item, pad + "  ", col + 2)
            elif item and isinstance(item, seqs):  # not indented under its key
                append(f"{start}{kt}:")
                self.sequence(item, pad, col)
            else:
                self.entry(f"{start}{kt}:", item, pad, col)
            start = pad

    def entry(self, head: str, item: Any, pad: str, col: int) -> None:
        """A mapping entry ``head`` (``key:``) and its value; lists are not indented further."""
        if isinstance(item, self.WRAPPERS):
            item = unwrap(item)
        if type(item) is str:
            text = self.values.get(item) or self.value_text(item)
            self.lines.append(f"{head} {text}")
        elif isinstance(item, dict):
            if item:
                self.lines.append(head)
                self.mapping(item, pad + "  ", col + 2)
            else:
                self.lines.append(head + " {}")
        elif isinstance(item, self.SEQUENCES):
            if item:
                self.lines.append(head)
                self.sequence(item, pad, col)
            else:
                self.lines.append(head + " []")
        else:
            self.lines.append(f"{head} {self.scalar(item)}")

    def sequence(self, value, first: str, col: int) -> None:
        """Items of a non-empty list with dashes at column ``col``; the first ``- `` goes
        after ``first``."""
        if col > MAX_COLUMN:
            self.too_deep()
        append, value_text, seqs = self._append, self._value_text, self.SEQUENCES
        dash, prefix = " " * col + "- ", first + "- "
        for item in value:
            if type(item) is str:
                vt = value_text(item)
                if vt is None:
                    vt = self.value_text(item)
                append(prefix + vt)
            elif item and isinstance(item, dict):
                self.mapping(item, prefix, col + 2)
            elif item and isinstance(item, seqs):
                self.sequence(item, prefix, col + 2)
            else:
                self.item(prefix, item, col)
            prefix = dash

    def item(self, prefix: str, item: Any, col: int) -> None:
        """One list item after its ``- `` (``prefix``)."""
        if isinstance(item, self.WRAPPERS):
            item = unwrap(item)
        if type(item) is str:
            self.lines.append(prefix + (self.values.get(item) or self.value_text(item)))
        elif isinstance(item, dict):
            if item:
                self.mapping(item, prefix, col + 2)
            else:
                self.lines.append(prefix + "{}")
        elif isinstance(item, self.SEQUENCES):
            if item:
                self.sequence(item, prefix, col + 2)
            else:
                self.lines.append(prefix + "[]")
        else:
            self.lines.append(prefix + self.scalar(item))

    # Outside the simple subset.
    def outside(self, s: str) -> str:
        """Text of a string that is not short printable ASCII."""
        raise Unsupported(s)

    def other(self, value: Any) -> str:
        """Text of a scalar of another type."""
        raise Unsupported(value)

    def long_key(self, k: str, pad: str) -> str:
        """Text of a key longer than :data:`MAX_KEY`."""
        raise Unsupported(k)

    def too_deep(self) -> None:
        """Called for collections nested deeper than :data:`MAX_COLUMN`."""
        raise Unsupported("nesting")


class ConfigWriter(Writer):
    """``compose2ecs config``: libyaml's bytes or :class:`Unsupported`. Values (not keys)
    have ``$`` written as ``$$`` (they are already interpolated) and ``!reset``/``!override``
    wrappers are looked through."""

    SEQUENCES = (list,)
    WRAPPERS = (Reset, Override)

    def __init__(self) -> None:
        super().__init__(values={})

    def value_text(self, s: str) -> str:
        out = self.values[s] = self.text(s.replace("$", "$$") if "$" in s else s)
        return out


class TemplateWriter(Writer):
    """CloudFormation templates: never fails; whatever it writes reads back as the data."""

    # YAML 1.1 booleans PyYAML does not implement but some readers (go-yaml v2, ruamel) do
    QUOTE_ALSO = frozenset(("y", "Y", "n", "N"))

    def outside(self, s: str) -> str:
        return double_quote(s)

    def other(self, value: Any) -> str:
        if isinstance(value, str):
            return self.text(str.__str__(value))
        if isinstance(value, int) and not isinstance(value, bool):
            return str(int(value))
        if isinstance(value, float):
            return float_text(float(value)) or repr(float(value))
        import yaml  # a tagged date from an overlay, say: PyYAML's own spelling

        text = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=10**9)
        return text.strip()[1:-1]

    def long_key(self, k: str, pad: str) -> str:
        text = self.text(k)
        if len(text) > MAX_SIMPLE_KEY:
            return f"? {text}\n{pad}"  # the caller adds ":" after the pad
        return text

    def too_deep(self) -> None:
        pass  # readers have no line width; nothing to avoid


def write_config(sections: list) -> str:
    """``[(key, value, is_section)]`` (render.py's top level, in order) → YAML text.
    Section values are escaped (``$`` → ``$$``) and sorted; other values are written as
    they are. Raises :class:`Unsupported` when the emitter must do it."""
    if not sections:
        return "{}\n"
    writer = ConfigWriter()
    for key, value, section in sections:
        head = writer.key(key, "") + ":"
        if section:
            writer.entry(head, value, "", 0)
        else:
            writer.lines.append(head + " " + writer.scalar(unwrap(value)))
    return writer.getvalue()


def dump(value: Any) -> str:
    """``value`` (dict/list/scalar) as a template-style block-YAML document, keys sorted."""
    writer = TemplateWriter()
    if isinstance(value, dict) and value:
        writer.mapping(value, "", 0)
    elif isinstance(value, writer.SEQUENCES) and value:
        writer.sequence(value, "", 0)
    elif isinstance(value, dict):
        return "{}\n"
    elif isinstance(value, writer.SEQUENCES):
        return "[]\n"
    else:
        return writer.scalar(value) + "\n"
    return writer.getvalue()
