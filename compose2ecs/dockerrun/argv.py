"""Reading one `docker run` argument vector with pflag's rules, against the flag table.

``--flag=value`` and ``--flag value``; short flags glued to their value (``-p8080:80``,
``-e=FOO=bar``), combined (``-itd``) or ending in a value flag (``-itp 80:80``); boolean
flags with ``=true|false``; ``--`` ends the options; after the image every word belongs to
the container's command. The first unknown flag stops the command (docker stops there too:
it cannot know whether that flag takes a value).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import field
from typing import Callable, Optional

from ..compose.source import LDict, LList
from ..errors import Finding, Location, Severity, UserError, diagnostic
from .flags import FLAGS, Flag
from .handlers import FinishError, finish
from .text import Positions, Segment, Word
from .values import ServiceBuilder, Val
from ..records import record

_PFLAG_BOOLS = {"1": True, "t": True, "T": True, "true": True, "TRUE": True, "True": True,
                "0": False, "f": False, "F": False, "false": False, "FALSE": False,
                "False": False}
_IMAGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]*\Z")


@record
class RunCommand:
    """One converted command: its compose service name and dict, where it starts, and the
    info findings about it. ``volumes``/``networks`` are the top-level declarations it needs."""

    name: str
    service: LDict
    at: Location
    findings: tuple = ()
    container_name: Optional[str] = None
    volumes: LDict = field(default_factory=LDict)
    networks: LDict = field(default_factory=LDict)
    placeholders: tuple = ()  # (text, what it stands for, Location): see ServiceBuilder.placeholder


class Context:
    """Per-text state: source name, positions, the world (cwd, file reader), diagnostics."""

    def __init__(self, source: str, pos: Positions, cwd: str, read_file: Callable):
        self.source, self.pos, self.cwd, self.read_file = source, pos, cwd, read_file
        self.errors: list = []
        self.findings: list = []

    def loc(self, offset: int, index: int = -1, flag: str = "") -> Location:
        path = (f"docker run[{index}]", flag) if flag else \
            ((f"docker run[{index}]",) if index >= 0 else ())
        return self.pos.location(self.source, offset, path)

    def error(self, loc: Location, message: str, hint: str = "") -> None:
        self.errors.append(diagnostic(loc, message, hint))


def parse_one(seg: Segment, start: int, index: int, ctx: Context) -> Optional[RunCommand]:
    words = seg.words
    at = ctx.loc(words[0].start, index)
    svc = ServiceBuilder(at, index, ctx.read_file, ctx.cwd)
    before = len(ctx.errors)
    try:
        i = _options(words, start, svc, ctx)
    except _Stop:
        return None
    for redirect in seg.redirects:
        ctx.findings.append(Finding(Severity.INFO, ctx.loc(redirect.start, index),
                                    f"shell redirection `{redirect.text}` ignored"))
    if i >= len(words):
        if len(ctx.errors) > before:  # "-u needs a value" already says it all
            return None
        ctx.error(ctx.loc(words[-1].start + len(words[-1].text), index),
                  "no image: the command ends before the image name",
                  "put the image after the options, e.g. docker run -d nginx:1.27 (if the "
                  "line continues below, end it with \\)")
        return None
    _set_image(words[i], svc, ctx, index)
    _set_command(words[i + 1:], svc, ctx, index)
    try:
        finish(svc)
    except FinishError as exc:
        ctx.error(exc.loc, exc.message, exc.hint)
    if len(ctx.errors) > before:
        return None
    name = svc.container_name or _name_from_image(svc.doc.get("image", ""))
    return RunCommand(_sanitise(name), svc.doc, at, tuple(svc.findings), svc.container_name,
                      svc.top["volumes"], svc.top["networks"], tuple(svc.placeholders))


class _Stop(Exception):
    """An unknown flag: the rest of the line cannot be read reliably."""


def _options(words: list, i: int, svc: ServiceBuilder, ctx: Context) -> int:
    """Read flags from ``words[i]`` on; return the index of the image."""
    while i < len(words):
        text = words[i].text
        if text == "--":
            return i + 1
        if not text.startswith("-") or len(text) == 1:
            return i
        i = (_long_flag if text.startswith("--") else _short_flags)(words, i, svc, ctx)
    return i


def _check_problems(word: Word, ctx: Context, index: int) -> bool:
    """Where a value must be real (the image): every placeholder is an error."""
    for offset, message, hint, _ in word.problems:
        ctx.error(ctx.loc(offset, index), message, hint)
    return not word.problems


def _keep_placeholders(word: Word, ctx: Context, svc: ServiceBuilder, name: str) -> None:
    """A ``<placeholder>`` or ``$(command)`` pasted from documentation stays in the value, as
    visible as an EFS placeholder id: an info finding here, and deploy refuses it later."""
    for offset, _, _, text in word.problems:
        loc = ctx.loc(offset, svc.index, name)
        svc.placeholder(text, f"the {name} value at {loc.file}:{loc.line}:{loc.column}", loc)


def _placeholder_hint(word: Optional[Word]) -> str:
    texts = [p[3] for p in word.problems] if word is not None else []
    return f"; {', '.join(texts)} is a placeholder from documentation: replace it with a real value" \
        if texts else ""


def _long_flag(words: list, i: int, svc: ServiceBuilder, ctx: Context) -> int:
    word = words[i]
    name, sep, _ = word.text.partition("=")
    flag = FLAGS.get(name)
    if flag is None:
        loc = ctx.loc(word.start, svc.index, name)
        close = difflib.get_close_matches(name, [n for n in FLAGS if n.startswith("--")], n=1)
        ctx.error(loc, f"unknown flag {name}",
                  f"did you mean {close[0]}?" if close else "see docker run --help")
        raise _Stop()
    if sep:
        _apply(flag, name, Val(word, len(name) + 1, ctx.loc(word.offset(len(name) + 1),
                                                            svc.index, name)), svc, ctx)
        return i + 1
    if not flag.takes_value:
        _apply(flag, name, Val(None, 0, ctx.loc(word.start, svc.index, name)), svc, ctx)
        return i + 1
    return _next_word_value(words, i, flag, name, svc, ctx)


def _next_word_value(words, i, flag: Flag, name: str, svc, ctx) -> int:
    if i + 1 >= len(words):
        ctx.error(ctx.loc(words[i].start, svc.index, name), f"{name} needs a value",
                  f"give it as {name} VALUE or {name}=VALUE ({flag.kind})")
        return i + 1
    value = words[i + 1]
    _apply(flag, name, Val(value, 0, ctx.loc(value.start, svc.index, name)), svc, ctx)
    return i + 2


def _short_flags(words: list, i: int, svc: ServiceBuilder, ctx: Context) -> int:
    word = words[i]
    text = word.text
    for j in range(1, len(text)):
        name = "-" + text[j]
        flag = FLAGS.get(name)
        if flag is None:
            long = "-" + text if ("-" + text.partition("=")[0]) in FLAGS else ""
            ctx.error(ctx.loc(word.offset(j), svc.index, name),
                      f"unknown shorthand flag {text[j]!r} in {text}",
                      f"did you mean {long.partition('=')[0]}?" if long else
                      "see docker run --help; long flags start with two dashes")
            raise _Stop()
        rest = j + 1 + (1 if text[j + 1:j + 2] == "=" else 0)
        if not flag.takes_value:
            if text[j + 1:j + 2] == "=":
                _apply(flag, name, Val(word, rest, ctx.loc(word.offset(rest), svc.index, name)),
                       svc, ctx)
                return i + 1
            _apply(flag, name, Val(None, 0, ctx.loc(word.offset(j), svc.index, name)), svc, ctx)
            continue
        if rest < len(text):
            _apply(flag, name, Val(word, rest, ctx.loc(word.offset(rest), svc.index, name)),
                   svc, ctx)
            return i + 1
        return _next_word_value(words, i, flag, name, svc, ctx)
    return i + 1


def _apply(flag: Flag, name: str, val: Val, svc: ServiceBuilder, ctx: Context) -> None:
    """Run the table row; value errors become located diagnostics."""
    if not flag.takes_value and val.word is not None:
        if val.text not in _PFLAG_BOOLS:
            ctx.error(val.loc, f"{name} takes true or false, not {val.text!r}",
                      f"write {name} alone, or {name}=false")
            return
        val = Val(None, 0, val.loc, _PFLAG_BOOLS[val.text])
        if not val.flag and flag.kind == "info":
            return
    try:
        flag.apply(svc, val)
    except ValueError as exc:
        ctx.error(val.loc, f"invalid value for {name}: {exc}",
                  f"expected {flag.kind}{_placeholder_hint(val.word)}")
        return
    except UserError as exc:
        ctx.errors.extend(exc.diagnostics)
        return
    if val.word is not None:
        _keep_placeholders(val.word, ctx, svc, name)


def _set_image(word: Word, svc: ServiceBuilder, ctx: Context, index: int) -> None:
    loc = ctx.loc(word.start, index, "IMAGE")
    if not _check_problems(word, ctx, index):
        return
    val = Val(word, 0, loc)
    if not val.has_vars:
        repo = word.text.partition("@")[0]
        path = repo.split("/", 1)[1] if "/" in repo and re.search(r"[.:]|^localhost/",
                                                                   repo.split("/")[0] + "/") \
            else repo
        if not _IMAGE.match(word.text) or path.rsplit(":", 1)[0] != \
                path.rsplit(":", 1)[0].lower():
            ctx.error(loc, f"{word.text!r} is not an image reference",
                      "image names are lowercase, e.g. nginx, ghcr.io/org/app:1.2 "
                      "(is an option missing its leading dashes?)")
            return
    svc.doc["image"] = val.esc()
    svc.doc.locs["image"] = loc


def _set_command(args: list, svc: ServiceBuilder, ctx: Context, index: int) -> None:
    if not args:
        return
    loc = ctx.loc(args[0].start, index, "COMMAND")
    command = LList(at=loc)
    for arg in args:
        _keep_placeholders(arg, ctx, svc, "COMMAND")
        command.append_located(arg.escaped(), ctx.loc(arg.start, index, "COMMAND"))
    if args[0].text.startswith("-") and args[0].text[2:3] and args[0].text.lstrip("-") and \
            args[0].text.partition("=")[0] in FLAGS:
        svc.info(Val(None, 0, loc), f"{args[0].text} comes after the image, so docker passes "
                 "it to the container as its command", "move it before the image if it is "
                 "meant for docker")
    svc.doc["command"] = command
    svc.doc.locs["command"] = loc


def _name_from_image(image: str) -> str:
    """``ghcr.io/x/y:tag@sha256:…`` → ``y``; ``localhost:5000/img`` → ``img``."""
    ref = image.partition("@")[0]
    last = ref.rsplit("/", 1)[-1]
    return last.partition(":")[0] or last


def _sanitise(name: str) -> str:
    """A compose service name: lowercase ``^[a-z0-9][a-z0-9_.-]*$``."""
    out = re.sub(r"[^a-z0-9_.-]+", "-", name.lower())
    out = re.sub(r"^[^a-z0-9]+", "", out).rstrip("-")
    return out or "service"


