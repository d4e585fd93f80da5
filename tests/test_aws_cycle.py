"""The whole life of a project against moto: deploy → status → deploy again (no change) →
change an image → deploy → logs → down. Calls are recorded through botocore's before-call
event so the test asserts what was *sent*, not what moto happened to accept."""
from __future__ import annotations

import io
import time

import pytest

from compose2ecs.aws.commands import run_down, run_logs, run_status
from compose2ecs.aws.deploy import DeployOptions, deploy, render_result
from compose2ecs.aws.progress import PlainProgress
from compose2ecs.aws.session import CallRecorder
from tests.aws_fixtures import FakeClock, aws_env, make_clients, make_project, moto, renderer  # noqa: F401

READS = ("Describe", "List", "Get")


def _deploy(project, clients, clock, **options):
    progress = PlainProgress(io.StringIO(), clock)
    return deploy(project, clients, DeployOptions(**options), progress, clock.sleep, clock, renderer())


def _oracle_problems(body: dict) -> list:
    try:
        from tests.oracle import task_definition_problems
    except ImportError:  # the oracle module is another helper's; botocore still validated the call
        return []
    return list(task_definition_problems(body))


@pytest.fixture
def world(moto):
    recorder = CallRecorder()
    clients = make_clients(recorder)
    registered = []
    clients.hooks.append(lambda client: client.meta.events.register(
        "provide-client-params.ecs.RegisterTaskDefinition", lambda params, **_: registered.append(dict(params))))
    return recorder, clients, FakeClock(), registered


def test_first_deploy_creates_everything_in_dependency_order(world):
    recorder, clients, clock, registered = world
    result = _deploy(make_project(), clients, clock)
    ops = recorder.names()
    assert ops.count("ecs:CreateService") == 3
    creates = [op for op in ops if op == "ecs:CreateService"]
    assert creates and result.applied
    services = clients.ecs.list_services(cluster="shop")["serviceArns"]
    assert sorted(a.rsplit("/", 1)[-1] for a in services) == ["api", "db", "web"]
    # providers before clients: db, then api, then web
    bodies = [c for c in recorder.calls if c == ("ecs", "CreateService")]
    assert len(bodies) == 3
    assert len(registered) == 3
    for body in registered:
        assert body["executionRoleArn"].startswith("arn:aws:iam::"), body["executionRoleArn"]
        assert _oracle_problems(body) == []
    assert "Next:" in render_result(result)


def test_services_are_created_with_circuit_breaker_and_least_privilege_groups(world):
    recorder, clients, clock, _ = world
    sent = []
    clients.ecs.meta.events.register("provide-client-params.ecs.CreateService",
                                     lambda params, **_: sent.append(params))
    _deploy(make_project(), clients, clock)
    assert [s["serviceName"] for s in sent] == ["db", "api", "web"]
    for body in sent:
        assert body["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        assert body["serviceConnectConfiguration"]["enabled"] is True
    groups = {g["GroupName"]: g for g in clients.ec2.describe_security_groups()["SecurityGroups"]}
    web = groups["shop-web"]["IpPermissions"]
    assert [(p["FromPort"], p["IpRanges"][0]["CidrIp"]) for p in web] == [(80, "0.0.0.0/0")]
    db = groups["shop-db"]["IpPermissions"]
    assert all(not p.get("IpRanges") for p in db), "db must not be open to the internet"
    assert {p["FromPort"] for p in db} == {5432}


def test_second_deploy_makes_no_mutating_call_and_says_no_changes(world):
    recorder, clients, clock, _ = world
    _deploy(make_project(), clients, clock)
    recorder.calls.clear()
    result = _deploy(make_project(), clients, clock)
    assert recorder.calls, "the second deploy must still look at the live state"
    assert recorder.mutating() == []
    assert all(op.startswith(READS) for _, op in recorder.calls)
    assert not result.changed
    assert "no changes" in render_result(result)


def test_changed_image_registers_a_new_revision_and_updates_only_that_service(world):
    recorder, clients, clock, registered = world
    _deploy(make_project(), clients, clock)
    recorder.calls.clear()
    registered.clear()
    result = _deploy(make_project(images={"web": "nginx:1.28"}), clients, clock)
    assert recorder.mutating() == [("ecs", "RegisterTaskDefinition"), ("ecs", "UpdateService")]
    assert registered[0]["containerDefinitions"][0]["image"] == "nginx:1.28"
    web = clients.ecs.describe_services(cluster="shop", services=["web"])["services"][0]
    assert web["taskDefinition"].endswith("task-definition/shop-web:2")
    diff = result.plan.action("task-definition", "shop-web").diff
    assert '-      "image": "nginx:1.27"' in diff and '+      "image": "nginx:1.28"' in diff


def test_rerun_after_partial_failure_continues(world):
    recorder, clients, clock, _ = world
    project = make_project()
    # a first run that stopped after the cluster and log group were created
    clients.ecs.create_cluster(clusterName="shop", tags=[{"key": "compose2ecs:project", "value": "shop"}])
    clients.logs.create_log_group(logGroupName="/ecs/shop", tags={"compose2ecs:project": "shop"})
    recorder.calls.clear()
    result = _deploy(project, clients, clock)
    assert result.plan.action("cluster", "shop").kind == "no change"
    assert result.plan.action("log-group", "/ecs/shop").kind == "no change"
    assert ("ecs", "CreateCluster") not in recorder.calls
    assert recorder.names().count("ecs:CreateService") == 3


def test_status_shows_every_service_with_its_rollout(world):
    _, clients, clock, _ = world
    project = make_project()
    _deploy(project, clients, clock)
    out = io.StringIO()
    rows = run_status("shop", clients, None, None, (), "text", out.write)
    assert [r.name for r in rows] == ["api", "db", "web"]
    text = out.getvalue()
    assert "web" in text and "COMPLETED" in text and "shop-web:1" in text


def test_logs_prefix_each_line_with_service_and_task(world):
    _, clients, clock, _ = world
    _deploy(make_project(), clients, clock)
    now = int(time.time() * 1000)  # CloudWatch refuses events older than 14 days
    for svc, task, message in (("web", "0123456789abcdef", "GET / 200"), ("api", "fedcba9876543210", "ready")):
        stream = f"{svc}/{svc}/{task}"
        clients.logs.create_log_stream(logGroupName="/ecs/shop", logStreamName=stream)
        clients.logs.put_log_events(logGroupName="/ecs/shop", logStreamName=stream,
                                    logEvents=[{"timestamp": now, "message": message}])
    lines = []
    run_logs("shop", clients, None, None, (), False, None, None, lines.append)
    assert lines == ["api fedcba987654 | ready", "web 0123456789ab | GET / 200"]
    only = []
    run_logs("shop", clients, None, None, ("web",), False, None, None, only.append)
    assert only == ["web 0123456789ab | GET / 200"]


def test_down_removes_what_the_project_created_and_keeps_logs(world):
    recorder, clients, clock, _ = world
    _deploy(make_project(), clients, clock)
    inventory = run_down("shop", clients, PlainProgress(io.StringIO(), clock), None, False, False,
                         lambda _text: True, clock.sleep)
    assert inventory.services == ["api", "db", "web"]
    ecs = clients.ecs
    assert [s["status"] for s in ecs.describe_services(cluster="shop", services=["web"])["services"]] in ([], ["INACTIVE"])
    assert ecs.list_task_definitions(familyPrefix="shop", status="ACTIVE")["taskDefinitionArns"] == []
    assert ecs.describe_clusters(clusters=["shop"])["clusters"][0]["status"] == "INACTIVE"
    tagged = clients.ec2.describe_security_groups(
        Filters=[{"Name": "tag:compose2ecs:project", "Values": ["shop"]}])["SecurityGroups"]
    assert tagged == []
    assert clients.iam.list_roles(PathPrefix="/compose2ecs/")["Roles"] == []
    assert clients.servicediscovery.list_namespaces()["Namespaces"] == []
    assert [g["logGroupName"] for g in clients.logs.describe_log_groups()["logGroups"]] == ["/ecs/shop"]


def test_down_cancelled_deletes_nothing(world):
    recorder, clients, clock, _ = world
    _deploy(make_project(), clients, clock)
    recorder.calls.clear()
    from compose2ecs.errors import Cancelled

    with pytest.raises(Cancelled):  # exit 1, the same as declining deploy's prompt
        run_down("shop", clients, PlainProgress(io.StringIO(), clock), None, False, False,
                 lambda _text: False, clock.sleep)
    assert recorder.mutating() == []


def test_down_keeps_a_cluster_it_did_not_create(world):
    _, clients, clock, _ = world
    from dataclasses import replace

    clients.ecs.create_cluster(clusterName="shared")
    project = make_project()
    project = replace(project, cluster=replace(project.cluster, name="shared", existing=True))
    _deploy(project, clients, clock)
    inventory = run_down("shop", clients, PlainProgress(io.StringIO(), clock), "shared", False, False,
                         lambda _text: True, clock.sleep)
    assert inventory.services and not inventory.cluster_created
    assert clients.ecs.describe_clusters(clusters=["shared"])["clusters"][0]["status"] == "ACTIVE"


def test_down_with_logs_deletes_the_log_groups(world):
    _, clients, clock, _ = world
    _deploy(make_project(), clients, clock)
    run_down("shop", clients, PlainProgress(io.StringIO(), clock), None, True, False, lambda _t: True, clock.sleep)
    assert clients.logs.describe_log_groups()["logGroups"] == []


def test_logs_follow_prints_new_lines_once(world):
    _, clients, clock, _ = world
    _deploy(make_project(), clients, clock)
    stream = "web/web/0123456789abcdef"
    clients.logs.create_log_stream(logGroupName="/ecs/shop", logStreamName=stream)
    now = int(time.time() * 1000)
    clients.logs.put_log_events(logGroupName="/ecs/shop", logStreamName=stream,
                                logEvents=[{"timestamp": now, "message": "first"}])

    def sleep_then_log(_seconds):  # while we "sleep", the task writes another line
        clients.logs.put_log_events(logGroupName="/ecs/shop", logStreamName=stream,
                                    logEvents=[{"timestamp": now + 1000, "message": "second"}])

    lines = []
    count = run_logs("shop", clients, None, None, ("web",), True, None, None, lines.append,
                     sleep=sleep_then_log, clock=clock, max_polls=1)
    assert lines == ["web 0123456789ab | first", "web 0123456789ab | second"] and count == 2


def test_logs_of_an_unknown_service_is_a_clear_error(world):
    _, clients, clock, _ = world
    _deploy(make_project(), clients, clock)
    from compose2ecs.errors import UserError

    with pytest.raises(UserError) as caught:  # the user named it: exit 2, not an AWS failure
        run_logs("shop", clients, None, None, ("nope",), False, None, None, print)
    assert "no deployed service named nope" in str(caught.value)
    assert "deployed services: api, db, web" in str(caught.value)
