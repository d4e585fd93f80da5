"""Phase 9b: the dependencies Docker Compose adds on its own.

``links``, ``volumes_from``, ``network_mode: service:X``, ``ipc: service:X`` and
``pid: service:X`` make the service depend on X, as if ``depends_on`` said so (compose-go
``loader/normalize.go``). The entry is added only when ``depends_on`` does not name X
already, so an explicit condition wins. ``config`` shows the added entries and lowering
orders services by them.
"""
from __future__ import annotations

from ..errors import Location
from .profiles import DEPENDENCY_KEYS
from .source import LDict

# key → whether Docker Compose restarts the dependant when X restarts (``restart``).
IMPLICIT_KEYS = {"links": True, "volumes_from": False, "network_mode": True, "ipc": True,
                 "pid": True}


def add_implicit_dependencies(doc):
    """Return ``doc`` with each service's implicit dependencies in ``depends_on``."""
    services = doc.get("services") if isinstance(doc, dict) else None
    if not isinstance(services, dict):
        return doc
    changed = {name: _with_implicit(name, service) for name, service in services.items()}
    if all(changed[name] is services[name] for name in services):
        return doc
    new_services = LDict(changed, at=getattr(services, "at", Location()),
                         locs=getattr(services, "locs", None))
    out = LDict(doc, at=getattr(doc, "at", Location()), locs=getattr(doc, "locs", None))
    out["services"] = new_services
    return out


def _with_implicit(name: str, service):
    if not isinstance(service, dict) or not any(key in service for key in IMPLICIT_KEYS):
        return service
    existing = service.get("depends_on")
    existing = existing if isinstance(existing, dict) else {}
    added = []
    for key, restart in IMPLICIT_KEYS.items():
        if key not in service:
            continue
        loc = service.loc(key) if isinstance(service, LDict) else Location()
        for target, where, _required in DEPENDENCY_KEYS[key](service[key], loc):
            if target not in existing and target not in (t for t, _, _ in added):
                added.append((target, where, restart))
    if not added:
        return service
    depends_on = LDict(existing, at=getattr(existing, "at", service.loc("depends_on")
                                            if isinstance(service, LDict) else Location()),
                       locs=getattr(existing, "locs", None))
    for target, where, restart in added:
        spec = LDict({"condition": "service_started", "required": True, "restart": restart},
                     at=where)
        depends_on[target] = spec
        depends_on.locs[target] = where
    out = LDict(service, at=getattr(service, "at", Location()), locs=getattr(service, "locs", None))
    out["depends_on"] = depends_on
    if "depends_on" not in getattr(service, "locs", {}):
        out.locs["depends_on"] = depends_on.at
    return out
