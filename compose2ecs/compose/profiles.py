"""Phase: profiles — keep the services the user asked for, drop the others.

Spec ``15-profiles.md``; reference compose-go ``types/project.go`` (``HasProfile``,
``WithProfiles``). A service without ``profiles`` is always on; a service with profiles is on
when one of them is active (``*`` activates all) or when it is named explicitly.

Deliberate divergence from the spec (this project's issue asks for it): a service that an
enabled service needs (``depends_on``, ``links``, ``volumes_from``, ``service:x`` in
``network_mode``/``ipc``/``pid``) is enabled too, transitively, instead of being an error.
The caller reports those auto-enabled names as info findings. Optional dependencies
(``depends_on: {x: {required: false}}``) do not enable anything; when their service is off
or undefined the entry is dropped, which is what compose does at run time.
"""
from __future__ import annotations

import difflib
from typing import Iterable, Mapping, Sequence

from ..errors import Location, UserError, diagnostic
from .source import LDict, LList, Override


def _unwrap(value):
    return value.value if isinstance(value, Override) else value


def active_profiles(cli_profiles: Sequence[str], environ: Mapping[str, str]) -> list:
    """Profiles from ``--profile`` (repeatable); without any, from ``COMPOSE_PROFILES``
    (comma separated). Blanks are ignored, duplicates removed, order kept."""
    raw = list(cli_profiles) if cli_profiles else environ.get("COMPOSE_PROFILES", "").split(",")
    seen: list = []
    for name in (p.strip() for p in raw):
        if name and name not in seen:
            seen.append(name)
    return seen


# --- what a service needs: one extractor per key (name, location, required) ----------------

def _depends_on(value, loc: Location):
    value = _unwrap(value)
    if isinstance(value, dict):
        for name, spec in value.items():
            spec = _unwrap(spec)
            required = _unwrap(spec.get("required", True)) if isinstance(spec, dict) else True
            yield str(name), _child_loc(value, name, loc), required is not False
    elif isinstance(value, list):
        for i, name in enumerate(value):
            yield str(_unwrap(name)), _child_loc(value, i, loc), True


def _prefixed_list(value, loc: Location):
    """links (``db:alias``) and volumes_from (``db:ro``, ``container:x`` is not a service)."""
    value = _unwrap(value)
    if isinstance(value, str):
        value = [value]
    for i, item in enumerate(value if isinstance(value, list) else ()):
        item = _unwrap(item)
        text = str(item.get("service", "")) if isinstance(item, dict) else str(item)
        if text and not text.startswith("container:"):
            yield text.split(":", 1)[0], _child_loc(value, i, loc), True


def _service_ref(value, loc: Location):
    value = _unwrap(value)
    if isinstance(value, str) and value.startswith("service:"):
        yield value[len("service:"):], loc, True


DEPENDENCY_KEYS = {
    "depends_on": _depends_on,
    "links": _prefixed_list,
    "volumes_from": _prefixed_list,
    "network_mode": _service_ref,
    "ipc": _service_ref,
    "pid": _service_ref,
}


def _child_loc(container, key, fallback: Location) -> Location:
    if isinstance(container, (LDict, LList)):
        try:
            return container.loc(key).with_path(fallback.key_path + (key,))
        except (KeyError, IndexError):
            pass
    return fallback


def dependencies(name: str, service) -> list:
    """Every (service name, location, required) that ``service`` needs, in file order."""
    service = _unwrap(service)
    if not isinstance(service, dict):
        return []
    out = []
    for key, extract in DEPENDENCY_KEYS.items():
        if key in service:
            loc = _child_loc(service, key, Location()).with_path(("services", name, key))
            out.extend(extract(service[key], loc))
    return out


# --- selection ----------------------------------------------------------------------------

def _profiles_of(service) -> list:
    service = _unwrap(service)
    value = _unwrap(service.get("profiles")) if isinstance(service, dict) else None
    return [str(_unwrap(p)) for p in value] if isinstance(value, list) else []


def _initially_on(services, active: set, explicit: set) -> list:
    if explicit:  # `config web` / `convert web`: those services (and, later, what they need)
        return [name for name in services if name in explicit]

    def on(name):
        profiles = _profiles_of(services[name])
        return not profiles or "*" in active or bool(active & set(profiles)) or name in explicit
    return [name for name in services if on(name)]


def _unknown_explicit(services, explicit: Iterable[str], where: Location) -> None:
    missing = [n for n in explicit if n not in services]
    if missing:
        raise UserError([diagnostic(where, f"no such service: {n!r}", _suggest(n, services))
                         for n in missing])


def _suggest(name: str, services) -> str:
    close = difflib.get_close_matches(name, [str(s) for s in services], n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return "defined services: " + ", ".join(sorted(map(str, services))) if services else \
        "the project defines no services"


def _dependency_hint(dep: str, services) -> str:
    close = difflib.get_close_matches(dep, [str(s) for s in services], n=1)
    if close:
        return f"did you mean {close[0]!r}? Otherwise define {dep!r} or remove the dependency"
    return f"define a service {dep!r} or remove the dependency"


def _close_over(services, enabled: list) -> tuple:
    """Enable required dependencies transitively; returns (enabled set, auto list, errors)."""
    on, auto, errors, queue = set(enabled), [], [], list(enabled)
    while queue:
        name = queue.pop(0)
        for dep, loc, required in dependencies(name, services[name]):
            if dep not in services:
                if required:
                    errors.append(diagnostic(
                        loc, f"service {name!r} depends on {dep!r}, which is not defined",
                        _dependency_hint(dep, services)))
            elif required and dep not in on:
                on.add(dep)
                auto.append(dep)
                queue.append(dep)
    return on, auto, errors


def _drop_optional(service, on: set):
    """Remove ``required: false`` depends_on entries whose service is off or undefined."""
    deps = _unwrap(service.get("depends_on")) if isinstance(service, dict) else None
    if not isinstance(deps, dict) or all(name in on for name in deps):
        return service
    kept = LDict({k: v for k, v in deps.items() if k in on}, at=getattr(deps, "at", Location()),
                 locs=getattr(deps, "locs", None))
    out = LDict(service, at=getattr(service, "at", Location()), locs=getattr(service, "locs", None))
    out["depends_on"] = kept
    return out


def declared_profiles(doc) -> tuple:
    """Every profile a service of ``doc`` names, sorted (for "no service selected")."""
    services = _unwrap(doc.get("services")) if isinstance(doc, dict) else None
    names = set()
    for service in (services.values() if isinstance(services, dict) else ()):
        names.update(str(p) for p in _profiles_of(service))
    return tuple(sorted(names))


def select_profiles(doc: LDict, active: Iterable[str],
                    explicit_services: Iterable[str] = ()) -> tuple:
    """Keep the services enabled by ``active`` profiles, ``explicit_services`` and their
    dependencies; returns ``(new document, auto-enabled service names)``.

    The names are those turned on only because an enabled service needs them, sorted.
    Raises :class:`UserError` for an explicit service that does not exist and for a
    required dependency on a service that is not defined at all (all of them together).
    """
    services = _unwrap(doc.get("services")) if isinstance(doc, dict) else None
    explicit = list(explicit_services)
    where = (doc.loc("services") if isinstance(doc, LDict) else Location()).with_path(("services",))
    _unknown_explicit(services if isinstance(services, dict) else {}, explicit, where)
    if not isinstance(services, dict):
        return doc, []
    on, auto, errors = _close_over(services, _initially_on(services, set(active), set(explicit)))
    if errors:
        raise UserError(errors)
    kept = LDict(at=getattr(services, "at", doc.at))
    for name, service in services.items():
        if name in on:
            kept[name] = _drop_optional(service, on)
            kept.locs[name] = services.loc(name) if isinstance(services, LDict) else kept.at
    out = LDict(doc, at=doc.at, locs=doc.locs)
    out["services"] = kept
    return out, sorted(auto)
