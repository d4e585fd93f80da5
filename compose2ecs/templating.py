"""The Jinja2 templates shipped in ``templates/`` (package data) (the report, the bundle README).

Compiling a template costs more than rendering it (about 5 ms each, every run), so compiled
templates are kept in Jinja's own bytecode cache under the user's cache directory
(``$XDG_CACHE_HOME/compose2ecs`` or ``~/.cache/compose2ecs``; ``COMPOSE2ECS_CACHE_DIR``
overrides it). Jinja checks each entry against the template's source and the Python version,
so a stale entry is recompiled. The cache is only an optimisation: a directory that cannot be
created or written means compiling every time, never an error.
"""
from __future__ import annotations

import os
from functools import lru_cache
from typing import Optional

from . import package_data

# Whitespace handling per template (the README keeps every line of its template as written).
OPTIONS = {
    "report.md.j2": {"trim_blocks": True, "lstrip_blocks": True, "strict": True},
    "bundle_readme.md.j2": {"trim_blocks": False, "lstrip_blocks": False, "strict": False},
}


def cache_directory(environ=None) -> Optional[str]:
    """Where compiled templates are kept (None: no usable home/cache directory)."""
    environ = os.environ if environ is None else environ
    explicit = environ.get("COMPOSE2ECS_CACHE_DIR")
    if explicit:
        return os.path.join(explicit, "jinja")
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if base.startswith("~"):  # no home directory to expand
        return None
    return os.path.join(base, "compose2ecs", "jinja")


def _source(name: str) -> str:
    return package_data.read_text("templates", name)


@lru_cache(maxsize=None)
def _bytecode_cache():
    import jinja2

    class QuietCache(jinja2.FileSystemBytecodeCache):
        """Reads and writes that fail are cache misses, not errors."""

        def load_bytecode(self, bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except (OSError, EOFError, ValueError, TypeError):
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    directory = cache_directory()
    if directory is None:
        return None
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return QuietCache(directory, "%s.cache")


@lru_cache(maxsize=None)
def template(name: str):
    """The compiled Jinja2 template ``templates/<name>`` (one environment per whitespace style)."""
    import jinja2

    options = OPTIONS[name]
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda n: (_source(n), None, lambda: True)),
        bytecode_cache=_bytecode_cache(), autoescape=False, keep_trailing_newline=True,
        trim_blocks=options["trim_blocks"], lstrip_blocks=options["lstrip_blocks"],
        undefined=jinja2.StrictUndefined if options["strict"] else jinja2.Undefined)
    return env.get_template(name)


def render(name: str, **context) -> str:
    """``templates/<name>`` rendered with ``context``."""
    return template(name).render(**context)
