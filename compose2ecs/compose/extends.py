"""Phase: resolve ``extends`` — a service built on another service (same file or another file).

Follows compose-go ``loader/extends.go``: the referenced (base) service's own ``extends`` is
resolved first; the local service is then merged onto a copy of the base with the extends
rules (:data:`~compose2ecs.compose.merge.EXTENDS_RULES`). As in current compose-go, the base's
``depends_on``, ``links``, ``volumes_from`` and ``service:x`` references are kept: a later
phase reports them if the service they name is not defined. Volumes, networks, secrets and
configs declared at the top of the other file are NOT imported (spec 05-services.md#extends).

``extends.file`` is resolved relative to the directory of the file that contains it. Other
files are obtained through the injected ``load_file(absolute_path)``, which returns that file's
canonical document (its relative paths already resolved against its own directory).
"""
from __future__ import annotations

import difflib
import os
from dataclasses import field
from typing import Callable

from ..errors import Location, UserError
from .merge import EXTENDS_RULES, merge_service
from .source import LDict, Override, locate
from ..records import record

LoadFile = Callable[[str], LDict]


@record(frozen=False, slots=False)
class _Resolver:
    """Resolves services of any file reached through extends, memoised per (file, service)."""

    load_file: LoadFile
    docs: dict = field(default_factory=dict)  # file → document
    done: dict = field(default_factory=dict)  # (file, service) → resolved service

    def services(self, file: str) -> LDict:
        doc = self.docs[file]
        services = doc.get("services") if isinstance(doc, dict) else None
        return services if isinstance(services, dict) else LDict()

    def resolve(self, file: str, name: str, chain: tuple = ()):
        """The service ``name`` of ``file`` with its extends applied; ``chain`` = the
        (file, service, extends location) entries that led here, to report cycles."""
        if (file, name) in self.done:
            return self.done[(file, name)]
        services = self.services(file)
        service = _unwrap(services.get(name))
        if not isinstance(service, dict) or "extends" not in service:
            return service
        ext_loc = locate(services, (name, "extends")).with_path(("services", name, "extends"))
        here = chain + ((file, name, ext_loc),)
        ref_file, ref = self._target(file, name, service, ext_loc)
        if any((f, n) == (ref_file, ref) for f, n, _ in here):
            raise _cycle_error(here, ref_file, ref)
        base = self.resolve(ref_file, ref, here)
        local = LDict({k: v for k, v in service.items() if k != "extends"},
                      at=service.at if isinstance(service, LDict) else Location(),
                      locs=getattr(service, "locs", None))
        merged = merge_service(base, local, EXTENDS_RULES, name=name, keep_tags=True)
        self.done[(file, name)] = merged
        return merged

    def _target(self, file: str, name: str, service: dict, ext_loc: Location):
        """(file, service) an extends points at; loads the other file when needed."""
        ext = _unwrap(service["extends"])
        if isinstance(ext, str):
            ext = LDict({"service": ext}, at=ext_loc)
        if not isinstance(ext, dict) or not isinstance(_unwrap(ext.get("service")), str):
            raise UserError.at(ext_loc, "extends needs the name of a service",
                               "write extends: {service: <name>, file: <path>} or extends: <name>")
        ref = _unwrap(ext["service"])
        ref_file = file
        raw = _unwrap(ext.get("file"))
        if raw is not None:
            ref_file = os.path.normpath(os.path.join(os.path.dirname(file), str(raw)))
            if ref_file not in self.docs:
                self.docs[ref_file] = self._load(ref_file, raw, _loc(ext, "file", ext_loc))
        if ref not in self.services(ref_file):
            raise _missing_service(name, ref, ref_file if raw is not None else None,
                                   self.services(ref_file), _loc(ext, "service", ext_loc))
        return ref_file, ref

    def _load(self, path: str, raw, where: Location):
        try:
            return self.load_file(path)
        except UserError as exc:
            # A file-level failure (missing, unreadable) is best shown at the extends.file
            # that asked for it; errors inside the file keep their own locations.
            if all(d.location.file and not d.location.line for d in exc.diagnostics):
                reason = "; ".join(d.message for d in exc.diagnostics)
                raise UserError.at(where, f"cannot read extends file {raw!r} ({path}): {reason}",
                                   "check the path; it is relative to the file that declares "
                                   "extends") from None
            raise


def _unwrap(value):
    return value.value if isinstance(value, Override) else value


def _loc(mapping, key, fallback: Location) -> Location:
    if isinstance(mapping, LDict) and key in mapping:
        return mapping.loc(key).with_path(fallback.key_path + (key,))
    return fallback


def _missing_service(name: str, ref: str, file, services, where: Location) -> UserError:
    place = f"in {file}" if file else "in this file"
    close = difflib.get_close_matches(ref, [str(s) for s in services], n=1)
    hint = f"did you mean {close[0]!r}?" if close else (
        "defined services: " + ", ".join(sorted(map(str, services))) if services
        else "that file defines no services")
    return UserError.at(where, f"service {name!r} extends {ref!r}, which is not defined {place}",
                        hint)


def _cycle_error(chain: tuple, ref_file: str, ref: str) -> UserError:
    start = next(i for i, (f, n, _) in enumerate(chain) if (f, n) == (ref_file, ref))
    loop = chain[start:]
    files = {f for f, _, _ in loop}

    def label(f, n):
        return n if len(files) == 1 else f"{n} ({os.path.basename(f)})"
    text = " → ".join([label(f, n) for f, n, _ in loop] + [label(ref_file, ref)])
    return UserError.at(chain[-1][2], f"extends cycle: {text}",
                        "a service cannot extend itself, directly or through other services")


def _new_problem(diag, errors: list) -> bool:
    """A cycle is one problem whichever of its services it was reached from."""
    def key(d):
        text = d.message.split(":", 1)
        if text[0] == "extends cycle" and len(text) > 1:
            return frozenset(part.strip() for part in text[1].split("→"))
        return d
    return all(key(diag) != key(other) for other in errors)


def apply_extends(doc: LDict, filename: str, load_file: LoadFile) -> LDict:
    """Resolve every service's ``extends`` in ``doc`` (read from ``filename``).

    Returns a new document whose services no longer have an ``extends`` key; ``doc`` is not
    modified. ``!reset``/``!override`` markers of the local services are kept for the later
    file merge (merge_documents strips them). Raises :class:`UserError` for cycles
    (``web → base → web``), unknown services and unreadable files, located at the extends key;
    errors from ``load_file`` inside the other file propagate unchanged.
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict):
        return doc
    filename = os.path.normpath(filename)
    resolver = _Resolver(load_file)
    resolver.docs[filename] = doc
    services = doc["services"]
    new_services = LDict(at=services.at, locs=services.locs)
    errors: list = []
    for name, original in services.items():
        try:
            resolved = resolver.resolve(filename, name)
        except UserError as exc:  # report every broken extends of the file at once
            errors.extend(d for d in exc.diagnostics if _new_problem(d, errors))
            continue
        # `web: !override {extends: ...}` must still replace web wholesale in the file merge
        keep = isinstance(original, Override) and resolved is not _unwrap(original)
        new_services[name] = Override(resolved) if keep else resolved
    if errors:
        raise UserError(errors)
    out = LDict(doc, at=doc.at, locs=doc.locs)
    out["services"] = new_services
    return out
