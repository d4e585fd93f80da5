"""Phases 1, 2 and 10: which compose files, which variables, which project name.

Behaviour of ``docker compose`` (compose-go ``cli/options.go``):

* files: ``-f`` in order; else ``COMPOSE_FILE`` split on ``COMPOSE_PATH_SEPARATOR`` (or
  the OS path separator); else the first default name found in the project directory or
  the nearest parent directory that has one, plus its ``.override`` file.
* project directory: ``--project-directory``, else the first file's directory, else cwd.
* variables: ``--env-file`` files in order (else ``<project dir>/.env`` when it exists and
  ``COMPOSE_DISABLE_ENV_FILE`` is not set); the OS environment wins over all of them.
* name: ``-p`` > ``COMPOSE_PROJECT_NAME`` > top-level ``name`` > directory name.
"""
from __future__ import annotations

import os
import re
from typing import Callable, Mapping, Optional, Sequence

from ..errors import Finding, Location, Severity, UserError
from . import limits
from .envfile import display_path, read_dotenv

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
PROJECT_NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
NAME_RULE = ("a project name may contain only lowercase letters, digits, '-' and '_', "
             "and must start with a letter or a digit")
_TRUE = frozenset(("1", "t", "true", "y", "yes", "on"))


def override_name(filename: str) -> str:
    """``compose.yaml`` → ``compose.override.yaml`` (``<stem>.override.<ext>``)."""
    stem, ext = os.path.splitext(filename)
    return f"{stem}.override{ext}"


def find_default_files(directory: str, exists: Callable[[str], bool] = os.path.exists,
                       findings: Optional[list] = None) -> list:
    """The default compose file of ``directory`` (or its nearest parent) and its override.

    Raises :class:`UserError` when no directory up to the root has one.
    """
    current = os.path.abspath(directory)
    while True:
        found = [name for name in DEFAULT_FILES if exists(os.path.join(current, name))]
        if found:
            if len(found) > 1 and findings is not None:
                findings.append(Finding(Severity.INFO, Location(os.path.join(current, found[0])),
                                        f"several compose files found ({', '.join(found)}); "
                                        f"using {found[0]}", "name the file with -f"))
            files = [os.path.join(current, found[0])]
            override = os.path.join(current, override_name(found[0]))
            return files + [override] if exists(override) else files
        parent = os.path.dirname(current)
        if parent == current:
            raise UserError.at(Location(), f"no compose file found in {directory} or its "
                               f"parent directories (looked for {', '.join(DEFAULT_FILES)})",
                               "name the compose file with -f, or run in the project directory")
        current = parent


def resolve_compose_files(files: Sequence[str], environ: Mapping[str, str], cwd: str,
                          project_directory: Optional[str]) -> tuple:
    """Phase 1: absolute compose file paths ("-" = stdin kept) and the project directory."""
    cwd = os.path.abspath(cwd)
    explicit_dir = os.path.join(cwd, project_directory) if project_directory else None
    chosen = list(files) or _compose_file_env(environ)
    if chosen:
        paths = [f if f == "-" else os.path.normpath(os.path.join(cwd, f)) for f in chosen]
    else:
        paths = find_default_files(explicit_dir or cwd)
    if explicit_dir:
        return paths, os.path.normpath(explicit_dir)
    first = next((p for p in paths if p != "-"), None)
    return paths, os.path.dirname(first) if first else cwd


def _compose_file_env(environ: Mapping[str, str]) -> list:
    value = environ.get("COMPOSE_FILE") or ""
    separator = environ.get("COMPOSE_PATH_SEPARATOR") or os.pathsep
    return [part for part in value.split(separator) if part.strip()]


def normalise_project_name(raw: str) -> str:
    """Compose's normalisation: lowercase, keep ``[a-z0-9_-]``, drop leading ``_``/``-``."""
    kept = "".join(c for c in str(raw).lower() if c in "abcdefghijklmnopqrstuvwxyz0123456789_-")
    return kept.lstrip("_-")


def project_name(explicit: Optional[str], environ: Mapping[str, str],
                 top_level_name: Optional[str], project_dir: str,
                 location: Optional[Location]) -> str:
    """Phase 10: ``-p`` > ``COMPOSE_PROJECT_NAME`` > top-level ``name`` > directory name.

    A name given explicitly must already be valid (Compose does not rewrite it); the
    directory name is normalised and must not come out empty.
    """
    candidates = (
        (explicit, Location(), "given with -p"),
        (environ.get("COMPOSE_PROJECT_NAME"), Location(), "from COMPOSE_PROJECT_NAME"),
        (top_level_name, location or Location(), "from the top-level 'name'"),
    )
    for value, where, origin in candidates:
        if value is None or str(value) == "":
            continue
        name = str(value)
        if not PROJECT_NAME_RE.match(name):
            suggestion = normalise_project_name(name)
            hint = f"use {suggestion!r}" if suggestion else "choose a name such as 'myapp'"
            raise UserError.at(where, f"invalid project name {name!r} {origin}: {NAME_RULE}", hint)
        return name
    base = os.path.basename(os.path.normpath(os.path.abspath(project_dir)))
    name = normalise_project_name(base)
    if not name:
        raise UserError.at(Location(), f"cannot derive a project name from the directory "
                           f"name {base!r}: {NAME_RULE}", "give a name with -p NAME")
    return name


def project_environment(project_dir: str, env_files: Sequence[str],
                        os_environ: Mapping[str, str], cwd: str,
                        read_env_file=read_dotenv) -> dict:
    """Phase 2: the variables for interpolation (a plain dict of strings).

    ``env_files`` (``--env-file``, relative to ``cwd``) are read in order, later files
    winning, and must exist; without them ``<project_dir>/.env`` is read if it exists.
    The OS environment then overrides everything. ``VAR`` alone takes the value from the
    OS environment or an earlier file, and is dropped when neither has it.
    """
    paths = [os.path.join(cwd, f) for f in env_files]
    if not paths and not _env_flag(os_environ, "COMPOSE_DISABLE_ENV_FILE"):
        default = os.path.join(project_dir, ".env")
        paths = [default] if os.path.isfile(default) else []
    merged: dict = {}

    @limits.text_lookup  # ${VAR} in a .env file may read a non-UTF-8 OS variable
    def lookup(name: str):
        value = os_environ.get(name)
        return merged.get(name) if value is None else value

    for path in paths:
        values = read_env_file(path, lookup, display_name=display_path(path, cwd))
        for key, value in values.items():
            value = lookup(key) if value is None else value
            if value is not None:
                merged[key] = value
    merged.update(os_environ)
    return merged


def _env_flag(environ: Mapping[str, str], name: str) -> bool:
    return str(environ.get(name, "")).strip().lower() in _TRUE
