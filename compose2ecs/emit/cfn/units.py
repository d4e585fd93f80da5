"""The order in which a split project's units go into nested stacks.

A *unit* is what moves into a nested stack as a whole: one ECS service's resources, or one
EFS volume's. Nested stacks may only use what the root or an *earlier* nested stack made, so
units are ordered so that every unit comes after the units it references (Ref, GetAtt, Sub,
DependsOn) — whatever the shape of the project: a chain, a star, independent services.

Units that reference each other (a reference cycle, e.g. peer security-group rules between
two services on many networks) cannot be ordered. A resource nobody references (a *leaf*,
like such a rule) is then taken out of its unit into a unit of its own, which can come after
both; what still forms a cycle is kept together (one component), the least that is correct.
"""
from __future__ import annotations


def order(units: dict, refs: dict, referenced: set) -> list:
    """Groups of resource IDs in dependency order (each group goes into one nested stack).

    ``units``: unit name → resource IDs (in template order); ``refs``: resource ID → names
    it uses; ``referenced``: every name some resource or output uses (a resource not in it
    is a leaf). Deterministic: the same input gives the same order."""
    units = {name: list(ids) for name, ids in units.items()}
    components = _components(units, refs)
    cyclic = [c for c in components if len(c) > 1]
    if cyclic:
        for name in [n for c in cyclic for n in c]:
            _detach_leaves(units, name, refs, referenced)
        components = _components(units, refs)
    return [[rid for name in component for rid in units[name]] for component in components]


def _detach_leaves(units: dict, name: str, refs: dict, referenced: set) -> None:
    unit_of = {rid: n for n, ids in units.items() for rid in ids}
    keep = []
    for rid in units[name]:
        leaves_unit = rid not in referenced and any(unit_of.get(t, name) != name for t in refs.get(rid, ()))
        if leaves_unit:
            units[f"{name}\x00{rid}"] = [rid]
        else:
            keep.append(rid)
    units[name] = keep


def _edges(units: dict, refs: dict) -> dict:
    unit_of = {rid: name for name, ids in units.items() for rid in ids}
    position = {name: i for i, name in enumerate(units)}
    edges = {}
    for name, ids in units.items():
        targets = {unit_of[t] for rid in ids for t in refs.get(rid, ()) if t in unit_of}
        targets.discard(name)
        edges[name] = sorted(targets, key=position.__getitem__) if len(targets) > 1 else list(targets)
    return edges


def _components(units: dict, refs: dict) -> list:
    """Strongly connected components (Tarjan, iterative: chains are long), each after the
    components it references; the units of a component in template order."""
    edges = _edges(units, refs)
    position = {name: i for i, name in enumerate(units)}
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    for root in units:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(sorted(component, key=position.__getitem__))
    return out
