"""The data files kept at the repository root — ``schemas/`` and ``templates/`` — wherever they are.

The project card lays them out beside ``compose2ecs/``; ``pyproject.toml`` maps them into the
wheel as ``compose2ecs/schemas`` and ``compose2ecs/templates`` (``[tool.setuptools] package-dir``).
So there are two places to look, in this order:

1. inside the package, through :mod:`importlib.resources` — a wheel (``pip install .``), a zip
   import, or setuptools' *strict* editable install (a link tree that has the mapped folders);
2. beside the package — a source checkout run with ``PYTHONPATH`` or ``python -m pytest``, and
   setuptools' default (*lenient*) editable install, whose finder imports ``compose2ecs`` from the
   checkout itself.

``tests/test_packaging.py`` builds a wheel and an editable install in fresh virtual environments
and converts a project from each (docs/architecture.md, "Package data").
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

FOLDERS = ("schemas", "templates")


@lru_cache(maxsize=None)
def folder(name: str):
    """The ``schemas`` or ``templates`` folder as a Traversable (a Path outside zips)."""
    if name not in FOLDERS:
        raise ValueError(f"{name!r} is not a package-data folder ({', '.join(FOLDERS)})")
    packaged = resources.files("compose2ecs").joinpath(name)
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / name


def read_text(name: str, file: str) -> str:
    """The UTF-8 text of ``<name>/<file>`` (``read_text("schemas", "x-ecs.json")``)."""
    return folder(name).joinpath(file).read_text("utf-8")
