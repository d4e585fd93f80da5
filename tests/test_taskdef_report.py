"""The Markdown report renders for every golden case and lists what a user must act on."""
from __future__ import annotations

import pytest

from compose2ecs.report import render_report
from tests.conftest import FIXTURES
from tests.golden import cases
from tests.taskdef_cases import convert_case

GOOD = [c for c in cases(FIXTURES / "taskdef") if not c.name.startswith("bad-")]


@pytest.mark.parametrize("case", GOOD, ids=[c.name for c in GOOD])
def test_report_names_services_placeholders_and_findings(case):
    project, ecs = convert_case(case)
    text = render_report(project, ecs, "aws ecs register-task-definition --cli-input-json file://x.json")
    for service in ecs.services:
        assert f"### {service.name} → task definition `{service.task_definition}`" in text
    for placeholder in ecs.placeholders:
        assert placeholder.value in text
    for finding in ecs.findings:
        assert finding.message.replace("|", "\\|") in text
    assert text.rstrip().endswith("```") and "file://x.json" in text
    assert render_report(project, ecs, "n") == render_report(project, ecs, "n")


def test_efs_placeholders_are_distinct_per_volume():
    from compose2ecs.compose.model import Project, Service, TopLevelResource, VolumeMount
    from compose2ecs.ecs.lower import LowerOptions, lower

    svc = Service(name="a", image="x", volumes=(VolumeMount("volume", "/b", "bvol"), VolumeMount("volume", "/a", "avol")))
    project = Project("p", "/", (svc,), volumes=(TopLevelResource("avol"), TopLevelResource("bvol")))
    ecs = lower(project, LowerOptions())
    values = [p.value for p in ecs.placeholders]
    assert len(values) == len(set(values)) == 2


def _lowered(top_x_ecs=None):
    from compose2ecs.compose.model import Project, Service
    from compose2ecs.ecs.lower import LowerOptions, lower

    extensions = (("x-ecs", top_x_ecs),) if top_x_ecs else ()
    project = Project("shop", "/", (Service(name="web", image="nginx"),), extensions=extensions)
    return project, lower(project, LowerOptions())


def test_stack_report_names_the_per_stack_log_group():
    project, ecs = _lowered()
    stack = render_report(project, ecs, "aws cloudformation deploy --template-file t.yaml")
    assert "Log group `/ecs/<stack name>`" in stack and "created by the stack" in stack
    assert "create-log-group" not in stack
    plain = render_report(project, ecs, "aws ecs register-task-definition --cli-input-json file://x.json")
    assert "create-log-group --log-group-name /ecs/shop" in plain


def test_stack_report_keeps_a_log_group_the_user_named():
    project, ecs = _lowered({"log_group": "/team/shop"})
    stack = render_report(project, ecs, "aws cloudformation deploy --template-file t.yaml")
    assert "Log group `/team/shop`" in stack and "/ecs/<stack name>" not in stack
