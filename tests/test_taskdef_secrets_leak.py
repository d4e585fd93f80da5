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


def test_secret_file_contents_never_reach_the_init_container_or_the_template(tmp_path):
    """Issue 16: the init container gets the value through ECS ``secrets`` only."""
    from compose2ecs.emit.cloudformation import build_templates

    case = tmp_path / "case"
    case.mkdir()
    value = "pw-LEAK-CANARY-$(id)-'\"\n"
    (case / "pw.txt").write_text(value)
    (case / "compose.yaml").write_text("name: leak\nservices:\n  db:\n    image: postgres:16\n"
                                       "    secrets: [{source: pw, target: /run/secrets/db, mode: 0400}]\n"
                                       "secrets:\n  pw:\n    file: ./pw.txt\n")
    project, ecs = convert_case(case)
    outputs = list(render_task_definitions(ecs).values()) + [repr(ecs), render_report(project, ecs, "next")]
    outputs += [str(t) for t in build_templates(ecs, fmt="json").values()] + [str(f) for f in ecs.findings]
    assert "compose2ecs-files" in outputs[0]
    for text in outputs:
        assert "LEAK-CANARY" not in text
