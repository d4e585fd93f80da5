"""Shared plumbing for the taskdef golden suites: load a fixture case, lower it, render it.

A case directory holds ``compose.yaml`` (+ ``.env``, other files), optionally
``options.json`` (LowerOptions keyword arguments) and ``environ.json`` (the environment the
conversion sees). Paths inside outputs are made relative to the case so goldens are portable.
"""
from __future__ import annotations

import json
from pathlib import Path

from compose2ecs.ecs.lower import LowerOptions, lower
from compose2ecs.pipeline import InputOptions, load_inputs


def case_options(case: Path) -> tuple:
    opts = json.loads((case / "options.json").read_text()) if (case / "options.json").exists() else {}
    env = json.loads((case / "environ.json").read_text()) if (case / "environ.json").exists() else {}
    return LowerOptions(**opts), env


def convert_case(case: Path):
    """(compose Project, EcsProject) for a fixture case (raises UserError for bad cases)."""
    case = case.resolve()
    options, env = case_options(case)
    loaded = load_inputs(InputOptions(files=(str(case / "compose.yaml"),), cwd=str(case)), env)
    return loaded.project, lower(loaded.project, options, env)


def relative(text: str, case: Path) -> str:
    return text.replace(str(case.resolve()) + "/", "").replace(str(case) + "/", "")
