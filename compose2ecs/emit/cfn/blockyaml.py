"""A small, fast, deterministic block-YAML writer for CloudFormation templates.

Why not PyYAML: its representer is pure Python even with the C emitter, and was half of the
``--format cloudformation`` time on big projects (issue 5). Templates only hold dicts, lists,
str, int, float, bool and None, so a writer for exactly those is short and ~10x faster.

Quoting is conservative, so every reader (PyYAML, cfn-lint's decoder, the AWS CLI, YAML 1.1
or 1.2) reads back the very same value:

* a string is *plain* only when it matches :data:`PLAIN` (a letter, ``_`` or ``/`` first;
  then letters, digits, ``_./'(),;=+@${}-``, ``:`` not before a space or at the end, single
  inner spaces) and is not a word YAML 1.1/1.2
  could read as a bool/null/number (``yes``, ``off``, ``null``, ``y``, ...);
* every other string is a JSON string (double-quoted YAML is a superset of JSON's escapes),
  with the few characters YAML treats specially inside quotes escaped too (NEL, line/paragraph
  separators, DEL and C1 controls, BOM);
* empty mappings/sequences are ``{}``/``[]``; keys are quoted like values; a key longer than
  YAML's 1024-character limit for implicit keys uses the explicit ``? key`` form.

Layout is PyYAML's block style: two-space indent, sequences not indented under their key,
a mapping inside a sequence item starts on the ``- `` line.
"""
from __future__ import annotations

import json
import math
import re

# Letter, "_" or "/" first; then letters, digits and _./'(),;=+@${}-; ":" only before another
# such character or ":"; a space only before such a character (so never ": ", " #", "  ", or a
# trailing space). Flow indicators ({},) are harmless inside a block-context plain scalar.
_BODY = r"-A-Za-z0-9_./'(),;=+@${}"
PLAIN = re.compile(rf"[A-Za-z_/](?:[{_BODY}]|:(?=[{_BODY}:])| (?=[{_BODY}]))*\Z")
# YAML 1.1 bools (y/n/yes/no/on/off/true/false), nulls and special floats, compared lower-cased.
RESERVED = frozenset(("y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"))
# Characters JSON leaves raw but YAML readers reject or fold inside double quotes.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
MAX_SIMPLE_KEY = 1000  # YAML: implicit keys are at most 1024 characters


def _escape(match) -> str:
    return "\\u%04x" % ord(match.group())


def quote(text: str) -> str:
    """``text`` as a double-quoted YAML scalar that every YAML reader decodes to ``text``."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _YAML_UNSAFE.sub(_escape, quoted)


def string(text: str) -> str:
    """``text`` plain when that is unambiguous, else double-quoted."""
    if PLAIN.match(text) and text.lower() not in RESERVED:
        return text
    return quote(text)


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "." not in text and "e" in text:  # YAML 1.1 floats need a dot: 1e+20 → 1.0e+20
        text = text.replace("e", ".0e", 1)
    return text


def _other(value) -> str:
    """Scalars templates rarely hold (a tagged date from an overlay): PyYAML's own spelling."""
    import yaml

    text = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=10**9)
    return text.strip()[1:-1]


class Writer:
    """Writes one document; caches the text of every distinct string (templates repeat a lot)."""

    def __init__(self) -> None:
        self.out: list = []
        self.cache: dict = {}  # string → its scalar text
        self.heads: dict = {}  # (indent, key) → "indent key:"

    def scalar(self, value) -> str:
        if isinstance(value, str):
            text = self.cache.get(value)
            if text is None:
                text = self.cache[value] = string(value)
            return text
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if isinstance(value, int):
            return str(int(value))
        if isinstance(value, float):
            return _float(value)
        return _other(value)

    def key(self, key, indent: str) -> str:
        """``indent`` + the key + ``:`` (explicit ``? key`` form for very long keys)."""
        head = self.heads.get((indent, key))
        if head is None:
            text = self.scalar(key)
            if len(text) > MAX_SIMPLE_KEY:
                head = f"{indent}? {text}\n{indent}:"
            else:
                head = f"{indent}{text}:"
            self.heads[(indent, key)] = head
        return head

    def mapping(self, value: dict, indent: str, keys) -> None:
        """Block mapping at ``indent``; ``keys`` in the order to write (callers sort)."""
        out, cache, inner = self.out, self.cache, indent + "  "
        for key in keys:
            item = value[key]
            head = self.key(key, indent)
            if isinstance(item, str):  # the common case, inlined
                text = cache.get(item)
                if text is None:
                    text = cache[item] = string(item)
                out.append(f"{head} {text}\n")
            elif isinstance(item, dict):
                if item:
                    out.append(head + "\n")
                    self.mapping(item, inner, sorted_keys(item))
                else:
                    out.append(head + " {}\n")
            elif isinstance(item, (list, tuple)):
                if item:
                    out.append(head + "\n")
                    self.sequence(item, indent)
                else:
                    out.append(head + " []\n")
            else:
                out.append(f"{head} {self.scalar(item)}\n")

    def sequence(self, value, indent: str) -> None:
        """Block sequence whose dashes sit at ``indent``."""
        out, inner, dash = self.out, indent + "  ", indent + "- "
        cut = len(inner)
        for item in value:
            if isinstance(item, dict) and item:
                start = len(out)
                self.mapping(item, inner, sorted_keys(item))
                out[start] = dash + out[start][cut:]
            elif isinstance(item, (list, tuple)) and item:
                start = len(out)
                self.sequence(item, inner)
                out[start] = dash + out[start][cut:]
            elif isinstance(item, dict):
                out.append(dash + "{}\n")
            elif isinstance(item, (list, tuple)):
                out.append(dash + "[]\n")
            else:
                out.append(f"{dash}{self.scalar(item)}\n")

    def text(self) -> str:
        return "".join(self.out)


def sorted_keys(value: dict) -> list:
    """Keys sorted by their text (templates only have string keys; the ``str`` is a guard)."""
    try:
        keys = sorted(value)
    except TypeError:
        return sorted(value, key=str)
    if keys and not isinstance(keys[0], str):
        return sorted(value, key=str)
    return keys


def dump(value) -> str:
    """``value`` (dict/list/scalar) as a block-YAML document, keys sorted."""
    writer = Writer()
    if isinstance(value, dict) and value:
        writer.mapping(value, "", sorted_keys(value))
    elif isinstance(value, (list, tuple)) and value:
        writer.sequence(value, "")
    elif isinstance(value, dict):
        return "{}\n"
    elif isinstance(value, (list, tuple)):
        return "[]\n"
    else:
        return writer.scalar(value) + "\n"
    return writer.text()
