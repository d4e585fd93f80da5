"""Limits on hostile input, and the one way every input file is read.

Every file the tool reads (compose files, ``include``, ``extends``, ``env_file``,
``--env-file``, ``--docker-run-file``, a ``docker run --env-file``) and standard input go
through :func:`read_input_file` / :func:`read_stream` so the same rules hold everywhere
(docs/pipeline.md "Limits"):

* only regular files and pipes (FIFOs: ``-f /dev/stdin`` on a pipe, ``<(...)``) are read; a
  character device such as ``/dev/zero``, a socket or a block device is refused before a
  byte is read, so nothing can hang on an endless source;
* at most :data:`MAX_INPUT_BYTES` are read from any one file or stream;
* the bytes must be UTF-8 (a BOM is allowed); the error names the line and column of the
  first bad byte.

The YAML limits (alias expansion, nesting) are enforced in ``source.py``; the nesting of
``${...}`` defaults in ``interpolate.py``. The numbers live here so the docs have one place.
"""
from __future__ import annotations

import os
import stat
from typing import Callable, Optional

from ..errors import Location, UserError, diagnostic
from ..readlog import note_read

MAX_INPUT_BYTES = 16 * 1024 * 1024  # per file or stream; real compose files are < 1 MiB
MAX_NESTING = 100  # YAML mappings/sequences inside each other (real files: < 15)
MAX_INTERPOLATION_NESTING = 50  # ${A:-${B:-...}} levels

# YAML alias expansion, as go-yaml v3 (Docker Compose's YAML library) bounds it: once more
# than 100 values were built from aliases and more than 1000 values in all, the share built
# from aliases may not exceed 99% up to 400,000 values, falling linearly to 10% at 4,000,000.
ALIAS_RATIO_LOW, ALIAS_RATIO_HIGH = 400_000, 4_000_000
MAX_VALUES = 4_000_000  # values in one document, aliases expanded (go-yaml has no such cap)

_KINDS = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def allowed_alias_ratio(values: int) -> float:
    """go-yaml v3 ``allowedAliasRatio``: the share of values that may come from aliases."""
    if values <= ALIAS_RATIO_LOW:
        return 0.99
    if values >= ALIAS_RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * (values - ALIAS_RATIO_LOW) / (ALIAS_RATIO_HIGH - ALIAS_RATIO_LOW)


def too_many_aliases(values: int, aliased: int) -> bool:
    """True when ``aliased`` of ``values`` built values is excessive aliasing (go-yaml's rule)."""
    return aliased > 100 and values > 1000 and aliased / values > allowed_alias_ratio(values)


def file_kind_problem(mode: int) -> Optional[str]:
    """Why a file of this ``st_mode`` is not read (None: a regular file or a pipe)."""
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return None


def read_input_file(path: str, name: str, what: str = "file") -> bytes:
    """The bytes of ``path`` (a regular file or a pipe, at most MAX_INPUT_BYTES).

    Raises ``FileNotFoundError`` (callers word "not found" for their kind of file) and
    :class:`UserError` located at ``name`` for everything else.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise UserError.at(Location(name), f"is a directory, not {_article(what)}") from None
    except OSError as exc:
        raise UserError.at(Location(name), f"cannot read {what}: {exc.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise UserError.at(Location(name), f"is a directory, not {_article(what)}")
        kind = file_kind_problem(mode)
        if kind:
            raise UserError.at(Location(name), f"is {kind}, not a regular file",
                               f"give the path of {_article(what)}; only regular files and pipes are read")
        with os.fdopen(os.dup(fd), "rb") as fh:
            raw = fh.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise UserError.at(Location(name), f"cannot read {what}: {exc.strerror}") from None
    finally:
        os.close(fd)
    note_read(path)  # an output of this run must never overwrite it (output.py)
    return check_size(raw, name)


def read_stream(stream, name: str) -> str:
    """Standard input as text: bytes from ``stream.buffer`` when there is one (so non-UTF-8
    input is reported, not smuggled through as surrogates), at most MAX_INPUT_BYTES."""
    if stream is None:
        return ""
    binary = getattr(stream, "buffer", None)
    if binary is not None:
        return decode(check_size(binary.read(MAX_INPUT_BYTES + 1), name), name)
    text = stream.read(MAX_INPUT_BYTES + 1)
    if isinstance(text, bytes):
        return decode(check_size(text, name), name)
    check_size(text, name)
    return check_text(text, Location(name, 1, 1))


def check_size(data, name: str):
    if len(data) > MAX_INPUT_BYTES:
        cap = _size(MAX_INPUT_BYTES)
        raise UserError.at(Location(name), f"is larger than {cap}",
                           f"compose2ecs reads at most {cap} from one file or stream; "
                           "check that this is the file you meant")
    return data


def _size(count: int) -> str:
    return f"{count // 1048576} MiB" if count % 1048576 == 0 else f"{count // 1024} KiB"


def decode(raw: bytes, name: str, hint: str = "save the file as UTF-8") -> str:
    """UTF-8 (optional BOM) → str; a bad byte is a located error (line, column in bytes)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start:exc.start + 1].hex()
        raise UserError(diagnostic(Location(name, line, column),
                                   f"not UTF-8 text (byte 0x{byte} at offset {exc.start})", hint)) from None


def check_text(text: str, at: Location, hint: str = "give the text as UTF-8") -> str:
    """A str that came from bytes decoded with ``surrogateescape`` (argv, a text stdin):
    a lone surrogate is a byte that was not UTF-8 — an error located at its character."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        before = text[:exc.start]
        line = before.count("\n")
        column = exc.start - (before.rfind("\n") + 1) + 1 if line else (at.column or 1) + exc.start
        byte = text[exc.start]
        shown = f"0x{ord(byte) - 0xDC00:02x}" if 0xDC80 <= ord(byte) <= 0xDCFF else repr(byte)
        raise UserError(diagnostic(Location(at.file, at.line + line, column, at.key_path),
                                   f"not UTF-8 text (byte {shown})", hint)) from None
    return text


def text_lookup(lookup: Callable) -> Callable:
    """Wrap a variable lookup: a value that is not UTF-8 text (an OS environment variable
    holding other bytes, kept by Python as surrogates) is an error naming the variable
    when it is used, instead of a lone surrogate in the output."""
    def checked(name: str):
        value = lookup(name)
        if isinstance(value, str) and not value.isascii():
            check_text(value, Location(f"environment variable {name}"),
                       f"set {name} to UTF-8 text")
        return value
    return checked


def _article(what: str) -> str:
    return f"an {what}" if what[:1] in "aeiou" else f"a {what}"
