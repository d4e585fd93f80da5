"""Phase 11b: what the services refer to must exist, and dependencies must not loop.

Runs on the merged, profile-filtered canonical document, like Docker Compose's own checks:

* a service needs an ``image`` or a ``build`` section;
* named volumes, networks, secrets and configs a service uses are declared at the top level;
* ``depends_on`` / ``links`` / ``volumes_from`` / ``service:x`` never form a cycle (a
  service cannot wait for itself).

All problems of the project are reported together, each at the reference's location.
"""
from __future__ import annotations

from ..errors import Finding, Location, UserError, diagnostic
from .profiles import dependencies
from .source import LDict, locate

_IMPLICIT_NETWORKS = frozenset(("default",))  # exists without being declared


def check_references(doc: LDict) -> None:
    """Raise :class:`UserError` with every dangling reference and dependency cycle."""
    services = doc.get("services") or {}
    if not isinstance(services, dict):
        return
    errors: list = []
    for name in sorted(services, key=str):
        service = services[name]
        if not isinstance(service, dict):
            continue
        errors += _image_or_build(doc, name, service)
        errors += _dangling(doc, name, service)
    errors += _cycles(doc, services)
    if errors:
        raise UserError(sorted(errors, key=Finding.sort_key))


def _image_or_build(doc, name, service) -> list:
    if service.get("image") or service.get("build"):
        return []
    return [diagnostic(locate(doc, ("services", name)),
                       f"service {name!r} has neither an image nor a build context",
                       "add `image:` (or `build:` with an image given to compose2ecs by --image)")]


def _dangling(doc, name, service) -> list:
    out = []
    for key, section, used in _USES:
        declared = doc.get(section) or {}
        for index, ref in used(service.get(key)):
            if ref in declared or (section == "networks" and ref in _IMPLICIT_NETWORKS):
                continue
            path = ("services", name, key, index)
            out.append(diagnostic(locate(doc, path),
                                  f"service {name!r} refers to undefined {section[:-1]} {ref!r}",
                                  f"declare it under the top-level `{section}:` key"))
    return out


def _named_volumes(value):
    for index, mount in enumerate(value or ()):
        if isinstance(mount, dict) and mount.get("type") == "volume" and mount.get("source"):
            yield index, mount["source"]


def _service_networks(value):
    for network in (value or {}):
        yield network, network


def _file_references(value):
    for index, ref in enumerate(value or ()):
        if isinstance(ref, dict) and ref.get("source"):
            yield index, ref["source"]


# (service key, top-level section, how to read the names a service uses from it)
_USES = (
    ("volumes", "volumes", _named_volumes),
    ("networks", "networks", _service_networks),
    ("secrets", "secrets", _file_references),
    ("configs", "configs", _file_references),
)


def _cycles(doc, services) -> list:
    """Depth-first search over the dependency graph; one error per distinct cycle."""
    graph = {name: [(dep, loc) for dep, loc, _ in dependencies(name, services[name])
                    if dep in services]
             for name in services}
    state: dict = {}
    found: list = []
    seen_cycles: set = set()

    def visit(name, trail):
        state[name] = "active"
        for dep, loc in graph.get(name, ()):
            if state.get(dep) == "active":  # active services are exactly those on the trail
                cycle = trail[trail.index(dep):] + [dep]
                key = frozenset(cycle)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    found.append(_cycle_error(cycle, loc))
            elif dep not in state:
                visit(dep, trail + [dep])
        state[name] = "done"

    for name in sorted(graph, key=str):
        if name not in state:
            visit(name, [name])
    return found


def _cycle_error(cycle: list, loc: Location) -> Finding:
    if len(cycle) == 2 and cycle[0] == cycle[1]:
        return diagnostic(loc, f"service {cycle[0]!r} depends on itself",
                          "remove the service from its own depends_on")
    chain = " → ".join(cycle)
    return diagnostic(loc, f"dependency cycle: {chain}",
                      "services cannot wait for each other; remove one of these dependencies")
