"""Phase: ``include`` — copy services and resources of other compose projects into this one.

Spec ``14-include.md``; reference compose-go ``loader/include.go``. Each entry is either a path
(short form) or ``{path: str|[str], project_directory: str, env_file: str|[str]}``. Every
included project is loaded on its own (own directory for relative paths, own ``.env``) by the
injected ``load_included``; this module only resolves the entry's paths, guards against
include cycles, and copies the loaded resources in.

A name defined both here and in an included project is an error unless both definitions are
identical (the same file reached through two includes). Current compose-go merges such
conflicts instead; this project reports them, because a silent merge hides which file wins.
"""
from __future__ import annotations

import os
from typing import Callable, Sequence

from ..errors import Location, UserError, diagnostic
from .source import LDict, LList, Override, plain

# (paths, project_directory, env_files) → fully loaded included document
LoadIncluded = Callable[[list, str, list], LDict]

RESOURCE_KEYS = ("services", "networks", "volumes", "secrets", "configs", "models")
_REMOTE_PREFIXES = ("oci://", "git@", "http://", "https://", "ssh://")


def _unwrap(value):
    return value.value if isinstance(value, Override) else value


def _string_list(value, where: Location, what: str) -> list:
    value = _unwrap(value)
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(_unwrap(i), str) for i in items):
        raise UserError.at(where, f"include {what} must be a path or a list of paths",
                           f"write {what}: ./other/compose.yaml")
    return [_unwrap(i) for i in items]


def _absolute(path: str, base_dir: str) -> str:
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(base_dir, path))


def parse_entry(entry, base_dir: str, where: Location) -> tuple:
    """One include entry → (paths, project_directory, env_files), all absolute.

    ``project_directory`` defaults to the first path's directory. An empty ``env_files``
    means "not given": the loader then reads ``<project_directory>/.env`` if it exists.
    ``/dev/null`` in env_file (compose's way to say "no env file") is dropped.
    """
    entry = _unwrap(entry)
    if isinstance(entry, str):
        entry = LDict({"path": entry}, at=where)
    if not isinstance(entry, dict) or "path" not in entry:
        raise UserError.at(where, "an include entry needs a path",
                           "write - ./other/compose.yaml or - path: ./other/compose.yaml")
    raw_paths = _string_list(entry["path"], _at(entry, "path", where), "path")
    remote = [p for p in raw_paths if p.startswith(_REMOTE_PREFIXES)]
    if remote:
        raise UserError.at(_at(entry, "path", where), f"remote include {remote[0]!r} is not supported",
                           "download the project and include its local path")
    paths = [_absolute(p, base_dir) for p in raw_paths]
    project_dir = _unwrap(entry.get("project_directory"))
    project_dir = _absolute(str(project_dir), base_dir) if project_dir else os.path.dirname(paths[0])
    env_files = []
    if entry.get("env_file") is not None:
        env_files = [_absolute(f, base_dir) for f in
                     _string_list(entry["env_file"], _at(entry, "env_file", where), "env_file")
                     if f != "/dev/null"]
    return paths, project_dir, env_files


def _at(mapping, key, fallback: Location) -> Location:
    if isinstance(mapping, LDict) and key in mapping:
        return mapping.loc(key).with_path(fallback.key_path + (key,))
    return fallback


def _cycle_check(paths: list, stack: Sequence[str], where: Location) -> None:
    if paths[0] in stack:
        loop = list(stack)[list(stack).index(paths[0]):] + [paths[0]]
        top = os.path.dirname(loop[0])
        chain = " → ".join(os.path.relpath(p, top) for p in loop)
        raise UserError.at(where, f"include cycle: {chain}",
                           "an included project cannot include the project that includes it")


def _describe(loc: Location) -> str:
    return f"{loc.file}:{loc.line}" if loc.line else (loc.file or "this file")


def _import(doc: LDict, imported, errors: list) -> None:
    """Copy the included resources into ``doc`` (in place); conflicts go to ``errors``."""
    if not isinstance(imported, dict):
        return
    for key in RESOURCE_KEYS:
        section = _unwrap(imported.get(key))
        if not isinstance(section, dict):
            continue
        target = doc.get(key)
        if not isinstance(target, LDict):
            target = LDict(target or {}, at=section.at if isinstance(section, LDict) else doc.at)
            doc[key] = target
            doc.locs.setdefault(key, target.at)
        for name, value in section.items():
            there = section.loc(name) if isinstance(section, LDict) else Location()
            if name not in target:
                target[name] = value
                target.locs[name] = there
            elif plain(target[name]) != plain(value):
                here = target.loc(name)
                errors.append(diagnostic(
                    here.with_path((key, name)),
                    f"{key}.{name} is defined both in {_describe(here)} and in included "
                    f"{_describe(there)}",
                    "rename one of them, or delete one definition; included resources are "
                    "not merged"))


def apply_include(doc: LDict, base_dir: str, load_included: LoadIncluded,
                  stack: Sequence[str] = ()) -> LDict:
    """Resolve ``doc``'s ``include`` entries and copy in what they define.

    ``base_dir``: the directory relative include paths are resolved against (the including
    file's project directory). ``load_included(paths, project_directory, env_files)`` returns
    the fully loaded included document (merged, extends resolved, canonical). ``stack`` is
    the chain of compose files currently being included, outermost first (the loader passes
    ``stack + (paths[0],)`` when it applies include inside an included project); an entry
    whose first path is already on it is an include cycle. Returns a new document without
    ``include``; every conflict of the run is reported together in one :class:`UserError`.
    """
    if not isinstance(doc, dict) or "include" not in doc:
        return doc
    out = LDict({k: v for k, v in doc.items() if k != "include"}, at=doc.at, locs=doc.locs)
    for key in RESOURCE_KEYS:  # copy the sections we add to, never mutate the input
        if isinstance(out.get(key), dict):
            out[key] = LDict(out[key], at=getattr(out[key], "at", out.at),
                             locs=getattr(out[key], "locs", None))
    entries = _unwrap(doc["include"])
    where = doc.loc("include").with_path(("include",))
    if entries is None:
        return out
    if not isinstance(entries, list):
        raise UserError.at(where, "include must be a list", "write include: [./other/compose.yaml]")
    errors: list = []
    for i, entry in enumerate(entries):
        entry_loc = (entries.loc(i) if isinstance(entries, LList) else where).with_path(("include", i))
        paths, project_dir, env_files = parse_entry(entry, base_dir, entry_loc)
        _cycle_check(paths, stack, entry_loc)
        _import(out, load_included(paths, project_dir, env_files), errors)
    if errors:
        raise UserError(errors)
    return out
