"""``compose2ecs convert``: inputs → ECS model → the artefacts the user asked for.

Pure orchestration over the emitters; the CLI renders what :func:`run` returns.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

from .errors import Location, UserError


@dataclass(frozen=True)
class ConvertResult:
    findings: tuple
    notes: tuple = ()  # extra lines for stderr (where things were written)


def run(options, *, fmt: str, output=None, as_json: bool = False, report=None,
        stdin=None, environ=None) -> ConvertResult:
    """Convert and write the artefacts. Raises UserError for invalid input."""
    from .pipeline import convert_inputs

    conversion = convert_inputs(options, environ, stdin)
    notes = []
    if fmt == "taskdef":
        notes += _write_taskdefs(conversion.ecs, output)
    else:
        notes += _write_cloudformation(conversion, output, as_json, report)
    if report:
        from .report import render_report

        _write_text(report, render_report(conversion.project, conversion.ecs,
                                          next_command_for(fmt, output)))
        notes.append(f"report written to {report}")
    return ConvertResult(conversion.findings, tuple(notes))


def next_command_for(fmt: str, output) -> str:
    """The command a user runs after converting (shown in the report)."""
    if fmt == "taskdef":
        target = os.path.join(output, "<family>.json") if output else "<family>.json"
        return f"aws ecs register-task-definition --cli-input-json file://{target}"
    template = output or "cloudformation.yaml"
    if is_directory_target(output):
        template = os.path.join(output, "cloudformation.yaml")
    return (f"aws cloudformation deploy --template-file {template} --stack-name <name> "
            "--capabilities CAPABILITY_IAM --parameter-overrides VpcId=vpc-… Subnets=subnet-…,subnet-…")


def is_directory_target(output) -> bool:
    return bool(output) and (output.endswith(("/", os.sep)) or os.path.isdir(output))


def _write_taskdefs(ecs, output) -> list:
    from .emit.taskdef import render_task_definitions, task_definition_dict

    if not output or output == "-":
        array = [task_definition_dict(td) for td in ecs.task_definitions]
        _write_text(None, json.dumps(array, indent=2, sort_keys=True) + "\n")
        return []
    if os.path.exists(output) and not os.path.isdir(output):
        raise UserError.at(Location(output), "exists and is not a directory",
                           "with --format taskdef, -o names a directory for <family>.json files")
    os.makedirs(output, exist_ok=True)
    written = []
    for family, text in sorted(render_task_definitions(ecs).items()):
        path = os.path.join(output, f"{family}.json")
        _write_text(path, text)
        written.append(path)
    return [f"wrote {len(written)} task definition(s) to {output}"]


def _write_cloudformation(conversion, output, as_json: bool, report) -> list:
    from .emit.cloudformation import build_templates, dump_template

    fmt = "json" if as_json else "yaml"
    templates = build_templates(conversion.ecs)
    texts = {name: dump_template(tpl, fmt) for name, tpl in templates.items()}
    if is_directory_target(output):
        return _write_bundle(conversion, output, texts)
    if len(texts) > 1 and output:
        raise UserError.at(Location(output), "this project needs nested stacks (several templates)",
                           "give -o a directory (ending in /) to write the whole bundle")
    main_name = sorted(texts)[0] if "cloudformation.yaml" not in texts else "cloudformation.yaml"
    _write_text(output, texts[main_name])
    return [f"template written to {output}"] if output and output != "-" else []


def _write_bundle(conversion, output, texts) -> list:
    from .emit.bundle import write_bundle
    from .emit.taskdef import render_task_definitions
    from .report import render_report

    report_text = render_report(conversion.project, conversion.ecs, next_command_for("cloudformation", output))
    written = write_bundle(output, conversion.project, conversion.ecs, conversion.findings,
                           template_files=texts, taskdefs=render_task_definitions(conversion.ecs),
                           report=report_text)
    return [f"bundle written to {output} ({len(written)} files)"]


def _write_text(path, text: str) -> None:
    from .output import write_text

    write_text(path, text)
