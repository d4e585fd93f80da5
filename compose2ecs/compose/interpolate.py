"""Phase 4: ``${VAR}`` interpolation in compose values (compose-spec ``12-interpolation.md``).

A template is parsed into literal text and variable references first, so a syntax error
(``${VAR/x/y}``, an unclosed ``${``) is reported even when the variable is set, and then
evaluated lazily: a default is only expanded when it is used, so an unset variable inside
an unused default does not warn. Semantics follow compose-go ``template/template.go``:

* ``$VAR`` ``${VAR}``; ``${VAR:-d}`` (unset or empty) ``${VAR-d}`` (unset);
  ``${VAR:?msg}`` ``${VAR?msg}`` (error); ``${VAR:+alt}`` ``${VAR+alt}`` (alternative);
  arguments nest (``${A:-${B:-c}}``) and may hold ``:`` ``/`` ``{}``.
* ``$$`` is a literal ``$``. A ``$`` followed by neither a name nor ``{`` is kept as is
  (the spec's wording); Docker Compose rejects it, so we say so in an info finding.
* Unset without a default: empty string plus an info finding.

After substitution, compose-go casts strings at a few schema paths to numbers/booleans
(``loader/interpolate.go``); see :data:`CASTS`.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Callable, Optional

from ..errors import Finding, Location, Severity, UserError
from . import limits
from .source import LDict, LList, Override, Reset
from ..records import record

Lookup = Callable[[str], Optional[str]]

_NAME = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")
# Longest first: ":-" must win over "-" when both could match at the same place.
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")
SYNTAX_HINT = ("use $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, "
               "${VAR:+alternative}; write $$ for a literal $")


class TemplateSyntaxError(ValueError):
    """A ``${...}`` the compose grammar does not allow."""


class MissingVariable(ValueError):
    """``${VAR:?msg}`` / ``${VAR?msg}`` with the variable missing."""

    def __init__(self, name: str, message: str):
        self.name = name
        self.message = message
        text = f"required variable {name} is missing a value"
        super().__init__(f"{text}: {message}" if message else text)


@record
class _Var:
    name: str
    op: str = ""  # "" for $VAR / ${VAR}
    arg: tuple = ()  # parsed template of the default / message / alternative


def as_lookup(lookup) -> Lookup:
    """Accept a lookup function, a mapping, or None (nothing is set)."""
    if lookup is None:
        return lambda _name: None
    if isinstance(lookup, Mapping):
        return lookup.get
    return lookup


# --------------------------------------------------------------------------- parsing
def parse_template(text: str) -> tuple:
    """Parse ``text`` into a tuple of literal strings and :class:`_Var` nodes."""
    return _parse(text, 0, nested=False, lone=[])[0]


def _parse(text: str, i: int, nested: bool, lone: list, level: int = 0):
    """Parse until the end (or, nested, the ``}`` closing the enclosing ``${``).

    Returns (nodes, index of the end). A lone ``$`` appends its index to ``lone``.
    ``level`` counts the enclosing ``${`` (limits.MAX_INTERPOLATION_NESTING).
    """
    nodes: list = []
    buf: list = []
    depth = 0  # literal braces inside a default, e.g. ${A:-{"k": 1}}
    while i < len(text):
        c = text[i]
        if nested and c in "{}":
            if c == "}" and depth == 0:
                break
            depth += 1 if c == "{" else -1
        if c != "$" or text[i + 1:i + 2] == "$":
            buf.append(c)
            i += 2 if c == "$" else 1  # "$$" is one literal "$"
            continue
        var, i = _parse_reference(text, i, lone, level)
        if var is None:
            buf.append("$")
            continue
        if buf:
            nodes.append("".join(buf))
            buf = []
        nodes.append(var)
    else:
        if nested:
            raise TemplateSyntaxError("unclosed ${")
    if buf:
        nodes.append("".join(buf))
    return tuple(nodes), i


def _parse_reference(text: str, start: int, lone: list, level: int = 0):
    """``$NAME`` or ``${...}`` at ``start``; (None, start + 1) for a lone ``$``."""
    if text[start + 1:start + 2] == "{":
        if level >= limits.MAX_INTERPOLATION_NESTING:
            raise TemplateSyntaxError(f"more than {limits.MAX_INTERPOLATION_NESTING} "
                                      "${...} nested inside each other")
        return _parse_braced(text, start, lone, level + 1)
    match = _NAME.match(text, start + 1)
    if not match:
        lone.append(start)
        return None, start + 1
    return _Var(match.group()), match.end()


def _parse_braced(text: str, start: int, lone: list, level: int = 1):
    """Parse ``${...}`` starting at the ``$``; return the node and the index after ``}``."""
    match = _NAME.match(text, start + 2)
    if not match:
        raise TemplateSyntaxError(f"{_excerpt(text, start)} does not start with a variable name")
    j = match.end()
    if text[j:j + 1] == "}":
        return _Var(match.group()), j + 1
    for op in _OPERATORS:
        if text.startswith(op, j):
            arg, end = _parse(text, j + len(op), True, lone, level)
            return _Var(match.group(), op, arg), end + 1
    if j >= len(text):
        raise TemplateSyntaxError("unclosed ${")
    raise TemplateSyntaxError(
        f"{_excerpt(text, start)} uses {text[j]!r} after the name; only "
        "}, :-, -, :?, ?, :+ and + are allowed there (no shell expansions)")


def _excerpt(text: str, start: int) -> str:
    end = text.find("}", start)
    piece = text[start:end + 1] if end >= 0 else text[start:]
    return piece if len(piece) <= 40 else piece[:37] + "..."


# ------------------------------------------------------------------------ evaluation
def _evaluate(nodes: tuple, lookup: Lookup, unset: list) -> str:
    out = []
    for node in nodes:
        out.append(node if isinstance(node, str) else _evaluate_var(node, lookup, unset))
    return "".join(out)


def _evaluate_var(var: _Var, lookup: Lookup, unset: list) -> str:
    value = lookup(var.name)
    if value is not None and not isinstance(value, str):
        value = str(value)  # a mapping lookup may hold numbers
    op = var.op
    if not op:
        if value is None:
            unset.append(var.name)
            return ""
        return value
    empty = value is None or value == ""
    missing = empty if op.startswith(":") else value is None
    if op in (":-", "-"):
        return _evaluate(var.arg, lookup, unset) if missing else value
    if op in (":?", "?"):
        if missing:
            raise MissingVariable(var.name, _evaluate(var.arg, lookup, unset))
        return value
    # ":+" / "+": the alternative when set (and non-empty for ":+"), else the value itself
    if missing:
        return value or ""
    return _evaluate(var.arg, lookup, unset)


def substitute(text: str, lookup, location: Location, findings: Optional[list] = None) -> str:
    """Interpolate one string. Errors raise :class:`UserError` at ``location``.

    Unset variables without a default become empty strings; a warning finding per
    variable is appended to ``findings`` when given.
    """
    lookup = as_lookup(lookup)
    try:
        lone: list = []
        nodes, _end = _parse(text, 0, False, lone)
        unset: list = []
        result = _evaluate(nodes, lookup, unset)
    except TemplateSyntaxError as exc:
        raise UserError.at(location, f"invalid interpolation in {_quote(text)}: {exc}",
                           SYNTAX_HINT) from None
    except MissingVariable as exc:
        hint = f"set {exc.name} in the environment or in the .env file"
        raise UserError.at(location, str(exc), hint) from None
    if findings is not None:
        _report(findings, location, unset, bool(lone))
    return result


def _report(findings: list, location: Location, unset: list, lone: bool) -> None:
    for name in dict.fromkeys(unset):
        findings.append(Finding(  # a warning, as in Docker Compose; --strict counts it
            Severity.WARNING, location, f"variable {name} is not set; using an empty string",
            f"set {name} in the environment or the .env file, or write ${{{name}:-default}}"))
    if lone:
        findings.append(Finding(
            Severity.INFO, location, "a '$' not followed by a variable name is kept as is",
            "Docker Compose rejects this; write $$ for a literal $"))


def _quote(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


# ------------------------------------------------------------------- documents + casts
def interpolate(data, lookup, findings: Optional[list] = None):
    """Interpolate every string value (never a key) of a located document.

    Returns new LDict/LList values carrying the same locations; Reset/Override wrappers
    are kept. All errors of the document are raised together as one :class:`UserError`.
    Strings at the paths of :data:`CASTS` are then turned into numbers/booleans when
    they parse cleanly (anything else is left for the schema validator to report).
    """
    local: list = []
    walker = _Walker(as_lookup(lookup), local)
    result = walker.walk(data, (), getattr(data, "at", Location()))
    if walker.errors:
        raise UserError(sorted(walker.errors, key=Finding.sort_key))
    if findings is not None:
        findings.extend(_once_per_message(local))
    return result


def _once_per_message(findings: list) -> list:
    """One finding per unset variable (a big file uses one variable in dozens of places):
    the first place is shown, the others counted."""
    first: dict = {}
    counts: dict = {}
    for finding in findings:
        first.setdefault(finding.message, finding)
        counts[finding.message] = counts.get(finding.message, 0) + 1
    out = []
    for message, finding in first.items():
        extra = counts[message] - 1
        if extra:
            finding = Finding(finding.severity, finding.location,
                              f"{message} (and in {extra} more place{'s' if extra > 1 else ''})",
                              finding.hint, finding.service)
        out.append(finding)
    return out


class _Walker:
    def __init__(self, lookup: Lookup, findings: Optional[list]):
        self.lookup = lookup
        self.findings = findings
        self.errors: list = []

    def walk(self, value, path: tuple, location: Location, tries: Optional[tuple] = None):
        """``tries``: the cast-trie nodes matching ``path`` so far, in the order
        :func:`caster_for` would try them (followed along instead of looked up per string)."""
        if tries is None:
            tries = (_CAST_TRIE,)
            for key in path:
                tries = _descend(tries, key)
        if isinstance(value, str):
            return self.string(value, path, location, tries)
        if isinstance(value, (Reset, Override)):
            return type(value)(self.walk(value.value, path, location, tries))
        if isinstance(value, dict):
            at = getattr(value, "at", location)
            locs = getattr(value, "locs", None)
            out = LDict(at=at, locs=locs)
            if not isinstance(value, LDict):
                locs = {}
            for key, item in value.items():
                out[key] = self.walk(item, path + (key,), locs.get(key, at),
                                     _descend(tries, key))
            return out
        if isinstance(value, list):
            at = getattr(value, "at", location)
            locs = value.locs if isinstance(value, LList) else [at] * len(value)
            return LList([self.walk(item, path + (i,), locs[i] if i < len(locs) else at,
                                    _descend(tries, i))
                          for i, item in enumerate(value)], at, locs)
        return value

    def string(self, value: str, path: tuple, location: Location, tries=None):
        where = location if location.key_path else location.with_path(path)
        if "$" in value:
            try:
                value = substitute(value, self.lookup, where, self.findings)
            except UserError as exc:
                self.errors.extend(exc.diagnostics)
                return value
        caster = caster_for(path) if tries is None else _first_cast(tries)
        return caster(value, where, self.findings) if caster else value


def _to_int(text: str, location: Location, findings):
    return int(text) if re.fullmatch(r"[-+]?[0-9]+", text) else text


_FLOAT = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")


def _to_float(text: str, location: Location, findings):
    return float(text) if _FLOAT.fullmatch(text) else text


# compose-go accepts the YAML 1.1 spellings here, with a warning.
_BOOLS = {"true": True, "false": False}
_OLD_BOOLS = {"y": True, "yes": True, "on": True, "n": False, "no": False, "off": False}


def _to_bool(text: str, location: Location, findings):
    lowered = text.lower()
    if lowered in _BOOLS:
        return _BOOLS[lowered]
    if lowered in _OLD_BOOLS:
        if findings is not None:
            findings.append(Finding(Severity.INFO, location,
                                    f"{text!r} read as a boolean; YAML 1.2 only knows true/false",
                                    f"write {str(_OLD_BOOLS[lowered]).lower()}"))
        return _OLD_BOOLS[lowered]
    return text


_S = ("services", "*")
# compose-go v2 loader/interpolate.go interpolateTypeCastMapping. "*" = any mapping key,
# "[]" = any list index. Paths where the schema also takes strings (sizes, durations,
# published ports) are not cast, as in compose-go v2.
CASTS: dict = {
    _S + ("configs", "[]", "mode"): _to_int,
    _S + ("cpu_count",): _to_int,
    _S + ("cpu_percent",): _to_float,
    _S + ("cpu_period",): _to_int,
    _S + ("cpu_quota",): _to_int,
    _S + ("cpu_rt_period",): _to_int,
    _S + ("cpu_rt_runtime",): _to_int,
    _S + ("cpus",): _to_float,
    _S + ("cpu_shares",): _to_int,
    _S + ("init",): _to_bool,
    _S + ("deploy", "replicas"): _to_int,
    _S + ("deploy", "update_config", "parallelism"): _to_int,
    _S + ("deploy", "update_config", "max_failure_ratio"): _to_float,
    _S + ("deploy", "rollback_config", "parallelism"): _to_int,
    _S + ("deploy", "rollback_config", "max_failure_ratio"): _to_float,
    _S + ("deploy", "restart_policy", "max_attempts"): _to_int,
    _S + ("deploy", "placement", "max_replicas_per_node"): _to_int,
    _S + ("healthcheck", "retries"): _to_int,
    _S + ("healthcheck", "disable"): _to_bool,
    _S + ("oom_kill_disable",): _to_bool,
    _S + ("oom_score_adj",): _to_int,
    _S + ("pids_limit",): _to_int,
    _S + ("ports", "[]", "target"): _to_int,
    _S + ("privileged",): _to_bool,
    _S + ("read_only",): _to_bool,
    _S + ("scale",): _to_int,
    _S + ("secrets", "[]", "mode"): _to_int,
    _S + ("stdin_open",): _to_bool,
    _S + ("tty",): _to_bool,
    _S + ("ulimits", "*"): _to_int,
    _S + ("ulimits", "*", "hard"): _to_int,
    _S + ("ulimits", "*", "soft"): _to_int,
    _S + ("volumes", "[]", "read_only"): _to_bool,
    _S + ("volumes", "[]", "volume", "nocopy"): _to_bool,
    ("networks", "*", "external"): _to_bool,
    ("networks", "*", "internal"): _to_bool,
    ("networks", "*", "attachable"): _to_bool,
    ("networks", "*", "enable_ipv6"): _to_bool,
    ("volumes", "*", "external"): _to_bool,
    ("secrets", "*", "external"): _to_bool,
    ("configs", "*", "external"): _to_bool,
}
def _build_trie(table: dict) -> dict:
    """Patterns as a trie: a lookup costs one dict step per path part instead of a scan of
    every pattern (it runs for every string of the document)."""
    trie: dict = {}
    for pattern, cast in table.items():
        node = trie
        for part in pattern:
            node = node.setdefault(part, {})
        node[None] = cast
    return trie


_CAST_TRIE = _build_trie(CASTS)


def _descend(tries: tuple, key) -> tuple:
    """The trie nodes one level down, kept in :func:`_lookup`'s search order."""
    if not tries:
        return tries
    branches = ("[]",) if isinstance(key, int) else (key, "*")
    return tuple(child for node in tries for branch in branches
                 if (child := node.get(branch)) is not None)


def _first_cast(tries: tuple):
    for node in tries:
        cast = node.get(None)
        if cast is not None:
            return cast
    return None


def caster_for(path: tuple):
    """The cast function for a document path, or None."""
    return _lookup(_CAST_TRIE, path, 0)


def _lookup(node: dict, path: tuple, i: int):
    if i == len(path):
        return node.get(None)
    key = path[i]
    branches = ("[]",) if isinstance(key, int) else (key, "*")
    for branch in branches:
        child = node.get(branch)
        if child is not None:
            found = _lookup(child, path, i + 1)
            if found is not None:
                return found
    return None


