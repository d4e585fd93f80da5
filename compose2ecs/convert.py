"""``compose2ecs convert``: inputs → ECS model → the artefacts the user asked for.

Three steps, so that a failure never leaves half the artefacts behind: check that every
output path can be written, render and stage every artefact, then swap them all in
(:class:`~compose2ecs.output.Outputs`: all-or-nothing, inputs never overwritten). The CLI
renders what :func:`run` returns.
"""
from __future__ import annotations

import json
import os

from .errors import Location, UserError
from .gcpause import gc_paused
from .output import FILE, Outputs, cannot_write, check_writable, destination
from .readlog import note_read, recording
from .records import record


@record(slots=False)
class ConvertResult:
    findings: tuple
    notes: tuple = ()  # extra lines for stderr (where things were written)


@gc_paused()
def run(options, *, fmt: str, output=None, as_json: bool = False, report=None,
        stdin=None, environ=None) -> ConvertResult:
    """Convert and write the artefacts. Raises UserError for invalid input or unwritable paths."""
    from .pipeline import convert_inputs

    bundle = fmt == "cloudformation" and is_directory_target(output)
    check_writable(output, directory=bundle or (fmt == "taskdef" and taskdef_target(output) == "directory"))
    check_writable(report)
    with recording(), Outputs() as outputs:  # every file read is safe from every output
        conversion = convert_inputs(options, environ, stdin)
        note_declared_files(conversion.project)
        if fmt == "taskdef":
            notes = _taskdef_outputs(outputs, conversion.ecs, output)
        elif bundle:
            notes = _stage_bundle(outputs, conversion, output, as_json)
        else:
            notes = _template_outputs(outputs, conversion, output, as_json)
        if report:
            from .report import render_report

            text = render_report(conversion.project, conversion.ecs, next_command_for(fmt, output, as_json))
            outputs.file(report, text)
            notes.append(f"report written to {report}")
        outputs.commit()
    from .ecs.risky import default_execution_role

    extra = tuple(default_execution_role(conversion.ecs)) if fmt == "taskdef" else ()
    return ConvertResult(conversion.findings + extra, tuple(notes))


def note_declared_files(project) -> None:
    """Secret and config ``file:`` sources are inputs too (never overwritten by an output)."""
    for resource in project.secrets + project.configs:
        if isinstance(resource.get("file"), str):
            note_read(resource.get("file"))


def next_command_for(fmt: str, output, as_json: bool = False) -> str:
    """The command a user runs after converting (shown in the report)."""
    if fmt == "taskdef":
        target = {"directory": os.path.join(output or "", "<family>.json"),
                  "file": output}.get(taskdef_target(output), "<family>.json")
        return f"aws ecs register-task-definition --cli-input-json file://{target}"
    from .emit.cloudformation import root_file  # (imported by every CloudFormation conversion anyway)

    root = root_file("json" if as_json else "yaml")
    template = output or root
    if is_directory_target(output):
        template = os.path.join(output, root)
    return (f"aws cloudformation deploy --template-file {template} --stack-name <name> "
            "--capabilities CAPABILITY_IAM --parameter-overrides VpcId=vpc-… Subnets=subnet-…,subnet-…")


def is_directory_target(output) -> bool:
    return bool(output) and (output.endswith(("/", os.sep)) or os.path.isdir(output))


def taskdef_target(output) -> str:
    """Where ``--format taskdef`` writes: ``stream`` (stdout, a device or pipe), ``file``
    (a name ending in .json, or an existing file) or ``directory`` (one <family>.json each)."""
    if destination(output)[0] != FILE:
        return "stream"
    if is_directory_target(output):
        return "directory"
    if output.lower().endswith(".json") or os.path.lexists(output):
        return "file"
    return "directory"


def _taskdef_outputs(outputs, ecs, output) -> list:
    """One task definition is the bare object ``--cli-input-json`` takes (stdout or FILE);
    several are a JSON array on stdout and one ``<family>.json`` each in ``-o DIR``."""
    from .emit.taskdef import render_task_definitions, task_definition_dict

    where = taskdef_target(output)
    if where == "directory":
        rendered = sorted(render_task_definitions(ecs).items())
        try:
            tree = outputs.directory(output)
            for family, text in rendered:
                with open(os.path.join(tree.staging, f"{family}.json"), "w", encoding="utf-8",
                          newline="\n") as fh:
                    fh.write(text)
        except OSError as exc:
            raise cannot_write(output, exc, "; nothing was written") from None
        tree.files = [f"{family}.json" for family, _ in rendered]
        return [f"wrote {len(rendered)} task definition(s) to {output}"]
    tds = [task_definition_dict(td) for td in ecs.task_definitions]
    if len(tds) != 1 and where == "file":
        raise UserError.at(Location(output), f"the project has {len(tds)} task definitions; one .json "
                           "file holds exactly one (the object --cli-input-json takes)",
                           f"write them with -o {os.path.splitext(output)[0]}/ (one <family>.json each), "
                           "or convert one service: compose2ecs convert … SERVICE")
    outputs.file(output, json.dumps(tds[0] if len(tds) == 1 else tds, indent=2, sort_keys=True) + "\n")
    return [f"task definition written to {output}"] if where == "file" else []


def _template_outputs(outputs, conversion, output, as_json: bool) -> list:
    """stdout or ``-o FILE``: the template. A project that needs nested stacks writes them
    beside FILE (``nested/services-NN.yaml``, where ``aws cloudformation package`` looks for
    the root's relative ``TemplateURL``s); stdout cannot hold several files."""
    from .emit.cloudformation import root_file

    texts = _templates(conversion.ecs, as_json, side_by_side=True)
    to_file = destination(output)[0] == FILE
    if len(texts) > 1 and not to_file:
        raise UserError.at(Location(output if output and output != "-" else "<stdout>"),
                           f"this project needs nested stacks ({len(texts)} templates: the root and "
                           f"{len(texts) - 1} nested), and standard output holds only one",
                           "write it with -o FILE (nested stacks go to nested/ beside it), "
                           "or -o DIR/ for the whole bundle")
    root = texts.pop(root_file("json" if as_json else "yaml"))
    outputs.file(output, root)
    base = os.path.dirname(output) if to_file else ""
    for name, text in sorted(texts.items()):
        outputs.file(os.path.join(base, name), text)
    if not to_file:
        return []
    nested = f" and {len(texts)} nested stack(s) in {os.path.join(base, 'nested')}" if texts else ""
    return [f"template written to {output}{nested}"]


def _templates(ecs, as_json: bool, side_by_side: bool = False) -> dict:
    """``{file name: text}`` of the root template and its nested ones. ``side_by_side``: a
    project with nested stacks has its templates written out by two processes, half each
    (writing 3.7 MB of YAML is a tenth of a 1000-service convert; issue 12). The bundle does
    not ask: its second process already renders the task definitions."""
    from .emit.cloudformation import build_templates, dump_template

    fmt = "json" if as_json else "yaml"
    templates = build_templates(ecs, fmt=fmt)

    def dump(names) -> dict:
        return {name: dump_template(templates[name], fmt) for name in names}

    names = sorted(templates)
    if not (side_by_side and len(names) >= DUMP_SIDE_BY_SIDE_FROM):
        return dump(names)
    from . import background, interrupts

    if not background.can_fork():
        return dump(names)
    with interrupts.deferred():  # the started child is recorded before a signal unwinds
        job = background.start(lambda: dump(names[1::2]), True)
    try:
        texts = dump(names[::2])
        texts.update(job.wait())
        job = None
    finally:
        if job is not None:
            with interrupts.deferred():
                job.cancel()
    return {name: texts[name] for name in names}


DUMP_SIDE_BY_SIDE_FROM = 4  # templates (root + 3 nested, ~1,200 resources): below, a fork costs more than it saves


def _stage_bundle(outputs, conversion, output, as_json: bool) -> list:
    from .background import BackgroundError
    from .emit.bundle import BundleParts, stage_bundle
    from .emit.taskdef import render_task_definitions
    from .report import render_report

    ecs = conversion.ecs
    parts = BundleParts(
        templates=lambda: _templates(ecs, as_json),
        taskdefs=lambda: render_task_definitions(ecs),
        report=lambda: render_report(conversion.project, ecs, next_command_for("cloudformation", output, as_json)))
    try:
        tree = stage_bundle(outputs, output, ecs, conversion.findings, parts)
    except OSError as exc:
        raise UserError.at(Location(output), f"cannot write the bundle: {exc.strerror or exc}",
                           "choose a writable directory") from None
    except BackgroundError as exc:  # the task definitions' half, written by a child process
        if not exc.os_error:
            raise  # a bug: reported as an internal error
        raise UserError.at(Location(output), f"cannot write the bundle: {exc}",
                           "choose a writable directory") from None
    return [f"bundle written to {output} ({len(tree.files)} files)"]
