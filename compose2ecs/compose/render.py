"""``compose2ecs config``: print the final, merged, canonical project like ``docker compose config``.

The output is deterministic (sorted keys, services sorted), in long syntax, and re-reads to
the same values with :func:`compose2ecs.compose.source.parse_yaml`. That reader resolves
plain scalars with the YAML 1.2 core schema while PyYAML's dumper thinks in YAML 1.1, so a
string either schema would misread (``no``, ``on``, ``22:22``, ``1e3``, ``0o17``) is quoted.
"""
from __future__ import annotations

import io
import json
from typing import Any, Optional

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .. import yamlwrite
from ..gcpause import gc_paused
from .source import MemoisedResolve, Override, Reset, plain, resolve_plain_scalar

# Top-level order of the output; x-* keys follow, then anything else, sorted.
SECTION_ORDER = ("services", "networks", "volumes", "secrets", "configs")
# Obsolete or already applied keys that `docker compose config` does not print.
DROPPED_KEYS = frozenset(("version", "name", "include"))


try:  # libyaml's emitter is several times faster; representers stay in Python either way
    _BaseDumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseDumper = yaml.SafeDumper


_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_UNSEEN = object()


class _ConfigDumper(MemoisedResolve, _BaseDumper):
    """SafeDumper that also quotes strings the YAML 1.2 core schema would not read as str."""

    def ignore_aliases(self, data: Any) -> bool:  # never emit &anchors/*aliases
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if not isinstance(resolve_plain_scalar(value), str):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_str(value)


_ConfigDumper.add_representer(str, _represent_str)


def _sorted(value: Any) -> Any:
    """Rebuild dicts with sorted keys, recursively (lists keep their order). String values
    get ``$`` written as ``$$``: the values are already interpolated, and the output must
    load back to the same values (a literal ``$HOME`` would otherwise be expanded again)."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    if isinstance(value, str) and "$" in value:
        return value.replace("$", "$$")
    return value


def _unwrap(value: Any) -> Any:
    while isinstance(value, (Reset, Override)):
        value = value.value
    return value


def _sections(doc: Any, name: Optional[str]) -> list:
    """``(key, value, is_section)`` in output order: ``name`` first (left out when ``None``),
    then the sections, x-* keys, the rest. Section values are still located (not plain)."""
    data = {k: _unwrap(v) for k, v in doc.items()} if isinstance(doc, dict) else {}
    out = [] if name is None else [("name", name, False)]
    taken = set() if name is None else {"name"}
    for key in SECTION_ORDER:
        if data.get(key) is not None:
            out.append((key, data[key], True))
            taken.add(key)
    rest = sorted(k for k in data if k not in taken and k not in DROPPED_KEYS)
    for key in sorted(rest, key=lambda k: (not str(k).startswith("x-"), str(k))):
        out.append((key, data[key], True))
    return out


def config_dict(doc: Any, name: Optional[str]) -> dict:
    """The plain, ordered dict ``render_config`` prints: ``name`` first (left out when
    ``None``: a file that takes its name from wherever it is loaded), then the sections."""
    return {key: _sorted(plain(value)) if section else value
            for key, value, section in _sections(doc, name)}


class _NodeBuilder:
    """Located data → the YAML node graph ``yaml.dump(config_dict(...))`` would represent, in
    one pass (no intermediate plain/sorted copies, no representer dispatch per value).
    Types other than the usual JSON-like ones go through the dumper's own representer."""

    def __init__(self, dumper):
        self.dumper = dumper
        self.styles: dict = {}  # str → quoting style; values repeat a lot

    def text(self, value: str) -> ScalarNode:
        style = self.styles.get(value, _UNSEEN)
        if style is _UNSEEN:
            style = None if isinstance(resolve_plain_scalar(value), str) else "'"
            self.styles[value] = style
        return ScalarNode(_STR_TAG, value, style=style)

    def scalar(self, value: Any) -> Any:
        """A key or an unescaped value: exactly what represent_data(value) gives."""
        kind = type(value)
        if kind is str:
            return self.text(value)
        if kind is int:
            return ScalarNode(_INT_TAG, str(value))
        if kind is bool:
            return ScalarNode(_BOOL_TAG, "true" if value else "false")
        if value is None:
            return ScalarNode(_NULL_TAG, "null")
        return self.dumper.represent_data(value)

    def value(self, value: Any) -> Any:
        """A section value: the node of ``_sorted(plain(value))``."""
        if isinstance(value, (Reset, Override)):
            return self.value(_unwrap(value))
        if isinstance(value, dict):
            items = [(self.scalar(k), self.value(value[k])) for k in sorted(value, key=str)]
            return MappingNode(_MAP_TAG, items, flow_style=False)
        if isinstance(value, list):
            return SequenceNode(_SEQ_TAG, [self.value(v) for v in value], flow_style=False)
        if isinstance(value, str) and "$" in value:
            return self.text(value.replace("$", "$$"))
        return self.scalar(value)


@gc_paused()
def render_config(doc: Any, name: Optional[str], fmt: str = "yaml") -> str:
    """Render the final compose document as YAML (default) or JSON (``fmt="json"``)."""
    if fmt == "json":
        data = config_dict(doc, name)
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt != "yaml":
        raise ValueError(f"unknown format {fmt!r} (use yaml or json)")
    sections = _sections(doc, name)
    try:  # the usual case: ASCII strings, numbers, bools — written directly, same bytes
        return yamlwrite.write_config(sections)
    except yamlwrite.Unsupported:
        return _emit(sections)


def _emit(sections: list) -> str:
    """What yaml.dump(config_dict(doc, name), Dumper=_ConfigDumper, sort_keys=False,
    default_flow_style=False, allow_unicode=True, width=10_000) writes, built faster."""
    stream = io.StringIO()
    dumper = _ConfigDumper(stream, default_flow_style=False, allow_unicode=True, width=10_000,
                           sort_keys=False)
    try:
        build = _NodeBuilder(dumper)
        root = MappingNode(_MAP_TAG, [(build.scalar(key), build.value(value) if section
                                       else build.scalar(value))
                                      for key, value, section in sections],
                           flow_style=False)
        dumper.open()
        dumper.serialize(root)
        dumper.close()
    finally:
        dumper.dispose()
    return stream.getvalue()
