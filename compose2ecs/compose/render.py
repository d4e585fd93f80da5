"""``compose2ecs config``: print the final, merged, canonical project like ``docker compose config``.

The output is deterministic (sorted keys, services sorted), in long syntax, and re-reads to
the same values with :func:`compose2ecs.compose.source.parse_yaml`. That reader resolves
plain scalars with the YAML 1.2 core schema while PyYAML's dumper thinks in YAML 1.1, so a
string either schema would misread (``no``, ``on``, ``22:22``, ``1e3``, ``0o17``) is quoted.
"""
from __future__ import annotations

import json
from typing import Any, Optional

import yaml

from .source import plain, resolve_plain_scalar

# Top-level order of the output; x-* keys follow, then anything else, sorted.
SECTION_ORDER = ("services", "networks", "volumes", "secrets", "configs")
# Obsolete or already applied keys that `docker compose config` does not print.
DROPPED_KEYS = frozenset(("version", "name", "include"))


try:  # libyaml's emitter is several times faster; representers stay in Python either way
    _BaseDumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseDumper = yaml.SafeDumper


class _ConfigDumper(_BaseDumper):
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


def config_dict(doc: Any, name: Optional[str]) -> dict:
    """The plain, ordered dict ``render_config`` prints: ``name`` first (left out when
    ``None``: a file that takes its name from wherever it is loaded), then the sections."""
    data = plain(doc) if isinstance(doc, dict) else {}
    out: dict = {} if name is None else {"name": name}
    for key in SECTION_ORDER:
        if data.get(key) is not None:
            out[key] = _sorted(data[key])
    rest = sorted(k for k in data if k not in out and k not in DROPPED_KEYS)
    for key in sorted(rest, key=lambda k: (not str(k).startswith("x-"), str(k))):
        out[key] = _sorted(data[key])
    return out


def render_config(doc: Any, name: Optional[str], fmt: str = "yaml") -> str:
    """Render the final compose document as YAML (default) or JSON (``fmt="json"``)."""
    data = config_dict(doc, name)
    if fmt == "json":
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt != "yaml":
        raise ValueError(f"unknown format {fmt!r} (use yaml or json)")
    return yaml.dump(data, Dumper=_ConfigDumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=10_000)
