"""Refuse a YAML document nested too deep *before* it is composed (phase 3, ``source.py``).

libyaml's composer recurses in C: about 25,000 nested ``[`` overflow the main thread's 8 MiB
stack and kill the process (no RecursionError to catch). So a document that could be that deep
is first measured from the parser's events, which are produced without recursion. That scan
costs about a tenth of a parse, so it runs only when a cheap upper bound of the depth says the
composer could be at risk; below the bound, the builder's own check (``_Builder._enter``)
stops anything deeper than ``limits.MAX_NESTING``.
"""
from __future__ import annotations

import threading

import yaml

from ..errors import Location, UserError
from . import limits

# Depths the composer survives: libyaml on the main thread (crash at ~25,000), libyaml on a
# thread (its stack may be smaller), and the pure-Python composer (RecursionError at ~300).
SAFE_MAIN, SAFE_THREAD, SAFE_PYTHON = 10_000, 2_000, 200
_OPENING = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSING = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
HINT = "compose files are rarely deeper than 15 levels; flatten this value"


def nesting_bound(text: str) -> int:
    """A cheap upper bound of the nesting depth: every level needs more indentation (a block
    sequence under a key may share its column: hence 2x), a flow bracket, or an indicator on
    the same line (at most the line's length)."""
    lines = text.splitlines()  # every YAML line break (\r, NEL, LS and PS too)
    indent = max((len(line) - len(line.lstrip(" \t")) for line in lines), default=0)
    longest = max(map(len, lines), default=0)
    return 2 * indent + longest + text.count("[") + text.count("{")


def safe_depth(loader_class) -> int:
    """How deep ``loader_class`` can compose without crashing, here and now."""
    libyaml = getattr(getattr(yaml, "cyaml", None), "CParser", None)
    if libyaml is None or not issubclass(loader_class, libyaml):
        return SAFE_PYTHON
    return SAFE_MAIN if threading.current_thread() is threading.main_thread() else SAFE_THREAD


def check_nesting(text: str, filename: str, loader_class) -> None:
    """Raise a located :class:`UserError` when ``text`` nests deeper than MAX_NESTING and
    composing it with ``loader_class`` could crash; syntax errors are left to the real parse."""
    if nesting_bound(text) <= safe_depth(loader_class):
        return
    loader = loader_class(text)
    depth = 0
    try:
        while True:
            event = loader.get_event()
            if event is None:
                return
            if isinstance(event, _OPENING):
                depth += 1
                if depth > limits.MAX_NESTING:
                    mark = event.start_mark
                    raise UserError.at(Location(filename, mark.line + 1, mark.column + 1),
                                       f"nested more than {limits.MAX_NESTING} levels deep", HINT)
            elif isinstance(event, _CLOSING):
                depth -= 1
    except yaml.YAMLError:
        return  # the real parse reports it, with its location
    finally:
        loader.dispose()
