"""Phase 5: validate one compose document against the Compose Specification schema.

Three steps, cheapest first:

1. structural checks jsonschema would explain badly: an empty document, a document that
   is not a mapping, the legacy version-1 format (services at the top level);
2. a fast yes/no check (:mod:`.fastschema`); a valid document stops here;
3. for the services that failed (and the rest of the document), jsonschema's detailed
   errors, reduced and rendered in plain words by :mod:`.messages`, each located at
   file:line:column with its key path.

``validate_with_schema`` is the same machinery for any draft-7 schema, so the ``x-ecs``
extension's validator speaks with the same voice.
"""
from __future__ import annotations

import functools
import json
import re
from typing import Any, Optional

from .. import package_data
from ..errors import Finding, Location, Severity, UserError, diagnostic
from . import fastschema
from .messages import SERVICE_MARKERS, describe, join_words, leaves, plain_message, render
from .source import LDict, LList, Override, Reset

__all__ = ["validate_document", "validate_with_schema", "plain_message", "compose_schema"]

VERSION_INFO = "the top-level 'version' key is obsolete and ignored"


class _Checker:
    """A compiled schema: jsonschema for details, plus the fast predicate when possible."""

    def __init__(self, schema: dict):
        self.schema = schema
        self._validator = None
        self.fast = None
        self.services = None  # (regex, check) per services.patternProperties entry
        if _is_draft7(schema):
            try:
                self.fast = fastschema.compile_schema(schema)
                self.services = _service_checks(schema)
            except (fastschema.Unsupported, KeyError, TypeError, re.error):
                self.fast = self.services = None


    @property
    def validator(self):
        """jsonschema's validator, built on first use: a valid document never needs it, and
        importing jsonschema costs more than validating a typical project."""
        if self._validator is None:
            from jsonschema import Draft7Validator
            from jsonschema.validators import validator_for

            self._validator = validator_for(self.schema, default=Draft7Validator)(self.schema)
        return self._validator


def _is_draft7(schema: dict) -> bool:
    """What jsonschema's validator_for would pick Draft7Validator for (the fast path's draft)."""
    declared = schema.get("$schema", "") if isinstance(schema, dict) else ""
    return not declared or "draft-07" in declared


def _service_checks(schema: dict) -> Optional[list]:
    services = schema.get("properties", {}).get("services")
    if not isinstance(services, dict) or "patternProperties" not in services:
        return None
    return [(re.compile(p), fastschema.compile_schema(schema, sub))
            for p, sub in services["patternProperties"].items()]


@functools.lru_cache(maxsize=1)
def compose_schema() -> dict:
    """The vendored Compose Specification schema (package data, parsed once)."""
    return json.loads(package_data.read_text("schemas", "compose-spec.json"))


@functools.lru_cache(maxsize=1)
def _compose_checker() -> _Checker:
    return _Checker(compose_schema())


_CHECKERS: dict = {}  # id(schema) -> (schema, checker); the schema is kept so ids stay unique
_MAX_CHECKERS = 32  # callers that build a schema per call must not grow the cache forever


def _checker_for(schema: dict) -> _Checker:
    entry = _CHECKERS.get(id(schema))
    if entry is None or entry[0] is not schema:
        if len(_CHECKERS) >= _MAX_CHECKERS:
            _CHECKERS.clear()
        entry = _CHECKERS[id(schema)] = (schema, _Checker(schema))
    return entry[1]


# --- public API -------------------------------------------------------------------------

def validate_document(data: Any, filename: str) -> list:
    """Validate one interpolated compose document (LDict/LList values).

    Raises :class:`UserError` with every schema error of the document, most specific
    first. Returns non-fatal findings (the obsolete ``version`` key).
    """
    try:
        root = _unwrap(data)
        _check_structure(root, filename)
        doc = to_plain(root)
        checker = _compose_checker()
        if checker.fast is not None and checker.fast(doc):
            errors: list = []
        else:
            errors = _detailed(checker, _failing_services(checker, doc), root, (), filename)
        errors = _merge(errors, _service_value_rules(root, doc, filename))
    except RecursionError:
        raise UserError.at(Location(filename), "the document is nested too deeply",
                           "check for runaway indentation") from None
    if errors:
        raise UserError(errors)
    if "version" in root:
        return [Finding(Severity.INFO, _locate(root, ("version",), (), filename),
                        VERSION_INFO, "remove it; Compose uses the latest format")]
    return []


def validate_with_schema(schema: dict, data: Any, root_path: tuple, filename: str) -> list:
    """Validate ``data`` (found at ``root_path`` of ``filename``) against ``schema``.

    Returns error findings (never raises for invalid data), most specific first, located
    and worded like compose-spec errors.
    """
    try:
        checker = _checker_for(schema)
        data = _unwrap(data)
        doc = to_plain(data)
        if checker.fast is not None and checker.fast(doc):
            return []
        return _detailed(checker, doc, data, tuple(root_path), filename)
    except RecursionError:
        return [diagnostic(Location(filename).with_path(tuple(root_path)),
                           "the value is nested too deeply")]


# --- structure checks before the schema -------------------------------------------------

def _check_structure(root: Any, filename: str) -> None:
    where = _locate(root, (), (), filename)
    if root is None or (isinstance(root, dict) and not root):
        raise UserError.at(where, "the compose file is empty",
                           "define your services under a top-level 'services:' key")
    if not isinstance(root, dict):
        raise UserError.at(where, "a compose file must be a mapping of top-level keys "
                                  f"(services:, networks:, volumes:, ...), not {describe(root)}",
                           "start the file with 'services:'")
    legacy = _legacy_services(root)
    if legacy:
        names = join_words([repr(key_text(k)) for k in legacy], "and")
        what = "looks like a service" if len(legacy) == 1 else "look like services"
        raise UserError.at(
            _key_location(root, (), legacy[0], where),
            f"this is the legacy Compose file format (version 1): {names} {what} "
            "defined at the top level",
            "move the services under a top-level 'services:' key")


def _legacy_services(root: dict) -> list:
    """Top-level keys that look like services in a file without ``services:``."""
    if "services" in root:
        return []
    known = compose_schema().get("properties", {})
    return [k for k, v in root.items()
            if k not in known and not str(k).startswith("x-")
            and isinstance(_unwrap(v), dict) and any(m in _unwrap(v) for m in SERVICE_MARKERS)]


# --- rules the spec states in words but its schema leaves open -------------------------

# Service values the spec text enumerates while the JSON schema accepts any string; the
# engine would reject the others at deploy time, so say it at load time. An empty string
# (e.g. an unset ${VAR}) means "not set", as it does for the engine.
SERVICE_VALUE_RULES = {
    "restart": (re.compile(r"(|no|always|unless-stopped|on-failure(:[0-9]+)?)\Z"),
                "must be one of: no, always, on-failure, on-failure:<max retries>, "
                "unless-stopped"),
}


def _service_value_rules(root: Any, doc: dict, filename: str) -> list:
    services = doc.get("services")
    found: list = []
    for name, body in services.items() if isinstance(services, dict) else ():
        for key, (rule, words) in SERVICE_VALUE_RULES.items():
            value = body.get(key) if isinstance(body, dict) else None
            if isinstance(value, str) and not rule.match(value):
                where = _locate(root, ("services", name, key), (), filename)
                found.append(diagnostic(where, f"{words}, not {value!r}"))
    return found


def _merge(*groups: list) -> list:
    unique = {(f.location, f.message): f for group in groups for f in group}
    return sorted(unique.values(), key=_most_specific_first)


# --- detailed errors --------------------------------------------------------------------

def _failing_services(checker: _Checker, doc: dict) -> dict:
    """``doc`` with only the services that fail the fast check: jsonschema is slow."""
    services = doc.get("services")
    if checker.services is None or not isinstance(services, dict):
        return doc
    failing = {}
    for name, body in services.items():
        matched = [check for rx, check in checker.services if rx.search(name)]
        if not matched or not all(check(body) for check in matched):
            failing[name] = body
    return {**doc, "services": failing}


def _detailed(checker: _Checker, doc: Any, original: Any, root_path: tuple,
              filename: str) -> list:
    found = [leaf for err in checker.validator.iter_errors(doc) for leaf in leaves(err)]
    findings = []
    for leaf in _drop_shadowed(found):
        for msg in render(leaf, root_path):
            where = _locate(original, msg.path, root_path, filename)
            if msg.key is not None:
                where = _key_location(original, msg.path, msg.key, where)
            findings.append(diagnostic(where, msg.text, msg.hint))
    return _merge(findings)


def _drop_shadowed(errors: list) -> list:
    """Where a value has the wrong type, its enum/pattern errors are noise: keep the type one."""
    typed = {tuple(e.absolute_path) for e in errors if e.validator in ("type", "oneOf", "anyOf")}
    return [e for e in errors if e.validator in ("type", "oneOf", "anyOf")
            or tuple(e.absolute_path) not in typed]


def _most_specific_first(finding: Finding) -> tuple:
    loc = finding.location
    return (-len(loc.key_path), loc.line, loc.column, str(loc.key_path), finding.message)


# --- plain copies and locations ---------------------------------------------------------

def _unwrap(value: Any) -> Any:
    while isinstance(value, (Reset, Override)):
        value = value.value
    return value


def _absent(value: Any) -> bool:
    """``!reset null`` / ``!reset []`` clear a key: the schema should not see it at all."""
    return isinstance(value, Reset) and _unwrap(value) in (None, [], {})


def key_text(key: Any) -> str:
    """A mapping key as the schema sees it (YAML may give ints, booleans, null)."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def to_plain(value: Any) -> Any:
    """JSON-like copy for the schema: wrappers unwrapped, cleared keys dropped, keys strings."""
    value = _unwrap(value)
    if isinstance(value, dict):
        return {key_text(k): to_plain(v) for k, v in value.items() if not _absent(v)}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    return value


def _child(node: Any, part: Any):
    """(found, child, location-or-None) for one step of a key path."""
    if isinstance(node, dict):
        key = part if part in node else next((k for k in node if key_text(k) == part), _MISSING)
        if key is _MISSING:
            return False, None, None
        return True, node[key], node.loc(key) if isinstance(node, LDict) else None
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return True, node[part], node.loc(part) if isinstance(node, LList) else None
    return False, None, None


_MISSING = object()


def _key_location(data: Any, path: tuple, key: str, parent: Location) -> Location:
    """Where the key ``key`` of the mapping at ``path`` is written (best effort).

    LDict records where each *value* starts. A block mapping's keys all start in the
    mapping's own column, so the key is at (value's line, mapping's column) - except for a
    block collection value, which starts on the line after its key, indented by the
    usual two columns.
    """
    value = _locate(data, path + (key,), (), parent.file)
    if not value.line or value.line < parent.line:
        return parent
    line = value.line
    node = _child(_unwrap(_walk(data, path)), key)[1]
    if isinstance(_unwrap(node), (dict, list)) and _unwrap(node) \
            and line > parent.line and value.column <= parent.column + 2:
        line -= 1
    return Location(parent.file, line, parent.column, parent.key_path)


def _walk(data: Any, path: tuple) -> Any:
    for part in path:
        data = _child(_unwrap(data), part)[1]
    return data


def _locate(data: Any, path: tuple, root_path: tuple, filename: str) -> Location:
    """The deepest known position along ``path`` inside ``data``, labelled with the full path."""
    best = getattr(data, "at", None)
    node = data
    for part in path:
        found, node, loc = _child(_unwrap(node), part)
        if not found:
            break
        if loc is not None and (loc.line or best is None):
            best = loc
        at = getattr(_unwrap(node), "at", None)
        if at is not None and at.line and loc is None:
            best = at
    best = best or Location()
    return Location(best.file or filename, best.line, best.column,
                    tuple(root_path) + tuple(path))
