"""The rules of docs/architecture.md ("What may import what"), checked on the source.

Every ``import`` statement counts, at module level or inside a function (a lazy import is still a
dependency). A rule that needs an exception names it in ``EXCEPTIONS`` with the reason; the same
table is in docs/architecture.md, and a test below keeps the two in step.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "compose2ecs"
ARCHITECTURE = REPO / "docs" / "architecture.md"

CLI = ("compose2ecs.cli", "compose2ecs.cli_aws", "compose2ecs.cli_help", "compose2ecs.cli_options",
       "compose2ecs.cli_run", "compose2ecs.cli_completion", "compose2ecs.__main__")

# area (module prefix) → areas it must never import; "cli" means every module in CLI
FORBIDDEN = {
    "compose2ecs.compose": ("compose2ecs.ecs", "compose2ecs.emit", "compose2ecs.aws", "compose2ecs.cost",
                            "compose2ecs.pipeline", "compose2ecs.convert", "cli"),
    "compose2ecs.ecs": ("compose2ecs.emit", "compose2ecs.aws", "compose2ecs.cost", "compose2ecs.pipeline",
                        "compose2ecs.convert", "cli"),
    "compose2ecs.emit": ("compose2ecs.aws", "compose2ecs.pipeline", "compose2ecs.convert", "cli"),
    "compose2ecs.aws": ("cli",),
    "compose2ecs.cost": ("cli",),
    "compose2ecs.pipeline": ("compose2ecs.emit", "compose2ecs.aws", "cli"),
}

# (importer, imported) pairs allowed although a rule above forbids them, each with its reason
EXCEPTIONS = {
    ("compose2ecs.ecs.tdsize", "compose2ecs.emit.taskdef"):
        "the 64 KiB task-definition limit is measured on the JSON the emitter writes",
}

# only these modules may import boto3/botocore, and only inside a function
BOTO_MODULES = ("compose2ecs.aws", "compose2ecs.cost.live", "compose2ecs.cost.command")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str):
    """(imported module, line, at module level?) for every import statement of module ``name``."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, id(node) in top_level
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                prefix = ".".join(package[:len(package) - node.level + 1])
                base = f"{prefix}.{base}" if base else prefix
            for alias in node.names:  # `from . import x` imports the module x when there is one
                sub = f"{base}.{alias.name}"
                yield (sub if sub in MODULES else base), node.lineno, id(node) in top_level


def _under(name: str, prefix: str) -> bool:
    if prefix == "cli":
        return name in CLI
    return name == prefix or name.startswith(prefix + ".")


def _edges() -> dict:
    return {name: {target for target, _, _ in _imports(name) if target in MODULES and target != name}
            for name in MODULES}


@pytest.mark.parametrize("area", sorted(FORBIDDEN))
def test_no_area_imports_what_its_rule_forbids(area):
    broken = []
    for name in MODULES:
        if not _under(name, area):
            continue
        for target, line, _ in _imports(name):
            bad = [p for p in FORBIDDEN[area] if _under(target, p)]
            if bad and (name, target) not in EXCEPTIONS:
                broken.append(f"{MODULES[name].relative_to(REPO)}:{line}: imports {target}")
    assert not broken, "docs/architecture.md forbids:\n" + "\n".join(broken)


def test_every_exception_is_still_needed_and_documented():
    doc = ARCHITECTURE.read_text(encoding="utf-8")
    for (importer, imported), reason in EXCEPTIONS.items():
        assert imported in {t for t, _, _ in _imports(importer)}, f"{importer} no longer imports {imported}: drop it"
        assert f"`{importer}` → `{imported}`" in doc, f"document the exception {importer} → {imported}"


def test_boto3_only_in_the_aws_layer_and_only_lazily():
    broken = []
    for name in MODULES:
        for target, line, top in _imports(name):
            if target.split(".")[0] not in ("boto3", "botocore"):
                continue
            where = f"{MODULES[name].relative_to(REPO)}:{line}"
            if not any(_under(name, allowed) for allowed in BOTO_MODULES):
                broken.append(f"{where}: imports {target} outside aws/ (and cost/ live prices)")
            elif top:
                broken.append(f"{where}: imports {target} at module level: import it inside the function")
    assert not broken, "\n".join(broken)


def _cycles(edges: dict) -> list:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_circles():
    assert _cycles(_edges()) == [], "modules that import each other (directly or round a loop)"


def test_the_cycle_check_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_loader_does_not_import_the_pipeline():
    assert "compose2ecs.pipeline" not in _edges()["compose2ecs.compose.load"]
