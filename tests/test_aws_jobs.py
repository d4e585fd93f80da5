"""One-shot jobs and start order on the deploy side (issue 10 items 1 and 2), against moto.

moto starts no real tasks: its DescribeTasks answers are rewritten (botocore ``after-call``)
so a job's task stops with the exit code each test chooses. Call order is read off the
recorder: providers are steady before their dependants start, a job runs before the services
that wait for it, and a failing job stops the deploy before them.
"""
from __future__ import annotations

import io
from types import SimpleNamespace
import json
import time

import pytest

from compose2ecs.aws.deploy import DeployOptions, deploy
from compose2ecs.aws.progress import PlainProgress
from compose2ecs.aws.session import CallRecorder
from compose2ecs.errors import AwsError
from compose2ecs.pipeline import InputOptions, convert_inputs
from tests.aws_fixtures import FakeClock, aws_env, make_clients, moto, renderer  # noqa: F401

COMPOSE = """
name: shop
services:
  db:
    image: postgres:16
    healthcheck: {test: ["CMD", "pg_isready"], interval: 5s}
  migrate:
    image: example/app:1
    command: ["./manage.py", "migrate"]
    depends_on: {db: {condition: service_healthy}}
    x-ecs: {job: run-task}
  web:
    image: example/app:1
    ports: ["8000:8000"]
    depends_on:
      migrate: {condition: service_completed_successfully}
      db: {condition: service_healthy}
  createbuckets:
    image: minio/mc
    restart: "no"
"""


def lowered(tmp_path, text=COMPOSE):
    (tmp_path / "compose.yaml").write_text(text)
    return convert_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path)),
                          environ={"AWS_REGION": "us-east-1"}).ecs


OK_HTTP = SimpleNamespace(status_code=200, headers={})


def stop_jobs_with(clients, exit_codes: dict, logs: dict = None):
    """Answer RunTask/DescribeTasks for job tasks: each stops, its container exiting with
    ``exit_codes[name]`` (default 0). moto's own RunTask cannot place Fargate task
    definitions without container memory, so these two calls are answered here (after the
    call recorder has seen them)."""
    tasks: dict = {}

    def run_task(params=None, **_kwargs):
        params = _api_params(params)
        family = params["taskDefinition"].rsplit("/", 1)[-1].split(":")[0]
        arn = f"arn:aws:ecs:us-east-1:123456789012:task/shop/{len(tasks):032x}"
        tasks[arn] = {"taskArn": arn, "taskDefinitionArn": params["taskDefinition"],
                      "lastStatus": "PROVISIONING", "family": family}
        return OK_HTTP, {"tasks": [dict(tasks[arn])], "failures": []}

    def describe_tasks(params=None, **_kwargs):
        params = _api_params(params)
        out = []
        for arn in params["tasks"]:
            if arn not in tasks:
                return None  # a service's task: moto answers
            name = tasks[arn]["family"].split("-", 1)[1]
            for line in (logs or {}).get(name, ()):
                _log(clients, name, arn.rsplit("/", 1)[-1], line)
            out.append({"taskArn": arn, "lastStatus": "STOPPED",
                        "stoppedReason": "Essential container in task exited",
                        "containers": [{"name": name, "exitCode": exit_codes.get(name, 0)}]})
        return OK_HTTP, {"tasks": out, "failures": []}

    clients.ecs.meta.events.register("before-call.ecs.RunTask", run_task)
    clients.ecs.meta.events.register("before-call.ecs.DescribeTasks", describe_tasks)


def _api_params(request: dict) -> dict:
    """The operation's parameters from a serialised JSON-protocol request (before-call)."""
    body = request["body"]
    return json.loads(body.decode() if isinstance(body, bytes) else body or "{}")


def _log(clients, container, task_id, line):
    stream = f"{container}/{container}/{task_id}"
    try:
        clients.logs.create_log_stream(logGroupName="/ecs/shop", logStreamName=stream)
    except clients.logs.exceptions.ResourceAlreadyExistsException:
        pass
    clients.logs.put_log_events(logGroupName="/ecs/shop", logStreamName=stream,
                                logEvents=[{"timestamp": int(time.time() * 1000), "message": line}])


def run(project, clients, **options):
    clock, out = FakeClock(), io.StringIO()
    result = deploy(project, clients, DeployOptions(**options), PlainProgress(out, clock), clock.sleep,
                    clock, renderer())
    return result, out.getvalue()


def positions(recorder, operation):
    return [i for i, call in enumerate(recorder.calls) if call[1] == operation]


@pytest.fixture
def recorded(moto):
    recorder = CallRecorder()
    return recorder, make_clients(recorder)


def test_jobs_get_no_ecs_service_and_run_before_their_dependants(tmp_path, recorded):
    recorder, clients = recorded
    stop_jobs_with(clients, {})
    project = lowered(tmp_path)
    assert {s.name for s in project.services if s.job} == {"migrate", "createbuckets"}
    result, text = run(project, clients)
    services = {a.rsplit("/", 1)[-1] for a in clients.ecs.list_services(cluster="shop")["serviceArns"]}
    assert services == {"db", "web"}  # no ECS service restarts the jobs forever
    names = recorder.names()
    creates = [i for i, n in enumerate(names) if n == "ecs:CreateService"]
    runs = positions(recorder, "RunTask")
    assert len(runs) == 2  # migrate and createbuckets, once each
    db_created, web_created = creates[0], creates[-1]
    # db steady (DescribeServices polled) → migrate runs → web is created
    # createbuckets needs nothing (level 0); migrate waits for db: db steady (DescribeServices
    # polled) → migrate runs → web is created
    assert db_created < max(runs) < web_created
    assert any(n == "ecs:DescribeServices" for n in names[db_created:max(runs)])
    assert "job migrate: completed" in text or "completed" in text


def test_a_no_op_redeploy_runs_no_job(tmp_path, recorded):
    recorder, clients = recorded
    stop_jobs_with(clients, {})
    project = lowered(tmp_path)
    run(project, clients)
    recorder.calls.clear()
    result, text = run(project, clients)
    assert recorder.mutating() == []
    assert positions(recorder, "RunTask") == []
    assert all(a.kind == "no change" for a in result.plan.actions if a.resource == "job")


def test_a_changed_dependant_runs_its_job_again(tmp_path, recorded):
    recorder, clients = recorded
    stop_jobs_with(clients, {})
    run(lowered(tmp_path), clients)
    recorder.calls.clear()
    changed = lowered(tmp_path, COMPOSE.replace("ports: [\"8000:8000\"]",
                                                "ports: [\"8000:8000\"]\n    environment: {A: b}"))
    result, _ = run(changed, clients)
    job = result.plan.action("job", "migrate")
    assert job.kind == "run" and "web will be updated" in job.reason
    assert result.plan.action("job", "createbuckets").kind == "no change"
    assert len(positions(recorder, "RunTask")) == 1


def test_a_failing_job_stops_the_deploy_before_its_dependants(tmp_path, recorded):
    recorder, clients = recorded
    stop_jobs_with(clients, {"migrate": 3}, logs={"migrate": ["django.db.utils.OperationalError: boom"]})
    with pytest.raises(AwsError) as caught:
        run(lowered(tmp_path), clients)
    error = caught.value
    assert error.code == "JobFailed" and error.exit_code == 4
    assert "job migrate" in str(error) and "exit 3" in str(error)
    services = {a.rsplit("/", 1)[-1] for a in clients.ecs.list_services(cluster="shop")["serviceArns"]}
    assert "web" not in services  # its dependant never started
    assert not [c for c in recorder.calls if c[1].startswith(("Delete", "Deregister", "Stop"))]


def test_a_failing_job_prints_exit_code_reason_and_last_log_lines(tmp_path, recorded):
    recorder, clients = recorded
    stop_jobs_with(clients, {"migrate": 3}, logs={"migrate": ["django.db.utils.OperationalError: boom"]})
    clock, out = FakeClock(), io.StringIO()
    with pytest.raises(AwsError):
        deploy(lowered(tmp_path), clients, DeployOptions(), PlainProgress(out, clock), clock.sleep, clock,
               renderer())
    text = out.getvalue()
    assert "migrate: exit 3" in text
    assert "Essential container in task exited" in text
    assert "log: django.db.utils.OperationalError: boom" in text
    assert "Nothing was deleted" in text


def test_run_task_input_uses_the_services_network_and_tags(tmp_path, recorded):
    recorder, clients = recorded
    stop_jobs_with(clients, {})
    seen = []
    clients.ecs.meta.events.register("before-parameter-build.ecs.RunTask",
                                     lambda params=None, **_: seen.append(dict(params)))
    run(lowered(tmp_path), clients)
    body = next(p for p in seen if "migrate" in p["taskDefinition"])
    assert body["launchType"] == "FARGATE" and body["count"] == 1
    vpc = body["networkConfiguration"]["awsvpcConfiguration"]
    assert vpc["subnets"] and len(vpc["securityGroups"]) == 1
    assert {"key": "compose2ecs:project", "value": "shop"} in body["tags"]


def test_plan_shows_the_jobs_it_will_run(tmp_path, recorded):
    from compose2ecs.aws.plan import make_plan, render_plan

    _, clients = recorded
    text = render_plan(make_plan(lowered(tmp_path), clients, renderer()))
    assert "> run       job             migrate" in text
    assert "2 job(s) to run" in text
