"""Schema errors in plain words (the rendering half of the validate phase).

jsonschema's own messages ("{'a': 1} is not valid under any of the given schemas") describe
the schema, not the user's mistake. Here each error is first reduced to the alternative the
user most likely meant (``oneOf``/``anyOf``: the branch whose shape matches the value, as
compose-go's ``schema.go`` does), then rendered from a table keyed by the failing keyword.
Each :class:`Message` carries the key path it is about, relative to the validated root, so
the caller can attach a file:line:column.
"""
from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any


from ..errors import format_key_path
from .fastschema import freeze
from ..records import record

if TYPE_CHECKING:  # jsonschema is imported only when a document is invalid
    from jsonschema.exceptions import ValidationError


@record(slots=False)
class Message:
    """One rendered problem: ``path`` is relative to the validated root.

    ``key`` is set when the problem is a key of the mapping at ``path`` (an unknown key, a
    bad name): the caller then points at that key's line.
    """

    path: tuple
    text: str
    hint: str = ""
    key: Any = None


# Type names in the words a compose user knows (YAML, not JSON).
TYPE_WORDS = {"string": "a string", "number": "a number", "integer": "a whole number",
              "boolean": "true or false", "object": "a mapping", "array": "a list",
              "null": "empty"}

# Patterns of the schema, said in words. Unknown patterns fall back to the regex itself.
PATTERN_WORDS = {
    "^[a-zA-Z0-9._-]+$": "only letters, digits, '.', '_' and '-' are allowed",
    "[a-zA-Z0-9][a-zA-Z0-9_.-]+": "must start with a letter or digit and be at least two "
                                  "characters of letters, digits, '_', '.' or '-'",
    "always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+":
        "must be one of: always, never, missing, build, if_not_present, refresh, daily, "
        "weekly, every_<duration> (e.g. every_12h)",
    "^[a-z]+$": "only lower-case letters are allowed",
    "^x-": "must start with 'x-'",
}

# Service keys of the version 1/2 file formats that the Compose Specification removed.
LEGACY_SERVICE_KEYS = {
    "net": "use 'network_mode' instead, e.g. network_mode: host",
    "log_driver": "use 'logging: {driver: ...}' instead",
    "log_opt": "use 'logging: {options: ...}' instead",
    "volume_driver": "set 'driver' on the named volume under the top-level 'volumes:' instead",
    "dockerfile": "use 'build: {context: ., dockerfile: ...}' instead",
}

# What the entries of a name-keyed mapping are called, by the parent key.
NAME_KINDS = {"services": "service name", "volumes": "volume name", "networks": "network name",
              "secrets": "secret name", "configs": "config name", "models": "model name"}

SERVICE_MARKERS = ("image", "build", "extends")


def join_words(words: list, conjunction: str = "or") -> str:
    """``['a', 'b', 'c']`` → ``'a, b or c'``."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def describe(value: Any) -> str:
    """What a value is, for the 'not …' tail of a message."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    for kind, words in ((dict, "a mapping"), (list, "a list"), (str, "a string")):
        if isinstance(value, kind):
            return words
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return type(value).__name__


def show(value: Any) -> str:
    """A scalar as the user wrote it: strings quoted, booleans lower-case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (int, float)):
        return str(value)
    return describe(value)


def type_words(names) -> str:
    """``['string', 'array']`` → ``'a string or a list'`` (``null`` dropped when others exist)."""
    names = [names] if isinstance(names, str) else list(dict.fromkeys(names))
    if len(names) > 1 and "null" in names:
        names.remove("null")
    if "number" in names and "integer" in names:
        names.remove("integer")
    words = [TYPE_WORDS.get(n, n) for n in names]
    if len(words) > 1:
        words = ["a boolean" if w == "true or false" else w for w in words]
    return join_words(words)


def _not(value) -> str:
    return ", but it is empty" if value is None else f", not {describe(value)}"


# --- reducing oneOf/anyOf to the branch the user meant ---------------------------------

def _shape_mismatch(err: ValidationError) -> bool:
    """True when ``err`` says the value itself has the wrong type (not something inside)."""
    if err.relative_path:
        return False
    if err.validator == "type":
        return True
    if err.validator in ("oneOf", "anyOf") and err.context:
        return not _fitting(err)  # a nested alternative none of whose branches fits
    return False


def _branches(err: ValidationError) -> dict:
    out: dict = {}
    for sub in err.context:
        out.setdefault(sub.relative_schema_path[0], []).append(sub)
    return out


def _fitting(err: ValidationError) -> list:
    return [errs for errs in _branches(err).values()
            if not any(_shape_mismatch(e) for e in errs)]


def expected_types(err: ValidationError) -> list:
    """Every type the alternatives of a oneOf/anyOf accept, in schema order."""
    out: list = []
    for sub in err.context:
        if sub.relative_path:
            continue
        if sub.validator == "type":
            vals = sub.validator_value
            out.extend([vals] if isinstance(vals, str) else vals)
        elif sub.validator in ("oneOf", "anyOf"):
            out.extend(expected_types(sub))
    return list(dict.fromkeys(out))


def _specificity(errs: list) -> tuple:
    deepest = max(len(e.relative_path) for e in errs)
    return (deepest, -len(errs))


def leaves(err: ValidationError) -> list:
    """The errors worth showing for ``err``: oneOf/anyOf reduced to the best-fitting branch."""
    if err.validator not in ("oneOf", "anyOf") or not err.context:
        return [err]
    fitting = _fitting(err)
    if not fitting:
        return [err]  # no alternative has the right shape: rendered as a type error
    best = max(fitting, key=_specificity)  # max() keeps the first on ties
    return [leaf for sub in best for leaf in leaves(sub)]


# --- rendering ------------------------------------------------------------------------

def render(err: ValidationError, root_path: tuple = ()) -> list:
    """Messages for one *leaf* error; ``root_path`` only helps name things (services…)."""
    renderer = _RENDERERS.get(err.validator, _fallback)
    return renderer(err, tuple(err.absolute_path), root_path)


def _type(err, path, root):
    return [Message(path, f"must be {type_words(err.validator_value)}{_not(err.instance)}",
                    type_hint(root + path))]


def _one_of(err, path, root):
    if not err.context:
        return [Message(path, "matches more than one of the allowed forms",
                        "make the value unambiguous")]
    return [Message(path, f"must be {type_words(expected_types(err))}{_not(err.instance)}",
                    type_hint(root + path))]


# How to write the keys people most often get the shape of wrong, by key (or parent.key).
TYPE_HINTS = {
    "ports": 'e.g. "8080:80", or {target: 80, published: "8080"}',
    "expose": 'e.g. "8080" or 8080',
    "volumes": 'e.g. "./data:/data:ro", or {type: bind, source: ./data, target: /data}',
    "environment": 'use a mapping KEY: value, or a list of "KEY=value" strings',
    "labels": 'use a mapping key: value, or a list of "key=value" strings',
    "command": 'use a string, or a list such as ["npm", "start"]',
    "entrypoint": 'use a string, or a list such as ["/docker-entrypoint.sh"]',
    "healthcheck.test": 'e.g. ["CMD", "curl", "-f", "http://localhost"] or a shell string',
    "depends_on": "use a list of service names, or a mapping of name: {condition: ...}",
    "env_file": "use a path, or a list of paths / {path: ..., required: false}",
    "networks": "use a list of network names, or a mapping of name: {aliases: [...]}",
}


def type_hint(full: tuple) -> str:
    """A how-to-write-it hint for a value at ``full`` (list indexes ignored), or ''."""
    keys = [p for p in full if isinstance(p, str)]
    while full and isinstance(full[-1], int):
        full = full[:-1]
    if len(full) == 2 and full[0] == "services":
        return "a service is a mapping with at least 'image:' or 'build:'"
    if full == ("version",):
        return "the key is obsolete: remove it, or quote the value as in \"3.8\""
    if not full or not isinstance(full[-1], str) or len(keys) < 3 \
            or any(k.startswith("x-") for k in keys):  # extensions have their own schemas
        return ""
    return TYPE_HINTS.get(".".join(keys[-2:])) or TYPE_HINTS.get(keys[-1], "")


def _enum(err, path, root):
    allowed = ", ".join(v if isinstance(v, str) else show(v) for v in err.validator_value)
    return [Message(path, f"must be one of: {allowed}, not {show(err.instance)}")]


def _const(err, path, root):
    return [Message(path, f"must be {show(err.validator_value)}{_not(err.instance)}")]


def _pattern(err, path, root):
    words = PATTERN_WORDS.get(err.validator_value)
    if words is None:
        words = f"must match the regular expression {err.validator_value!r}"
    elif not words.startswith("must"):
        words = f"is not valid: {words}"
    return [Message(path, f"{show(err.instance)} {words}")]


def _required(err, path, root):
    missing = [k for k in err.validator_value if isinstance(err.instance, dict)
               and k not in err.instance]
    return [Message(path, f"missing required key {k!r}") for k in missing] or _fallback(
        err, path, root)


def _unique(err, path, root):
    seen: set = set()
    for i, item in enumerate(err.instance if isinstance(err.instance, list) else ()):
        key = freeze(item)
        if key in seen:
            return [Message(path + (i,), f"{show(item)} is listed more than once",
                            "remove the duplicate entry")]
        seen.add(key)
    return [Message(path, "must not contain duplicate entries")]


def _bound(word: str):
    def render_bound(err, path, root):
        return [Message(path, f"must be {word} {err.validator_value}, not {show(err.instance)}")]
    return render_bound


def _sized(word: str, unit: str):
    def render_size(err, path, root):
        return [Message(path, f"must have {word} {err.validator_value} {unit}")]
    return render_size


def _fallback(err, path, root):
    return [Message(path, err.message)]


def _additional(err, path, root):
    """One message per unexpected key: unknown keys, bad names, legacy keys."""
    if not isinstance(err.instance, dict):
        return _fallback(err, path, root)
    schema = err.schema if isinstance(err.schema, dict) else {}
    known = list(schema.get("properties", {}))
    patterns = list(schema.get("patternProperties", {}))
    extras = [k for k in err.instance if k not in known
              and not any(re.search(p, k) for p in patterns)]
    return [_extra_key(k, err.instance[k], path, root, known, patterns) for k in extras]


def _extra_key(key, value, path, root, known, patterns) -> Message:
    full = root + path
    if not known and patterns:  # a mapping keyed by names (services, volumes, …)
        kind = NAME_KINDS.get(full[-1] if full else "", "name")
        rule = next((PATTERN_WORDS[p] for p in patterns if p in PATTERN_WORDS), "")
        return Message(path, f"invalid {kind} {key!r}" + (f": {rule}" if rule else ""),
                       "rename it", key)
    if len(full) == 2 and full[0] == "services" and key in LEGACY_SERVICE_KEYS:
        return Message(path, f"{key!r} is a key of the legacy Compose file format and is "
                             "no longer supported", LEGACY_SERVICE_KEYS[key], key)
    hint = _unknown_key_hint(key, value, full, known, patterns)
    return Message(path, f"unknown key {key!r}", hint, key)


def _unknown_key_hint(key, value, full, known, patterns) -> str:
    close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    if not full and isinstance(value, dict) and any(m in value for m in SERVICE_MARKERS):
        return "it looks like a service: move it under the top-level 'services:' key"
    hint = ""
    if known and len(known) <= 12:
        hint = "allowed keys: " + ", ".join(known)
    if "^x-" in patterns:
        hint += ("; " if hint else "") + "custom keys must start with 'x-'"
    return hint


_RENDERERS: dict = {
    "type": _type,
    "oneOf": _one_of,
    "anyOf": _one_of,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "required": _required,
    "uniqueItems": _unique,
    "additionalProperties": _additional,
    "minimum": _bound("at least"),
    "maximum": _bound("at most"),
    "exclusiveMinimum": _bound("more than"),
    "exclusiveMaximum": _bound("less than"),
    "minItems": _sized("at least", "entries"),
    "maxItems": _sized("at most", "entries"),
    "minProperties": _sized("at least", "keys"),
    "maxProperties": _sized("at most", "keys"),
}


def plain_message(error: ValidationError) -> str:
    """The first problem behind ``error`` in plain words (sub-path prefixed when deeper)."""
    base = len(error.absolute_path)
    for leaf in leaves(error):
        for msg in render(leaf):
            sub = format_key_path(msg.path[base:])
            text = f"{sub}: {msg.text}" if sub else msg.text
            return f"{text} ({msg.hint})" if msg.hint else text
    return error.message

