"""Phase 1: read YAML into plain Python values that remember where they came from.

Mappings become :class:`LDict` and sequences :class:`LList`: ordinary ``dict``/``list``
subclasses that also carry the :class:`~compose2ecs.errors.Location` of themselves
(``.at``) and of each child value (``.locs``). Every later phase (include, interpolate,
extends, merge, canonicalise) keeps these so any finding can point back at the source.

YAML features handled here because they are syntax, not compose semantics: anchors and
aliases, merge keys (``<<: *a`` and ``<<: [*a, *b]``), duplicate keys (an error naming both
places), and the compose tags ``!reset`` / ``!override`` (wrapped in :class:`Reset` /
:class:`Override` for the merge phase to act on).
"""
from __future__ import annotations

import copy
import re
from typing import Any, Optional

import yaml

from ..errors import Location, UserError, diagnostic
from . import limits, nesting

try:  # libyaml is 5-10x faster when present; the pure-Python loader is identical in output
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader


class MemoisedResolve:
    """Mixin for a PyYAML loader or dumper: memoise the per-scalar tag resolution (keys such
    as ``image`` repeat in every service, and the serializer asks twice per scalar). The
    answer depends only on the arguments: no path resolvers are registered."""

    def resolve(self, kind, value, implicit):
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)
        cache = self.__dict__.setdefault("_resolved", {})
        key = (value, implicit)
        tag = cache.get(key)
        if tag is None:
            tag = cache[key] = super().resolve(kind, value, implicit)
        return tag


class _Loader(MemoisedResolve, _BaseLoader):
    """The safe loader with memoised tag resolution."""


MERGE_TAG = "tag:yaml.org,2002:merge"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"


class LDict(dict):
    """A dict that knows where it and each of its values came from."""

    __slots__ = ("at", "locs")

    def __init__(self, *args, at: Location = Location(), locs: Optional[dict] = None, **kw):
        super().__init__(*args, **kw)
        self.at = at
        self.locs = dict(locs) if locs else {}

    def loc(self, key) -> Location:
        """Location of ``self[key]``, falling back to the mapping itself."""
        return self.locs.get(key, self.at)

    def __deepcopy__(self, memo):
        new = LDict(at=self.at, locs=self.locs)
        for k, v in self.items():
            new[k] = copy.deepcopy(v, memo)
        return new

    def __reduce__(self):  # keep pickling/copy working despite __slots__
        return (_rebuild_ldict, (dict(self), self.at, self.locs))


class LList(list):
    """A list that knows where it and each of its items came from."""

    __slots__ = ("at", "locs")

    def __init__(self, items=(), at: Location = Location(), locs: Optional[list] = None):
        super().__init__(items)
        self.at = at
        self.locs = list(locs) if locs is not None else [at] * len(self)

    def loc(self, index: int) -> Location:
        if 0 <= index < len(self.locs):
            return self.locs[index]
        return self.at

    def append_located(self, value, location: Location) -> None:
        self.append(value)
        self.locs.append(location)

    def __deepcopy__(self, memo):
        return LList([copy.deepcopy(v, memo) for v in self], self.at, self.locs)

    def __reduce__(self):
        return (_rebuild_llist, (list(self), self.at, self.locs))


def _rebuild_ldict(data, at, locs):
    return LDict(data, at=at, locs=locs)


def _rebuild_llist(data, at, locs):
    return LList(data, at, locs)


class Reset:
    """``!reset`` value: the merge phase clears the attribute instead of merging."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return f"Reset({self.value!r})"

    def __eq__(self, other):
        return isinstance(other, Reset) and other.value == self.value


class Override:
    """``!override`` value: replaces the attribute wholesale, bypassing merge rules."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return f"Override({self.value!r})"

    def __eq__(self, other):
        return isinstance(other, Override) and other.value == self.value


def locate(data: Any, path, fallback: Location = Location()) -> Location:
    """Best location for ``path`` inside located data: the deepest node that has one."""
    best = getattr(data, "at", fallback)
    node = data
    for part in path:
        if isinstance(node, (Reset, Override)):
            node = node.value
        if isinstance(node, LDict) and part in node:
            best = node.loc(part)
            node = node[part]
        elif isinstance(node, LList) and isinstance(part, int) and 0 <= part < len(node):
            best = node.loc(part)
            node = node[part]
        else:
            break
    return best.with_path(tuple(path))


class _Builder:
    """Turns a composed YAML node graph into LDict/LList/scalars."""

    def __init__(self, filename: str):
        self.filename = filename
        self.scalars = yaml.SafeLoader("")  # only its constructor methods are used
        self.errors: list = []
        # alias-expansion accounting, as go-yaml v3 does it (limits.too_many_aliases)
        self.values = 0  # values built, aliases expanded
        self.aliased = 0  # of those, values built while expanding an alias
        self.alias_depth = 0  # > 0 while building the target of an alias
        self.built: set = set()  # ids of collection nodes built once: a second time is an alias

    def location(self, node, path) -> Location:
        mark = node.start_mark
        return Location(self.filename, mark.line + 1, mark.column + 1, tuple(path))

    def mapping_key(self, node, path):
        """Keys are text, as Docker Compose reads them: ``1:`` is "1" and ``true:`` is "true"
        (as Python values 1, 1.0 and True would be one key)."""
        value = self.scalar(node, path)
        return value if isinstance(value, str) else node.value

    def build(self, node, path=(), active=()):
        self.values += 1
        if self.alias_depth:
            self.aliased += 1
        tag = node.tag
        if tag == "!reset":
            return Reset(self._untagged(node, path, active))
        if tag == "!override":
            return Override(self._untagged(node, path, active))
        if tag.startswith("!"):
            self.errors.append(diagnostic(
                self.location(node, path), f"unknown YAML tag {tag}",
                "Compose understands only !reset and !override; remove the tag"))
            return self._untagged(node, path, active)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, active)
        if isinstance(node, yaml.SequenceNode):
            return self.sequence(node, path, active)
        return self.scalar(node, path)

    def _untagged(self, node, path, active):
        if isinstance(node, yaml.ScalarNode):
            return node.value if node.style else resolve_plain_scalar(node.value)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, active)
        return self.sequence(node, path, active)

    def scalar(self, node, path):
        if node.tag == _STR_TAG:
            return node.value  # quoted, or a plain scalar explicitly tagged !!str
        if not node.style and node.tag in _IMPLICIT_TAGS:
            return resolve_plain_scalar(node.value)
        try:  # explicitly tagged (!!int "7", !!float ...): PyYAML's constructor knows them
            return self.scalars.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError):
            self.errors.append(diagnostic(self.location(node, path),
                                          f"{node.value!r} cannot be read as {node.tag}",
                                          "remove the tag or fix the value"))
            return node.value

    def sequence(self, node, path, active):
        if id(node) in active:
            self.errors.append(diagnostic(self.location(node, path),
                                          "recursive YAML alias", "an anchor cannot contain itself"))
            return LList(at=self.location(node, path))
        active, aliased = self._enter(node, path, active)
        out = LList(at=self.location(node, path))
        try:
            for i, child in enumerate(node.value):
                child_path = path + (i,)
                value = self.build(child, child_path, active)
                out.append_located(value, self._value_location(value, child, child_path))
        finally:
            self.alias_depth -= aliased
        return out

    def _enter(self, node, path, active) -> tuple:
        """Limits checked on entering a mapping or sequence (limits.py): nesting depth
        (merge keys count, they recurse too) and go-yaml's alias-expansion ratio."""
        if len(active) >= limits.MAX_NESTING:
            raise UserError.at(self.location(node, path[:8]),
                               f"nested more than {limits.MAX_NESTING} levels deep",
                               nesting.HINT)
        key = id(node)
        aliased = key in self.built
        if aliased:
            self._check_aliases(node, path)
            self.alias_depth += 1
        else:
            self.built.add(key)
        return active + (key,), aliased

    def _check_aliases(self, node, path) -> None:
        if limits.too_many_aliases(self.values, self.aliased) or self.values > limits.MAX_VALUES:
            raise UserError.at(self.location(node, path),
                               f"excessive YAML aliasing: {self.values:,} values built, "
                               f"{self.aliased:,} of them copies made by aliases",
                               "an alias (*name) copies its anchor each time it is used; "
                               "this document expands too far (a 'billion laughs' document?)")

    def _value_location(self, value, node, path) -> Location:
        """A mapping or list built from ``node`` at ``path`` already holds exactly this
        location as its ``at``: reuse it (a Location per node is a large part of parsing)."""
        if type(value) is LDict or type(value) is LList:
            return value.at
        return self.location(node, path)

    def mapping(self, node, path, active):
        if id(node) in active:
            self.errors.append(diagnostic(self.location(node, path),
                                          "recursive YAML alias", "an anchor cannot contain itself"))
            return LDict(at=self.location(node, path))
        active, aliased = self._enter(node, path, active)
        try:
            return self._mapping_items(node, path, active)
        finally:
            self.alias_depth -= aliased

    def _mapping_items(self, node, path, active):
        out = LDict(at=self.location(node, path))
        merged: list = []  # values from merge keys: lower precedence than explicit keys
        seen: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                merged.extend(self._merge_sources(value_node, path, active))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.errors.append(diagnostic(self.location(key_node, path),
                                              "a mapping key must be a plain string",
                                              "write the key as text, not as a list or mapping"))
                continue
            key = self.mapping_key(key_node, path)
            child_path = path + (key,)
            if key in seen:
                first = seen[key]  # the first key's node: its line is in the message
                self.errors.append(diagnostic(
                    self.location(key_node, child_path),
                    f"duplicate key {key!r}, first defined at line {first.start_mark.line + 1}",
                    "remove one of them; YAML mappings cannot repeat a key"))
                continue
            seen[key] = key_node
            value = out[key] = self.build(value_node, child_path, active)
            out.locs[key] = self.location(key_node, child_path) \
                if _is_empty_scalar(value_node) else \
                self._value_location(value, value_node, child_path)
        for source in merged:  # earlier merge sources win over later ones (YAML merge spec)
            for key, value in source.items():
                if key not in out:
                    out[key] = copy.deepcopy(value)
                    out.locs[key] = source.loc(key)
        return out

    def _merge_sources(self, node, path, active):
        nodes = node.value if isinstance(node, yaml.SequenceNode) else [node]
        out = []
        for item in nodes:
            if not isinstance(item, yaml.MappingNode):
                self.errors.append(diagnostic(self.location(item, path),
                                              "a merge key (<<) must refer to a mapping",
                                              "use <<: *anchor where the anchor is a mapping"))
                continue
            out.append(self.mapping(item, path, active))
        return out


# Tags PyYAML's YAML 1.1 resolver puts on untagged scalars. We re-resolve those with the
# YAML 1.2 core schema, as Docker Compose (go-yaml v3) does: `restart: no`, `on`, `yes` stay
# strings and `22:22` is not a base-60 integer.
_STR_TAG = "tag:yaml.org,2002:str"
_IMPLICIT_TAGS = frozenset("tag:yaml.org,2002:" + t for t in
                           ("str", "int", "float", "bool", "null", "timestamp", "value"))
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_LEGACY_OCTAL_RE = re.compile(r"[-+]?0[0-7]+\Z")
_INT_RE = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOATS = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"),
                   ".Inf": float("inf"), ".INF": float("inf"), ".nan": float("nan"),
                   ".NaN": float("nan"), ".NAN": float("nan")}


def resolve_plain_scalar(text: str):
    """Resolve an unquoted scalar with the YAML 1.2 core schema."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _LEGACY_OCTAL_RE.match(text):
        return int(text, 8)  # go-yaml (Docker Compose) still reads 0440 as octal: file modes
    if _INT_RE.match(text):
        return int(text)
    if text[:2] in ("0o", "0x"):
        try:
            return int(text, 0)
        except ValueError:
            return text
    if _FLOAT_RE.match(text):
        return float(text)
    return _SPECIAL_FLOATS.get(text, text)


def _is_empty_scalar(node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.value == "" and node.tag.endswith("null")


def parse_yaml(text: str, filename: str) -> Any:
    """Parse one YAML document into located values.

    Raises :class:`UserError` (all problems of the file at once) for syntax errors,
    duplicate keys, bad merge keys and multi-document files.
    """
    try:
        nesting.check_nesting(text, filename, _Loader)
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(filename, mark.line + 1, mark.column + 1) if mark else Location(filename)
        problem = exc.problem or exc.context or "invalid YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        raise UserError.at(loc, f"YAML syntax error: {problem}{context}",
                           "check indentation and quoting around this line") from None
    except yaml.YAMLError as exc:
        msg = str(exc).splitlines()[0]
        if "expected a single document" in str(exc):
            msg = "the file holds more than one YAML document (---)"
        raise UserError.at(Location(filename, 1, 1), f"YAML error: {msg}",
                           "a compose file is a single YAML document") from None
    if root is None:
        return None
    builder = _Builder(filename)
    data = builder.build(root)
    if builder.errors:
        raise UserError(sorted(builder.errors, key=lambda d: d.sort_key()))
    return data


def read_yaml_file(path: str, display_name: Optional[str] = None) -> Any:
    """Read and parse a YAML file; I/O problems become located user errors (limits.py:
    regular files and pipes only, at most MAX_INPUT_BYTES, UTF-8)."""
    name = display_name or path
    try:
        raw = limits.read_input_file(path, name, "compose file")
    except FileNotFoundError:
        raise UserError.at(Location(name), "file not found",
                           "check the path given with -f or in include/extends") from None
    return parse_yaml(limits.decode(raw, name), name)


def plain(value: Any) -> Any:
    """Strip location wrappers: LDict/LList → dict/list, recursively (for output/tests)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (Reset, Override)):
        return plain(value.value)
    return value
