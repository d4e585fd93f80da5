"""The ``.env`` / ``env_file`` format (compose-spec ``05-services.md#env_file-format``).

The grammar is compose-go's ``dotenv/parser.go`` (v2), with positions kept so every error
points at file:line:column:

* ``VAR=VAL``, ``export VAR=VAL``, ``VAR: VAL`` (compose-go accepts the YAML-ish form);
  names may hold letters, digits, ``_ . - [ ]``.
* ``VAR`` alone: inherit from the environment (value ``None`` here).
* ``#`` lines and blank lines are ignored; an unquoted value ends at `` #``.
* ``'single'`` is literal except ``\\'``; ``"double"`` knows ``\\n \\r \\t \\\\ \\" \\$``
  (and ``\\a \\b \\f \\v \\0NNN``) and is interpolated; unquoted values are interpolated.
  Quoted values may span lines.

We are stricter than compose-go in one place: text after a closing quote (other than a
comment) is an error, where compose-go silently starts a new statement there.
"""
from __future__ import annotations

import bisect
import os
import re
from typing import Callable, Optional

from ..errors import Location, UserError, diagnostic
from . import limits
from .interpolate import as_lookup, substitute
from .source import LDict

_SPACE = " \t\v\f\r\x85\xa0"  # compose-go isSpace: whitespace that is not a line break
_EXPORT = re.compile(r"export[ \t]+")
_DOUBLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "a": "\a",
                   "b": "\b", "f": "\f", "v": "\v", "$": "$$"}  # $$: kept from interpolation
_OCTAL = re.compile(r"0[0-7]{3}")  # \0NNN; a shorter \0 stays literal, as in compose-go
FORMAT_HINT = "each line is VAR=value, VAR alone, or a # comment"


class EnvFileNotFound(UserError):
    """The env file does not exist (``required: false`` entries may skip it)."""


class _Parser:
    """One pass over the text; ``self.i`` is the index of the next character."""

    def __init__(self, text: str, filename: str, lookup):
        self.text = text
        self.filename = filename
        self.lookup = as_lookup(lookup)
        self.i = 0
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.out = LDict(at=Location(filename, 1, 1))
        self.errors: list = []
        self.findings: Optional[list] = None
        self.stop = False  # set inside an unterminated quote: nothing after it can be trusted

    def loc(self, index: int, key_path=()) -> Location:
        line = bisect.bisect_right(self.starts, index)
        return Location(self.filename, line, index - self.starts[line - 1] + 1, tuple(key_path))

    def fail(self, index: int, message: str, hint: str = FORMAT_HINT) -> None:
        self.errors.append(diagnostic(self.loc(index), message, hint))

    def skip_line(self) -> None:
        end = self.text.find("\n", self.i)
        self.i = len(self.text) if end < 0 else end + 1

    def run(self) -> LDict:
        text = self.text
        while True:
            while self.i < len(text) and text[self.i].isspace():
                self.i += 1
            if self.i >= len(text):
                return self.out
            if text[self.i] == "#":
                self.skip_line()
                continue
            if not self.statement():
                if self.stop:
                    return self.out
                self.skip_line()

    def statement(self) -> bool:
        start = self.i
        match = _EXPORT.match(self.text, self.i)
        if match:
            self.i = match.end()
        key_start = self.i
        key, end = self.scan_key()
        if key is None:
            return False
        if not key:
            self.fail(key_start, "missing variable name before '='")
            return False
        if any(c in _SPACE for c in key):
            self.fail(key_start, f"variable name {key!r} cannot contain a space",
                      "quote the value, not the name: VAR=\"a b\"")
            return False
        key_loc = self.loc(start, (key,))
        if end >= len(self.text) or self.text[end] == "\n":  # VAR alone: inherit
            self.i = end
            self.set(key, None, key_loc)
            return True
        self.i = end + 1
        value = self.value(key, key_loc)
        if value is False:
            return False
        self.set(key, value, key_loc)
        return True

    def scan_key(self):
        """Return (raw key, index of the terminator) or (None, _) after an error."""
        text, i = self.text, self.i
        while i < len(text) and text[i] not in "=:\n":
            c = text[i]
            if not (c in _SPACE or c.isalnum() or c in "_.-[]"):
                self.fail(i, f"unexpected character {c!r} in variable name",
                          "names may contain letters, digits and _ . - [ ]")
                return None, i
            i += 1
        return text[self.i:i].rstrip(_SPACE), i

    def value(self, key: str, key_loc: Location):
        text = self.text
        while self.i < len(text) and text[self.i] in _SPACE:
            self.i += 1
        quote = text[self.i:self.i + 1]
        if quote in ("'", '"'):
            return self.quoted(quote, key_loc)
        end = text.find("\n", self.i)
        end = len(text) if end < 0 else end
        raw = text[self.i:end]
        value_start = self.i
        self.i = end
        cut = raw.find(" #")
        raw = (raw[:cut] if cut >= 0 else raw).rstrip()
        return self.expand(raw, value_start)

    def quoted(self, quote: str, key_loc: Location):
        text, start = self.text, self.i
        chars, i, escaped = [], start + 1, False
        while i < len(text):
            c = text[i]
            if escaped:
                escaped = False
                chars.append(c if c == quote else "\\" + c)  # only \<quote> drops the \
            elif c == "\\":
                escaped = True
            elif c == quote:
                break
            else:
                chars.append(c)
            i += 1
        else:
            self.fail(start, f"unterminated quoted value: missing the closing {quote}",
                      f"close the value with {quote}, or escape a {quote} inside it with \\")
            self.stop = True
            return False
        self.i = i + 1
        if not self.rest_is_comment():
            return False
        value = "".join(chars)
        if quote == "'":
            return value
        return self.expand(_unescape_double(value), start)

    def rest_is_comment(self) -> bool:
        text = self.text
        while self.i < len(text) and text[self.i] in _SPACE:
            self.i += 1
        if self.i >= len(text) or text[self.i] in "\n#":
            return True
        self.fail(self.i, "unexpected text after the closing quote",
                  "put the whole value inside the quotes; a comment needs a leading #")
        return False

    def expand(self, raw: str, index: int):
        """Interpolate with earlier variables of this file first, then the lookup."""
        if "$" not in raw:
            return raw

        def lookup(name: str):
            value = self.out.get(name)
            return self.lookup(name) if value is None else value

        try:
            return substitute(raw, lookup, self.loc(index), self.findings)
        except UserError as exc:
            self.errors.extend(exc.diagnostics)
            return False

    def set(self, key: str, value, location: Location) -> None:
        self.out.pop(key, None)  # a repeated key moves to its last position
        self.out[key] = value
        self.out.locs[key] = location


def _unescape_double(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c != "\\" or i + 1 >= len(value):
            out.append(c)
            i += 1
            continue
        nxt = value[i + 1]
        octal = _OCTAL.match(value, i + 1)
        if octal:
            out.append(chr(int(octal.group()[1:], 8)))
            i = octal.end()
        else:
            out.append(_DOUBLE_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
    return "".join(out)


def parse_dotenv(text: str, filename: str, lookup: Optional[Callable] = None,
                 findings: Optional[list] = None) -> dict:
    """Parse ``.env`` text into ``{name: value}`` (``None`` = ``VAR`` alone, inherit).

    The result is an :class:`LDict` whose ``.locs`` give each variable's file:line:column.
    Interpolation uses earlier variables of the same file first, then ``lookup``.
    Every invalid line is reported; raises one :class:`UserError` for them all.
    """
    parser = _Parser(text.replace("\r\n", "\n"), filename, lookup)
    parser.findings = findings
    result = parser.run()
    if parser.errors:
        raise UserError(parser.errors)
    return result


def parse_raw_env(text: str, filename: str) -> dict:
    """``format: raw``: each line ``VAR=value`` taken literally (no quotes, no ``$``).

    Blank lines and lines starting with ``#`` are skipped; a line without ``=`` is a
    variable to inherit (``None``).
    """
    out = LDict(at=Location(filename, 1, 1))
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        if not key:
            raise UserError.at(Location(filename, number, 1), "missing variable name before '='",
                               FORMAT_HINT)
        out[key] = value if sep else None
        out.locs[key] = Location(filename, number, 1, (key,))
    return out


def display_path(path: str, cwd: Optional[str] = None) -> str:
    """A path for messages: relative to ``cwd`` (default: the current directory) if shorter."""
    try:
        rel = os.path.relpath(path, cwd) if cwd else os.path.relpath(path)
    except ValueError:  # pragma: no cover - different drive on Windows
        return path
    return rel if len(rel) < len(path) else path


def read_text(path: str, name: str) -> str:
    """Read a UTF-8 text file; every I/O problem becomes a located :class:`UserError`
    (limits.py: regular files and pipes only, at most MAX_INPUT_BYTES)."""
    try:
        raw = limits.read_input_file(path, name, "env file")
    except FileNotFoundError:
        raise EnvFileNotFound(diagnostic(Location(name), "env file not found",
                                         "check the path, or create the file")) from None
    return limits.decode(raw, name, "save the env file as UTF-8")


def read_dotenv(path: str, lookup=None, display_name: Optional[str] = None,
                findings: Optional[list] = None, raw: bool = False) -> dict:
    """Read and parse an env file (``raw=True``: ``format: raw``, values taken literally)."""
    name = display_name or path
    text = read_text(path, name)
    if raw:
        return parse_raw_env(text, name)
    return parse_dotenv(text, name, lookup, findings)

