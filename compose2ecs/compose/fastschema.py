"""A fast yes/no JSON-schema check for the draft-7 subset the Compose schema uses.

jsonschema builds a rich error tree and costs ~0.5 ms per service; a 1000-service project
would spend half a second proving what is nearly always true (the file is valid). This
module compiles a schema into nested closures answering only "valid or not" about 10x
faster. The validate phase runs it first and asks jsonschema for the detailed errors only
of the parts that failed, so jsonschema stays the single source of truth for messages.

A schema using a keyword outside the supported subset raises :class:`Unsupported` at
compile time; callers then fall back to jsonschema for everything. Semantics follow
jsonschema's Draft7Validator: ``$ref`` ignores its siblings, booleans are not numbers,
``1 == 1.0`` but ``True != 1`` in enum/const/uniqueItems, ``format`` is not asserted.
"""
from __future__ import annotations

import re
from typing import Any, Callable

Check = Callable[[Any], bool]

# Keywords that never constrain the instance (annotations only).
_ANNOTATIONS = frozenset(("$schema", "$id", "$comment", "title", "description", "default",
                          "examples", "deprecated", "readOnly", "writeOnly", "definitions",
                          "format", "contentMediaType", "contentEncoding"))


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not implement."""


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _is_integer(x) -> bool:
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


_TYPES: dict = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "number": _is_number,
    "integer": _is_integer,
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
}


def freeze(value) -> Any:
    """A hashable stand-in with jsonschema's equality: 1 == 1.0, True != 1."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", value)
    if isinstance(value, list):
        return ("l", tuple(freeze(v) for v in value))
    if isinstance(value, dict):
        return ("d", frozenset((k, freeze(v)) for k, v in value.items()))
    return ("o", value)


def compile_schema(schema: dict, node: Any = None) -> Check:
    """Compile ``schema`` (a draft-7 document) into a predicate ``instance -> bool``.

    With ``node``, compile that sub-schema of ``schema`` instead (its ``$ref`` resolve
    against ``schema``).
    """
    return _Compiler(schema).compile(schema if node is None else node)


class _Compiler:
    def __init__(self, root: dict):
        self.root = root
        self.refs: dict = {}  # ref -> compiled check; filled lazily so cycles work

    def compile(self, node) -> Check:
        if node is True or node == {}:
            return lambda x: True
        if node is False:
            return lambda x: False
        if not isinstance(node, dict):
            raise Unsupported(f"schema node {node!r}")
        if "$ref" in node:
            return self._ref(node["$ref"])
        checks = []
        for key, arg in node.items():
            if key in _ANNOTATIONS:
                continue
            build = _KEYWORDS.get(key)
            if build is None:
                raise Unsupported(key)
            check = build(self, arg, node)
            if check is not None:
                checks.append(check)
        return _all(checks)

    def _ref(self, ref: str) -> Check:
        if ref not in self.refs:
            if not ref.startswith("#/"):
                raise Unsupported(f"$ref {ref}")
            target = self.root
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            self.refs[ref] = None  # placeholder while compiling a cycle
            self.refs[ref] = self.compile(target)
        refs = self.refs
        return lambda x: refs[ref](x)


def _all(checks: list) -> Check:
    if not checks:
        return lambda x: True
    if len(checks) == 1:
        return checks[0]
    return lambda x: all(c(x) for c in checks)


def _type(comp, arg, node) -> Check:
    names = [arg] if isinstance(arg, str) else list(arg)
    preds = [_TYPES[n] for n in names]
    return lambda x: any(p(x) for p in preds)


def _properties(comp, arg, node) -> Check:
    props = {k: comp.compile(v) for k, v in arg.items()}
    return lambda x: not isinstance(x, dict) or all(
        props[k](v) for k, v in x.items() if k in props)


def _pattern_properties(comp, arg, node) -> Check:
    pats = [(re.compile(p), comp.compile(v)) for p, v in arg.items()]
    return lambda x: not isinstance(x, dict) or all(
        check(v) for k, v in x.items() for rx, check in pats if rx.search(k))


def _additional(comp, arg, node) -> Check:
    props = set(node.get("properties", {}))
    pats = [re.compile(p) for p in node.get("patternProperties", {})]
    check = comp.compile(arg)

    def extra_ok(x):
        return not isinstance(x, dict) or all(
            check(v) for k, v in x.items()
            if k not in props and not any(rx.search(k) for rx in pats))
    return extra_ok


def _items(comp, arg, node) -> Check:
    if isinstance(arg, list):
        raise Unsupported("items as a list")
    check = comp.compile(arg)
    return lambda x: not isinstance(x, list) or all(check(v) for v in x)


def _unique(comp, arg, node):
    if not arg:
        return None

    def unique(x):
        if not isinstance(x, list):
            return True
        frozen = [freeze(v) for v in x]
        return len(set(frozen)) == len(frozen)
    return unique


def _enum(comp, arg, node) -> Check:
    allowed = [freeze(v) for v in arg]
    return lambda x: freeze(x) in allowed


def _const(comp, arg, node) -> Check:
    want = freeze(arg)
    return lambda x: freeze(x) == want


def _required(comp, arg, node) -> Check:
    return lambda x: not isinstance(x, dict) or all(k in x for k in arg)


def _pattern(comp, arg, node) -> Check:
    rx = re.compile(arg)
    return lambda x: not isinstance(x, str) or rx.search(x) is not None


def _one_of(comp, arg, node) -> Check:
    branches = [comp.compile(b) for b in arg]
    return lambda x: sum(1 for b in branches if b(x)) == 1


def _any_of(comp, arg, node) -> Check:
    branches = [comp.compile(b) for b in arg]
    return lambda x: any(b(x) for b in branches)


def _all_of(comp, arg, node) -> Check:
    return _all([comp.compile(b) for b in arg])


def _not(comp, arg, node) -> Check:
    check = comp.compile(arg)
    return lambda x: not check(x)


def _bound(applies: Callable, measure: Callable, op: Callable):
    def build(comp, arg, node) -> Check:
        return lambda x: not applies(x) or op(measure(x), arg)
    return build


def _ident(x):
    return x


_ge = lambda a, b: a >= b  # noqa: E731 - tiny operators read best inline
_le = lambda a, b: a <= b  # noqa: E731
_gt = lambda a, b: a > b  # noqa: E731
_lt = lambda a, b: a < b  # noqa: E731
_is_str = _TYPES["string"]
_is_list = _TYPES["array"]
_is_dict = _TYPES["object"]

_KEYWORDS: dict = {
    "type": _type,
    "properties": _properties,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional,
    "items": _items,
    "uniqueItems": _unique,
    "enum": _enum,
    "const": _const,
    "required": _required,
    "pattern": _pattern,
    "oneOf": _one_of,
    "anyOf": _any_of,
    "allOf": _all_of,
    "not": _not,
    "minimum": _bound(_is_number, _ident, _ge),
    "maximum": _bound(_is_number, _ident, _le),
    "exclusiveMinimum": _bound(_is_number, _ident, _gt),
    "exclusiveMaximum": _bound(_is_number, _ident, _lt),
    "minLength": _bound(_is_str, len, _ge),
    "maxLength": _bound(_is_str, len, _le),
    "minItems": _bound(_is_list, len, _ge),
    "maxItems": _bound(_is_list, len, _le),
    "minProperties": _bound(_is_dict, len, _ge),
    "maxProperties": _bound(_is_dict, len, _le),
}
