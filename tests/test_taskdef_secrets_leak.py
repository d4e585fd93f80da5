"""A file-based secret's contents never reach any output: task definitions, findings, report."""
from __future__ import annotations

from pathlib import Path

from compose2ecs.emit.taskdef import render_task_definitions
from compose2ecs.report import render_report
from tests.conftest import FIXTURES
from tests.taskdef_cases import convert_case

CASE = FIXTURES / "taskdef" / "secrets"


def test_file_secret_contents_never_leak():
    secret = (CASE / "db_password.txt").read_text().strip()
    assert secret  # the fixture must hold something to leak
    project, ecs = convert_case(CASE)
    outputs = list(render_task_definitions(ecs).values())
    outputs.append(render_report(project, ecs, "next"))
    outputs += [str(f) for f in ecs.findings]
    outputs.append(repr(ecs))
    for text in outputs:
        assert secret not in text


def test_file_secret_gets_a_placeholder_that_is_listed():
    _, ecs = convert_case(CASE)
    spec = {s.key: s for s in ecs.secrets}["db_password"]
    assert spec.create and "REPLACE-ME" in spec.value_from and "${" not in spec.value_from
    assert spec.value_from in {p.value for p in ecs.placeholders}


def test_environment_values_are_not_in_findings():
    _, ecs = convert_case(FIXTURES / "taskdef" / "secrets")
    assert not any("overridden-by-secret" in str(f) for f in ecs.findings)
