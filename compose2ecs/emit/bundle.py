"""The ``-o DIR/`` bundle: cloudformation.yaml (+ nested stacks), taskdefs/*.json, report.md
and a README.md with the exact AWS CLI commands to validate and deploy.

Writing is atomic per run (:class:`~compose2ecs.output.Outputs`): everything is written into a
staging directory beside the target first; only when every file of the run is complete are
they moved into place. A failure or a signal leaves no half-written file, and nothing is
deleted except the staging directory — files the user keeps in the target directory are
never touched.

The two independent halves — task definitions and report, and the templates — are rendered
side by side when a second core is there to help (:mod:`compose2ecs.background`); the
README, which lists both, is rendered last. The files are the same either way (tested).
"""
from __future__ import annotations

import json
import os
from pathlib import PurePosixPath
from typing import Callable, Optional

import yaml

from ..templating import render, template
from .cfn.context import pascal
from .cfn.split import NESTED_DIR
from ..records import record

README_TEMPLATE = "bundle_readme.md.j2"
DIRECT_BODY_LIMIT = 51_200  # bytes `--template-body` accepts; bigger goes through S3
FORK_FROM_TASKS = 50  # below this many task definitions a second process costs more than it saves


@record(slots=False)
class BundleParts:
    """How to render each part (called once each, possibly in another process)."""

    templates: Callable[[], dict]  # file name (cloudformation.yaml, nested/…) → text
    taskdefs: Callable[[], dict]  # family (or file name) → JSON text
    report: Callable[[], str]


def _safe_relative(name: str) -> str:
    parts = name.split("/")
    if all(part not in ("", ".", "..") for part in parts):
        return name  # already normal and relative (the common case: no Path object needed)
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"refusing to write {name!r} outside the bundle directory")
    return str(path)


def _taskdef_file(name: str) -> str:
    return _safe_relative("taskdefs/" + (name if name.endswith(".json") else f"{name}.json"))


def _load(text: str):
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def parameters_section(root_text: str) -> dict:
    """The template's ``Parameters`` mapping, read without parsing the whole template.

    Parsing a big template took longer than writing it (issue 5). Templates are JSON or
    block YAML whose top-level keys are the only lines starting in column 0 (scalars never
    span lines), so the section is the lines from ``Parameters:`` to the next such line;
    anything else falls back to reading the whole text."""
    if root_text.lstrip().startswith("{"):
        return (json.loads(root_text) or {}).get("Parameters") or {}
    start = 0 if root_text.startswith("Parameters:") else root_text.find("\nParameters:") + 1
    if start > 0 or root_text.startswith("Parameters:"):
        end = start + 1
        while True:
            end = root_text.find("\n", end) + 1
            if end <= 0 or end >= len(root_text) or root_text[end] not in " -\n#":
                break
        try:
            chunk = _load(root_text[start:end] if end > 0 else root_text[start:])
        except yaml.YAMLError:  # not laid out as expected: read it all
            chunk = None
        if isinstance(chunk, dict) and list(chunk) == ["Parameters"]:
            return chunk["Parameters"] or {}
    return ((_load(root_text) or {}).get("Parameters")) or {}


def _parameters(root_text: str) -> list:
    out = []
    for name, spec in sorted(parameters_section(root_text).items()):
        out.append({"name": name, "type": spec.get("Type", "String"), "default": spec.get("Default"),
                    "description": str(spec.get("Description", "")).replace("|", "\\|")})
    return out


def _overrides(parameters: list) -> str:
    required = [p["name"] for p in parameters if p["default"] is None]
    words = []
    for name in required:
        example = {"VpcId": "vpc-0123456789abcdef0", "Subnets": "subnet-aaaa,subnet-bbbb"}.get(name, "VALUE")
        words.append(f"{name}={example}")
    return " ".join(words) or "(none required)"


def render_readme(directory: str, ecs, findings, template_files: dict, taskdefs: list) -> str:
    """The bundle's README.md from the Jinja2 template shipped in the package; ``taskdefs``
    are the file names written under ``taskdefs/``."""
    root_name = next(n for n in sorted(template_files) if not n.startswith(NESTED_DIR + "/"))
    root_text = template_files[root_name]
    parameters = _parameters(root_text)
    secrets = [{"key": s.key, "source": s.source_file or f"<value of {s.key}>",
                "output": "Secret" + pascal(s.key) + "Arn"}
               for s in ecs.secrets if s.create and s.kind == "secret"]  # configs: deploy stores them in SSM
    return render(README_TEMPLATE,
        root=root_name, project=ecs.name, stack=ecs.name, directory=directory.rstrip("/") or ".",
        services=[s.name for s in ecs.services], nested=sorted(n for n in template_files if n != root_name),
        taskdefs=sorted(taskdefs),
        findings=len(findings), parameters=parameters, overrides=_overrides(parameters),
        placeholders=[p for p in sorted(ecs.placeholders, key=lambda p: p.value)
                      if any(p.value in t for t in template_files.values())], big=len(root_text.encode()) > DIRECT_BODY_LIMIT,
        secrets=secrets, efs=any(not v.file_system_id for v in ecs.efs_volumes),
        task_roles=any(s.task_policies or s.enable_execute_command for s in ecs.services),
        cost=_cost(ecs))


def _cost(ecs) -> dict:
    from ..cost.render import report_context  # the estimate section (compose2ecs/cost)

    return report_context(ecs)


def _makedirs(directory: str, made: set) -> None:
    if directory not in made:
        os.makedirs(directory, exist_ok=True)
        made.add(directory)


def _write_files(root: str, files, made: set) -> None:
    for rel, text in files:
        path = os.path.join(root, rel)
        _makedirs(os.path.dirname(path), made)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)


def _staged_files(staging: str) -> list:
    """Relative paths of every file in the staging directory (sorted, ``/``-separated)."""
    out = []
    for folder, _, names in os.walk(staging):
        rel = os.path.relpath(folder, staging)
        out += [name if rel == "." else f"{rel}/{name}".replace(os.sep, "/") for name in names]
    return sorted(out)


def write_bundle(directory: str, ecs, findings, parts: BundleParts, *, fork: Optional[bool] = None) -> list:
    """Render and write the bundle into ``directory`` atomically; returns the paths written (sorted).

    ``fork``: render the task definitions and report in a child process (default: when the
    project is big enough and :func:`~compose2ecs.background.can_fork`)."""
    from ..output import Outputs

    with Outputs() as outputs:
        tree = stage_bundle(outputs, directory, ecs, findings, parts, fork=fork)
        outputs.commit()
    return [os.path.join(tree.real, rel) for rel in tree.files]


def stage_bundle(outputs, directory: str, ecs, findings, parts: BundleParts, *,
                 fork: Optional[bool] = None):
    """Render the bundle into a staging directory of ``outputs`` (an
    :class:`~compose2ecs.output.Outputs`); it is swapped in when ``outputs`` commits, with
    the run's other outputs. Returns the :class:`~compose2ecs.output.Tree`."""
    from .. import background, interrupts

    tree = outputs.directory(directory)
    staging = tree.staging
    job = None
    try:
        def side() -> None:  # what does not depend on the templates
            taskdefs = parts.taskdefs()
            _write_files(staging, [(_taskdef_file(n), t) for n, t in taskdefs.items()] +
                         [("report.md", parts.report())], set())

        if fork is None:
            fork = len(ecs.task_definitions) >= FORK_FROM_TASKS and background.can_fork()
        if fork:  # load Jinja once, before the fork: the child's report and our README share it
            template(README_TEMPLATE)
        if fork:
            with interrupts.deferred():  # the started child is recorded before a signal unwinds
                job = background.start(side, True)
        else:
            job = background.start(side, False)
        template_files = parts.templates()
        made: set = set()
        _write_files(staging, [(_safe_relative(n), t) for n, t in template_files.items()], made)
        job.wait()
        job = None
        files = _staged_files(staging)  # everything both halves wrote; the README lists them
        taskdefs = [rel[len("taskdefs/"):] for rel in files if rel.startswith("taskdefs/")]
        _write_files(staging, [("README.md", render_readme(directory, ecs, findings, template_files, taskdefs))], made)
        tree.files = sorted(files + ["README.md"])
    finally:
        if job is not None:  # failed or interrupted: stop the child before its files go
            with interrupts.deferred():
                job.cancel()
    return tree
