"""Phase 12: a service's final environment: ``env_file`` contents and host values inlined.

Rules (compose-spec ``05-services.md``, compose-go ``types/project.go``
``WithServicesEnvironmentResolved``):

* ``env_file`` entries are read in order, a later file winning over an earlier one; a
  file's ``${VAR}`` sees its own earlier lines, then earlier files, then the project
  variables. ``format: raw`` values are taken literally.
* A missing file is an error unless the entry says ``required: false``.
* ``environment`` wins over every env file, even with an empty value.
* ``VAR`` alone (value ``None``), in ``environment`` or in an env file, takes the project
  variable of that name; when there is none it is dropped — including an env-file value
  of the same name, because the explicit entry wins (Compose passes it on unset).
* The ``env_file`` key is removed; values keep a location (an env-file value points at
  its line in the env file).
"""
from __future__ import annotations

import os
from typing import Optional

from ..errors import Finding, Location, Severity, UserError
from .envfile import EnvFileNotFound, display_path, read_dotenv
from .interpolate import as_lookup
from .source import LDict, LList


def resolve_service_environment(service: LDict, lookup, read_env_file=read_dotenv,
                                findings: Optional[list] = None) -> LDict:
    """Return ``service`` with ``env_file`` merged into ``environment`` and removed."""
    if not isinstance(service, dict) or ("env_file" not in service
                                         and "environment" not in service):
        return service
    lookup = as_lookup(lookup)
    prefix = tuple(getattr(service, "at", Location()).key_path)
    values, locs = _read_env_files(service, lookup, read_env_file, findings)
    explicit = _as_mapping(service.get("environment"))
    left_out: list = []
    for key, value in explicit.items():
        loc = explicit.loc(key) if isinstance(explicit, LDict) else _loc(service, "environment")
        if value is None:
            value = lookup(key)
            if value is None:
                values.pop(key, None)
                left_out.append((key, loc))
                continue
        values.pop(key, None)
        values[key] = value
        locs[key] = loc
    _note_left_out(findings, left_out)
    env_at = _loc(service, "environment") if "environment" in service else _loc(service,
                                                                                 "env_file")
    environment = LDict(at=env_at)
    for key, value in values.items():
        environment[key] = value
        environment.locs[key] = locs[key].with_path(prefix + ("environment", key))
    out = LDict(at=getattr(service, "at", Location()))
    for key, value in service.items():
        if key not in ("env_file", "environment"):
            out[key] = value
            out.locs[key] = _loc(service, key)
    out["environment"] = environment
    out.locs["environment"] = env_at
    return out


def _read_env_files(service, lookup, read_env_file, findings):
    """Values and locations of all env files of a service, later files winning."""
    values: dict = {}
    locs: dict = {}
    entries = service.get("env_file") or []
    if isinstance(entries, (str, dict)):
        entries = [entries]

    def file_lookup(name: str):
        value = values.get(name)
        return lookup(name) if value is None else value

    for index, entry in enumerate(entries):
        path, required, raw = _entry(entry)
        where = _item_loc(service.get("env_file"), index, _loc(service, "env_file"))
        name = display_path(path)
        try:
            kwargs = {"display_name": name, "findings": findings}
            if raw:
                kwargs["raw"] = True
            loaded = read_env_file(path, file_lookup, **kwargs)
        except EnvFileNotFound:
            if required:
                raise UserError.at(where, f"env file {name} not found",
                                   "create the file, fix the path, or mark the entry "
                                   "required: false") from None
            _note(findings, where, f"optional env file {name} not found; skipped")
            continue
        for key, value in loaded.items():
            value = file_lookup(key) if value is None else value
            if value is None:
                continue
            values.pop(key, None)
            values[key] = value
            locs[key] = loaded.loc(key) if isinstance(loaded, LDict) else Location(name)
    return values, locs


def _entry(entry):
    """(path, required, raw) of an env_file entry: canonical dict, or a bare path."""
    if isinstance(entry, dict):
        required = entry.get("required", True)
        if isinstance(required, str):
            required = required.strip().lower() not in ("false", "0", "no")
        return (os.fspath(entry.get("path", "")), bool(required),
                entry.get("format") == "raw")
    return os.fspath(entry), True, False


def _as_mapping(environment):
    """``environment`` as a mapping; a list ``["K=V", "K"]`` is accepted too."""
    if not environment:
        return LDict()
    if isinstance(environment, dict):
        return environment
    out = LDict(at=getattr(environment, "at", Location()))
    for index, item in enumerate(environment):
        key, sep, value = str(item).partition("=")
        out[key] = value if sep else None
        out.locs[key] = _item_loc(environment, index, out.at)
    return out


def _loc(node, key) -> Location:
    return node.loc(key) if isinstance(node, LDict) else getattr(node, "at", Location())


def _item_loc(node, index: int, fallback: Location) -> Location:
    return node.loc(index) if isinstance(node, LList) else fallback


def _note_left_out(findings: Optional[list], left_out: list) -> None:
    """One finding per service for key-only variables the host does not set (a real project
    lists dozens; one line each would bury everything else)."""
    if not left_out:
        return
    names = [key for key, _ in left_out]
    if len(names) == 1:
        _note(findings, left_out[0][1], f"environment variable {names[0]} is not set on this host; "
              "it is left out", f"set {names[0]} in the environment or the .env file")
        return
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    _note(findings, left_out[0][1], f"{len(names)} environment variables are not set on this host "
          f"and are left out: {shown}", "set them in the environment or the .env file")


def _note(findings: Optional[list], location: Location, message: str, hint: str = "") -> None:
    if findings is not None:
        findings.append(Finding(Severity.INFO, location, message, hint))


def _resolve_build_args(service, lookup):
    """``build.args`` entries without a value take the project variable, as Docker Compose
    does (they stay unset when there is none)."""
    build = service.get("build") if isinstance(service, dict) else None
    args = build.get("args") if isinstance(build, dict) else None
    if not isinstance(args, dict) or all(v is not None for v in args.values()):
        return service
    filled = LDict(args, at=getattr(args, "at", Location()), locs=getattr(args, "locs", None))
    for key, value in args.items():
        if value is None and lookup(key) is not None:
            filled[key] = lookup(key)
    new_build = LDict(build, at=getattr(build, "at", Location()), locs=getattr(build, "locs", None))
    new_build["args"] = filled
    out = LDict(service, at=getattr(service, "at", Location()), locs=getattr(service, "locs", None))
    out["build"] = new_build
    return out


def resolve_project_environment(doc: LDict, lookup, findings: Optional[list] = None,
                                read_env_file=read_dotenv) -> LDict:
    """Apply :func:`resolve_service_environment` to every service; all errors together."""
    services = doc.get("services") if isinstance(doc, dict) else None
    if not isinstance(services, dict):
        return doc
    new_services = LDict(at=getattr(services, "at", Location()),
                         locs=getattr(services, "locs", None))
    errors: list = []
    for name, service in services.items():
        try:
            service = _resolve_build_args(service, as_lookup(lookup))
            new_services[name] = resolve_service_environment(service, lookup, read_env_file,
                                                             findings)
        except UserError as exc:
            errors.extend(exc.diagnostics)
            new_services[name] = service
    if errors:
        raise UserError(errors)
    out = LDict(doc, at=getattr(doc, "at", Location()), locs=getattr(doc, "locs", None))
    out["services"] = new_services
    return out
