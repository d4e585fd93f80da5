"""``compose2ecs convert``: inputs → ECS model → the artefacts the user asked for.

Three steps, so that a failure never leaves half the artefacts behind: check that every
output path can be written, render every artefact in memory, then write them. The CLI
renders what :func:`run` returns.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

from .errors import Location, UserError
from .gcpause import gc_paused
from .output import check_writable, is_special, write_all


@dataclass(frozen=True)
class ConvertResult:
    findings: tuple
    notes: tuple = ()  # extra lines for stderr (where things were written)


@gc_paused()
def run(options, *, fmt: str, output=None, as_json: bool = False, report=None,
        stdin=None, environ=None) -> ConvertResult:
    """Convert and write the artefacts. Raises UserError for invalid input or unwritable paths."""
    from .pipeline import convert_inputs

    bundle = fmt == "cloudformation" and is_directory_target(output)
    check_writable(output, directory=bundle or (fmt == "taskdef" and bool(output)))
    check_writable(report)
    conversion = convert_inputs(options, environ, stdin)
    if fmt == "taskdef":
        writes, notes = _taskdef_outputs(conversion.ecs, output)
    elif bundle:
        writes, notes = [], []
    else:
        writes, notes = _template_outputs(conversion, output, as_json)
    if report:
        from .report import render_report

        text = render_report(conversion.project, conversion.ecs, next_command_for(fmt, output, as_json))
        writes.append((report, text))
        notes.append(f"report written to {report}")
    if bundle:  # the bundle writer is atomic on its own (staging directory, then rename)
        notes = _write_bundle(conversion, output, as_json) + notes
    write_all(writes)
    return ConvertResult(conversion.findings, tuple(notes))


def next_command_for(fmt: str, output, as_json: bool = False) -> str:
    """The command a user runs after converting (shown in the report)."""
    if fmt == "taskdef":
        target = os.path.join(output, "<family>.json") if output else "<family>.json"
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


def _taskdef_outputs(ecs, output) -> tuple:
    """stdout: one JSON array; ``-o DIR``: one ``<family>.json`` per task definition."""
    from .emit.taskdef import render_task_definitions, task_definition_dict

    if not output or output == "-":
        array = [task_definition_dict(td) for td in ecs.task_definitions]
        return [(None, json.dumps(array, indent=2, sort_keys=True) + "\n")], []
    if os.path.exists(output) and not os.path.isdir(output):
        raise UserError.at(Location(output), "exists and is not a directory",
                           "with --format taskdef, -o names a directory for <family>.json files")
    writes = [(os.path.join(output, f"{family}.json"), text)
              for family, text in sorted(render_task_definitions(ecs).items())]
    return writes, [f"wrote {len(writes)} task definition(s) to {output}"]


def _template_outputs(conversion, output, as_json: bool) -> tuple:
    """stdout or ``-o FILE``: the template. A project that needs nested stacks writes them
    beside FILE (``nested/services-NN.yaml``, where ``aws cloudformation package`` looks for
    the root's relative ``TemplateURL``s); stdout cannot hold several files."""
    from .emit.cloudformation import root_file

    texts = _templates(conversion.ecs, as_json)
    if output and output != "-" and _is_stdout(output):
        output = None  # `-o /dev/stdout` with stdout sent to a file: stdout, not a file to replace
    to_file = bool(output) and output != "-" and not is_special(output)
    if len(texts) > 1 and not to_file:
        raise UserError.at(Location(output if output and output != "-" else "<stdout>"),
                           f"this project needs nested stacks ({len(texts)} templates: the root and "
                           f"{len(texts) - 1} nested), and standard output holds only one",
                           "write it with -o FILE (nested stacks go to nested/ beside it), "
                           "or -o DIR/ for the whole bundle")
    root = texts.pop(root_file("json" if as_json else "yaml"))
    writes = [(output, root)]
    base = os.path.dirname(output) if to_file else ""
    writes += [(os.path.join(base, name), text) for name, text in sorted(texts.items())]
    if not to_file:
        return writes, []
    nested = f" and {len(texts)} nested stack(s) in {os.path.join(base, 'nested')}" if texts else ""
    return writes, [f"template written to {output}{nested}"]


def _is_stdout(path: str) -> bool:
    """True when ``path`` is this process's standard output (``/dev/stdout``, ``/dev/fd/1``)."""
    try:
        return os.path.samestat(os.stat(path), os.fstat(1))
    except (OSError, ValueError):
        return False


def _templates(ecs, as_json: bool) -> dict:
    from .emit.cloudformation import build_templates, dump_template

    fmt = "json" if as_json else "yaml"
    return {name: dump_template(tpl, fmt) for name, tpl in build_templates(ecs, fmt=fmt).items()}


def _write_bundle(conversion, output, as_json: bool) -> list:
    from .background import BackgroundError
    from .emit.bundle import BundleParts, write_bundle
    from .emit.taskdef import render_task_definitions
    from .report import render_report

    ecs = conversion.ecs
    parts = BundleParts(
        templates=lambda: _templates(ecs, as_json),
        taskdefs=lambda: render_task_definitions(ecs),
        report=lambda: render_report(conversion.project, ecs, next_command_for("cloudformation", output, as_json)))
    try:
        written = write_bundle(output, ecs, conversion.findings, parts)
    except OSError as exc:
        raise UserError.at(Location(output), f"cannot write the bundle: {exc.strerror or exc}",
                           "choose a writable directory") from None
    except BackgroundError as exc:  # the task definitions' half, written by a child process
        if not exc.os_error:
            raise  # a bug: reported as an internal error
        raise UserError.at(Location(output), f"cannot write the bundle: {exc}",
                           "choose a writable directory") from None
    return [f"bundle written to {output} ({len(written)} files)"]
