"""The `docker run` front-end: command lines → compose service dicts (design.md §1).

Public API (``from compose2ecs import dockerrun``): :func:`parse_commands`, :func:`to_compose`,
:func:`render_compose`, :func:`flag_table_markdown`, :class:`RunCommand`. The phases, in order:
:mod:`.text` (shell words with positions) → :mod:`.argv` (pflag rules) → :mod:`.flags` (THE
flag table) → :mod:`.values` / :mod:`.handlers` (structured values, the final pass) →
:mod:`.load` (commands → one compose document) → :mod:`.render` (compose YAML, docs table).
"""
from __future__ import annotations

from .argv import RunCommand
from .load import RUN_PREFIXES, parse_commands, to_compose
from .render import flag_table_markdown, render_compose

__all__ = ["RUN_PREFIXES", "RunCommand", "flag_table_markdown", "parse_commands", "render_compose",
           "to_compose"]
