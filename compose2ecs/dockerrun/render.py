"""The `docker run` front-end's outputs: the compose file of ``convert --format compose``
(:func:`render_compose`) and the supported-flag table of docs/docker-run.md
(:func:`flag_table_markdown`)."""
from __future__ import annotations

import yaml

from ..compose.source import plain
from .flags import ALL_FLAGS

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: same output, ~10x faster


def render_compose(doc) -> str:
    """A compose YAML document (current spec: no ``version:``, no ``name:``) for
    ``convert --format compose``. Deterministic: ``image`` first, then keys sorted."""
    data = plain(doc)
    out = {"services": {name: _ordered(svc) for name, svc in data.get("services", {}).items()}}
    for kind in ("networks", "volumes", "x-ecs"):
        if data.get(kind):
            out[kind] = {k: _ordered(v) for k, v in sorted(data[kind].items())}
    return yaml.dump(out, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=1 << 16)


def _ordered(value):
    if not isinstance(value, dict):
        return value
    head = [k for k in ("image", "entrypoint", "command") if k in value]
    keys = head + sorted(k for k in value if k not in head)
    return {k: _ordered(value[k]) if isinstance(value[k], dict) else
            [_ordered(v) for v in value[k]] if isinstance(value[k], list) else value[k]
            for k in keys}


def flag_table_markdown() -> str:
    """The supported-flag table of docs/docker-run.md, generated from the flag table."""
    lines = ["| Flag | Compose key | Value | Notes |", "|---|---|---|---|"]
    for flag in sorted(ALL_FLAGS, key=lambda f: f.long):
        names = ", ".join(f"`{n}`" for n in flag.names)
        target = f"`{flag.target}`" if flag.target else "— (info finding)"
        note = flag.note.replace("|", "\\|")
        lines.append(f"| {names} | {target} | {flag.kind} | {note} |")
    return "\n".join(lines) + "\n"
