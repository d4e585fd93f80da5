"""`compose2ecs run SERVICE [CMD…]` and `compose2ecs ps` (issue 11 item 4), and the whole path
of the issue's "done when": deploy -y with no flag, a redeploy with 0 mutating calls, run's exit
code, ps, down keeping and removing the volume. Against moto.

moto cannot place Fargate task definitions without container memory, so RunTask, DescribeTasks
and ListTasks are answered in a ``before-call`` hook (after the call recorder saw them), as in
tests/test_aws_jobs.py; the hook checks the RunTask payload with botocore's validator first.
"""
from __future__ import annotations

import io
import json
import time
from types import SimpleNamespace

import pytest

from compose2ecs.aws.commands import run_down, run_one_off, run_ps
from compose2ecs.aws.preflight import problems
from compose2ecs.aws.progress import PlainProgress
from compose2ecs.aws.session import CallRecorder
from compose2ecs.errors import AwsError, UserError
from tests.aws_fixtures import FakeClock, aws_env, make_clients, moto, renderer  # noqa: F401
from tests.test_aws_efs import COMPOSE, lowered, our_file_systems, run as deploy

OK_HTTP = SimpleNamespace(status_code=200, headers={})


def _params(request: dict) -> dict:
    body = request["body"]
    return json.loads(body.decode() if isinstance(body, bytes) else body or "{}")


class FakeTasks:
    """RunTask starts a task that is RUNNING at the first DescribeTasks and STOPPED at the
    second, its container exiting with ``exit_code`` after logging ``lines``. ``service_tasks``
    are listed as running tasks of ECS services (for ps)."""

    def __init__(self, clients, exit_code=0, lines=(), service_tasks=()):
        self.clients, self.exit_code, self.lines = clients, exit_code, list(lines)
        self.started: list = []  # RunTask parameters
        self.tasks: dict = {}
        self.polls: dict = {}
        for task in service_tasks:
            self.tasks[task["taskArn"]] = task
        events = clients.ecs.meta.events
        events.register("before-call.ecs.RunTask", self.run_task)
        events.register("before-call.ecs.DescribeTasks", self.describe_tasks)
        events.register("before-call.ecs.ListTasks", self.list_tasks)

    def run_task(self, params=None, **_kwargs):
        params = _params(params)
        assert problems(self.clients.ecs, "RunTask", params) == ""
        self.started.append(params)
        arn = f"arn:aws:ecs:us-east-1:123456789012:task/notes/{len(self.started):032x}"
        self.tasks[arn] = {"taskArn": arn, "taskDefinitionArn": params["taskDefinition"], "group": "family:x",
                           "lastStatus": "PROVISIONING", "tags": params.get("tags", []), "containers": []}
        self.polls[arn] = 0
        return OK_HTTP, {"tasks": [dict(self.tasks[arn])], "failures": []}

    def describe_tasks(self, params=None, **_kwargs):
        params = _params(params)
        out = []
        for arn in params["tasks"]:
            task = self.tasks[arn]
            if arn in self.polls:
                self.polls[arn] += 1
                container = {t["key"]: t["value"] for t in task["tags"]}["compose2ecs:run"]  # = its container
                if self.polls[arn] == 1:
                    task = dict(task, lastStatus="RUNNING")
                    self._log(container, arn, self.lines[: len(self.lines) // 2])
                else:
                    self._log(container, arn, self.lines[len(self.lines) // 2:])
                    task = dict(task, lastStatus="STOPPED", stoppedReason="Essential container in task exited",
                                containers=[{"name": container, "exitCode": self.exit_code}])
            out.append(task)
        return OK_HTTP, {"tasks": out, "failures": []}

    def list_tasks(self, params=None, **_kwargs):
        return OK_HTTP, {"taskArns": sorted(a for a in self.tasks if a not in self.polls)}

    def _log(self, container, arn, lines):
        if not lines:
            return
        family = self.tasks[arn]["taskDefinitionArn"].rsplit("/", 1)[-1]
        td = self.clients.ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]
        options = next(c for c in td["containerDefinitions"] if c["name"] == container)["logConfiguration"]["options"]
        group, stream = options["awslogs-group"], f"{options['awslogs-stream-prefix']}/{container}/{arn[-32:]}"
        try:
            self.clients.logs.create_log_stream(logGroupName=group, logStreamName=stream)
        except self.clients.logs.exceptions.ResourceAlreadyExistsException:
            pass
        now = int(time.time() * 1000)
        self.clients.logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
            {"timestamp": now + i, "message": line} for i, line in enumerate(lines)])


@pytest.fixture
def deployed(tmp_path, moto):
    recorder = CallRecorder()
    clients = make_clients(recorder)
    project = lowered(tmp_path)
    deploy(project, clients)
    return project, clients, recorder


def one_off(project, clients, service, command=(), detach=False):
    clock, lines = FakeClock(), []
    code = run_one_off(project, clients, PlainProgress(io.StringIO(), clock), service, tuple(command), detach,
                       write=lines.append, sleep=clock.sleep, clock=clock)
    return code, lines


def test_run_replaces_the_command_streams_the_logs_and_returns_the_exit_code(deployed):
    project, clients, _recorder = deployed
    fake = FakeTasks(clients, exit_code=3, lines=["migrating", "table users", "failed: no such column"])
    code, lines = one_off(project, clients, "web", ["./manage.py", "migrate"])
    assert code == 3
    assert lines == ["migrating", "table users", "failed: no such column"]
    [started] = fake.started
    assert started["overrides"] == {"containerOverrides": [{"name": "web", "command": ["./manage.py", "migrate"]}]}
    web = clients.ecs.describe_services(cluster="notes", services=["web"])["services"][0]
    assert started["taskDefinition"] == web["taskDefinition"]  # the revision the service runs
    assert started["networkConfiguration"] == web["networkConfiguration"]  # its subnets and security group
    assert {"key": "compose2ecs:run", "value": "web"} in started["tags"]


def test_run_exit_zero_and_without_command_keeps_the_image_command(deployed):
    project, clients, _recorder = deployed
    fake = FakeTasks(clients, exit_code=0, lines=["ok"])
    code, lines = one_off(project, clients, "db")
    assert (code, lines) == (0, ["ok"])
    assert "overrides" not in fake.started[0]


def test_run_detach_prints_the_task_arn_and_does_not_wait(deployed):
    project, clients, recorder = deployed
    fake = FakeTasks(clients)
    recorder.calls.clear()
    code, lines = one_off(project, clients, "web", ["sleep", "60"], detach=True)
    assert code == 0 and lines == [next(iter(fake.tasks))]
    assert ("ecs", "DescribeTasks") not in recorder.calls


def test_run_unknown_service_is_a_user_error(deployed):
    project, clients, _recorder = deployed
    with pytest.raises(UserError) as caught:
        one_off(project, clients, "nope")
    assert "db, web" in str(caught.value.hint if hasattr(caught.value, "hint") else caught.value) or \
        "db, web" in str(caught.value)


def test_run_before_deploy_says_to_deploy(tmp_path, moto):
    clients = make_clients()
    with pytest.raises(AwsError) as caught:
        one_off(lowered(tmp_path), clients, "web")
    assert caught.value.code == "NotDeployed"


def _eni(clients, public: bool) -> str:
    subnet = clients.ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    eni = clients.ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    if public:
        allocation = clients.ec2.allocate_address(Domain="vpc")["AllocationId"]
        clients.ec2.associate_address(AllocationId=allocation, NetworkInterfaceId=eni)
    return eni


def _service_task(clients, service, n, eni, health):
    td = clients.ecs.describe_services(cluster="notes", services=[service])["services"][0]["taskDefinition"]
    return {"taskArn": f"arn:aws:ecs:us-east-1:123456789012:task/notes/{service}{n:030x}", "group": f"service:{service}",
            "taskDefinitionArn": td, "lastStatus": "RUNNING", "healthStatus": health, "tags": [],
            "attachments": [{"type": "ElasticNetworkInterface", "details": [
                {"name": "networkInterfaceId", "value": eni}, {"name": "privateIPv4Address", "value": f"10.0.0.{n}"}]}]}


def test_ps_lists_running_tasks_with_health_public_ip_and_ports(deployed):
    project, clients, _recorder = deployed
    web_eni, db_eni = _eni(clients, True), _eni(clients, False)
    public_ip = clients.ec2.describe_network_interfaces(NetworkInterfaceIds=[web_eni])["NetworkInterfaces"][0][
        "Association"]["PublicIp"]
    foreign = dict(_service_task(clients, "web", 9, web_eni, "HEALTHY"), group="service:someone-elses")
    FakeTasks(clients, service_tasks=[_service_task(clients, "web", 1, web_eni, "HEALTHY"),
                                      _service_task(clients, "db", 2, db_eni, "UNKNOWN"), foreign])
    out = []
    rows = run_ps("notes", clients, project, None, (), "text", out.append)
    assert [(r.service, r.status, r.health, r.public_ip, r.ports) for r in rows] == [
        ("db", "RUNNING", "UNKNOWN", "", ["5432/tcp"]),
        ("web", "RUNNING", "HEALTHY", public_ip, [f"{public_ip}:8000->8000/tcp"])]
    text = out[0].splitlines()
    assert text[0].split() == ["SERVICE", "TASK", "STATUS", "HEALTH", "PUBLIC", "IP", "PORTS"]
    assert text[2].split()[0] == "web" and text[2].split()[-1] == f"{public_ip}:8000->8000/tcp"
    data = []
    run_ps("notes", clients, None, None, ("db",), "json", data.append)  # -p alone, one service
    assert [t["service"] for t in json.loads(data[0])["tasks"]] == ["db"]


def test_ps_with_nothing_deployed(moto):
    out = []
    assert run_ps("never", make_clients(), None, None, (), "text", out.append) == []
    assert "nothing deployed" in out[0]


def test_the_issue_path_deploy_redeploy_run_ps_down(tmp_path, moto):
    """deploy (no flag) → redeploy (0 mutating calls) → run (exit code) → ps → down keeps the
    file system → down --volumes removes it."""
    recorder = CallRecorder()
    clients = make_clients(recorder)
    from compose2ecs.aws.commands import run_deploy

    def full_deploy():
        clock = FakeClock()
        return run_deploy(lowered(tmp_path, COMPOSE), clients, PlainProgress(io.StringIO(), clock),
                          confirm=lambda _t: True, sleep=clock.sleep, clock=clock, render=renderer())

    full_deploy()
    assert len(our_file_systems(clients)) == 1
    recorder.calls.clear()
    full_deploy()
    assert recorder.mutating() == []
    FakeTasks(clients, exit_code=7, lines=["bye"])
    assert one_off(lowered(tmp_path), clients, "web", ["sh", "-c", "exit 7"]) == (7, ["bye"])
    clock = FakeClock()
    run_down("notes", clients, PlainProgress(io.StringIO(), clock), None, False, False, lambda _t: True, clock.sleep)
    assert len(our_file_systems(clients)) == 1
    run_down("notes", clients, PlainProgress(io.StringIO(), clock), None, False, True, lambda _t: True, clock.sleep)
    assert our_file_systems(clients) == []


def test_cli_run_exits_with_the_container_exit_code_and_passes_options_after_service_as_command(
        tmp_path, moto, monkeypatch):
    from typer.testing import CliRunner

    from compose2ecs import cli_aws
    from compose2ecs.cli import app

    clients = make_clients()
    project = lowered(tmp_path)
    deploy(project, clients)
    fake = FakeTasks(clients, exit_code=42, lines=["hello from the task"])
    monkeypatch.setattr(cli_aws, "make_clients", lambda *_a, **_k: clients)
    monkeypatch.setattr(cli_aws, "_progress", lambda _output: PlainProgress(io.StringIO(), FakeClock()))
    compose = str(tmp_path / "compose.yaml")
    result = CliRunner().invoke(app, ["run", "-f", compose, "web", "./manage.py", "migrate", "--fake"],
                                env={"CI": "true"})
    assert result.exit_code == 42, result.stdout + result.stderr
    assert "hello from the task" in result.stdout
    assert fake.started[0]["overrides"]["containerOverrides"][0]["command"] == ["./manage.py", "migrate", "--fake"]
    detached = CliRunner().invoke(app, ["run", "-f", compose, "--detach", "web"], env={"CI": "true"})
    assert detached.exit_code == 0 and detached.stdout.strip().startswith("arn:aws:ecs:")
