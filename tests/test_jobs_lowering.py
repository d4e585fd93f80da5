"""One-shot services lower to jobs, not ECS services that restart forever (issue 10 item 1).

The deploy side (RunTask, order, failures) is tests/test_aws_jobs.py.
"""
from __future__ import annotations

import pytest

from compose2ecs.emit.cloudformation import build_template
from compose2ecs.emit.taskdef import task_definition_dict
from compose2ecs.errors import UserError
from compose2ecs.pipeline import InputOptions, convert_inputs

from .oracle import task_definition_problems
from .test_cloudformation_support import lint

MIGRATION = """
services:
  db:
    image: postgres:16
    healthcheck: {test: ["CMD", "pg_isready"]}
  migrate:
    image: app:1
    command: ["./manage.py", "migrate"]
    depends_on: {db: {condition: service_healthy}}
  web:
    image: app:1
    ports: ["8000:8000"]
    depends_on:
      migrate: {condition: service_completed_successfully}
  worker:
    image: app:1
    depends_on:
      migrate: {condition: service_completed_successfully}
"""


def convert(tmp_path, text):
    (tmp_path / "compose.yaml").write_text(text)
    return convert_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path)),
                          environ={"AWS_REGION": "eu-west-1"})


def containers(ecs, family):
    return {c["name"]: c for c in task_definition_dict(ecs.task_definition(family))["containerDefinitions"]}


def test_an_awaited_job_runs_first_inside_every_dependant_task(tmp_path):
    ecs = convert(tmp_path, MIGRATION).ecs
    assert sorted(s.name for s in ecs.services) == ["db", "web", "worker"]  # no `migrate` service
    for family, app in (("tmp-web", "web"), ("tmp-worker", "worker")):
        family = next(td.family for td in ecs.task_definitions if td.family.endswith(app))
        found = containers(ecs, family)
        assert found["migrate"]["essential"] is False
        assert {"containerName": "migrate", "condition": "SUCCESS"} in found[app]["dependsOn"]
        assert task_definition_problems(task_definition_dict(ecs.task_definition(family))) == []
    web = ecs.service("web")
    assert "db" in web.depends_on  # the job's own provider is waited for by its host task


def test_the_init_finding_says_what_happens_where_the_dependency_is_written(tmp_path):
    findings = convert(tmp_path, MIGRATION).findings
    job = [f for f in findings if "one-shot job" in f.message]
    assert len(job) == 1
    assert job[0].location.key_path == ("services", "web", "depends_on", "migrate")
    assert "runs once per task start" in job[0].message and "x-ecs.job: run-task" in job[0].hint


@pytest.mark.parametrize("restart", ['"no"', "on-failure", "on-failure:3"])
def test_restart_no_without_ports_is_a_run_task_job(tmp_path, restart):
    ecs = convert(tmp_path, f"services:\n  seed:\n    image: mc\n    restart: {restart}\n"
                            "  app:\n    image: nginx\n    ports: ['80:80']\n").ecs
    seed = ecs.service("seed")
    assert seed.job and not seed.service_connect
    assert not ecs.service("app").job


def test_restart_policy_condition_none_is_a_job(tmp_path):
    ecs = convert(tmp_path, "services:\n  seed:\n    image: mc\n"
                            "    deploy: {restart_policy: {condition: none}}\n").ecs
    assert ecs.service("seed").job


@pytest.mark.parametrize("extra", ["ports: ['80:80']", "expose: ['80']"])
def test_a_service_with_ports_is_not_a_job_by_restart_alone(tmp_path, extra):
    ecs = convert(tmp_path, f"services:\n  api:\n    image: x\n    restart: 'no'\n    {extra}\n").ecs
    assert not ecs.service("api").job


def test_x_ecs_job_overrides_the_detection(tmp_path):
    keep = MIGRATION.replace("    command: [\"./manage.py\", \"migrate\"]",
                             "    command: [\"./manage.py\", \"migrate\"]\n    x-ecs: {job: false}")
    ecs = convert(tmp_path, keep).ecs
    assert not ecs.service("migrate").job and "migrate" not in containers(
        ecs, ecs.service("web").task_definition)
    run_task = MIGRATION.replace("    command: [\"./manage.py\", \"migrate\"]",
                                 "    command: [\"./manage.py\", \"migrate\"]\n    x-ecs: {job: run-task}")
    ecs = convert(tmp_path, run_task).ecs
    assert ecs.service("migrate").job
    assert "migrate" not in containers(ecs, ecs.service("web").task_definition)
    assert "migrate" in ecs.service("web").depends_on


def test_x_ecs_job_rejects_unknown_values(tmp_path):
    with pytest.raises(UserError, match="job"):
        convert(tmp_path, "services:\n  a:\n    image: x\n    x-ecs: {job: sometimes}\n")


def test_the_restart_finding_of_a_job_is_not_the_generic_one(tmp_path):
    findings = convert(tmp_path, "services:\n  seed:\n    image: mc\n    restart: 'no'\n").findings
    messages = [f.message for f in findings]
    assert not any("always restarts stopped tasks" in m for m in messages)
    assert any("one-shot job (restart: no)" in m for m in messages)


def test_cloudformation_registers_a_job_without_a_service(tmp_path):
    ecs = convert(tmp_path, "services:\n  seed:\n    image: mc\n    restart: 'no'\n"
                            "  app:\n    image: nginx\n    ports: ['80:80']\n    depends_on: [seed]\n").ecs
    template = build_template(ecs)
    kinds = {rid: r["Type"] for rid, r in template["Resources"].items()}
    services = [rid for rid, kind in kinds.items() if kind == "AWS::ECS::Service"]
    assert services == ["AppService"]
    assert "SeedTaskDefinition" in kinds
    assert "DependsOn" not in template["Resources"]["AppService"] or \
        "SeedService" not in template["Resources"]["AppService"]["DependsOn"]
    assert "SeedJobTaskDefinition" in template["Outputs"]


def test_cloudformation_with_a_job_passes_cfn_lint(tmp_path):
    import json

    ecs = convert(tmp_path, MIGRATION + "  seed:\n    image: mc\n    restart: 'no'\n").ecs
    assert lint(json.dumps(build_template(ecs))) == []
