"""Deploys that go wrong: each ends in one clear AwsError (exit 4) and deletes nothing.

Failures are injected at the HTTP layer with botocore's ``before-send`` event (registered
first, ahead of moto), so botocore's own retry logic sees a real throttling response.
"""
from __future__ import annotations

import io

import botocore.endpoint
import pytest
from botocore.awsrequest import AWSResponse

from compose2ecs.aws.deploy import DeployOptions, deploy
from compose2ecs.aws.errors import missing_permission
from compose2ecs.aws.progress import PlainProgress
from compose2ecs.aws.session import CallRecorder
from compose2ecs.errors import EXIT_AWS, AwsError, UserError
from tests.aws_fixtures import FakeClock, aws_env, make_clients, make_project, moto, renderer  # noqa: F401

DESTRUCTIVE = ("Delete", "Deregister", "Revoke", "Detach", "Remove")


class _Raw:
    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_kwargs):
        yield self._body


def error_response(status: int, code: str, message: str, json_protocol: bool = True):
    if json_protocol:
        body = ('{"__type": "%s", "message": "%s"}' % (code, message)).encode()
        headers = {"x-amzn-errortype": code, "content-type": "application/x-amz-json-1.1"}
    else:
        body = (f"<ErrorResponse><Error><Code>{code}</Code><Message>{message}</Message></Error>"
                "</ErrorResponse>").encode()
        headers = {"content-type": "text/xml"}
    return AWSResponse("https://example.invalid", status, headers, _Raw(body))


def inject(client, operation: str, responses: list):
    """Answer the next calls of ``operation`` with ``responses`` (then let moto answer)."""
    pending = list(responses)

    def handler(**_kwargs):
        return pending.pop(0) if pending else None

    client.meta.events.register_first(f"before-send.{client.meta.service_model.service_id.hyphenize()}.{operation}", handler)
    return pending


@pytest.fixture
def setup(moto, monkeypatch):
    sleeps = []
    monkeypatch.setattr(botocore.endpoint.time, "sleep", sleeps.append)  # botocore's retry backoff
    recorder = CallRecorder()
    return recorder, make_clients(recorder), FakeClock(), io.StringIO(), sleeps


def _deploy(project, clients, clock, out, **options):
    return deploy(project, clients, DeployOptions(**options), PlainProgress(out, clock), clock.sleep, clock,
                  renderer())


def _destructive(recorder):
    return [c for c in recorder.calls if c[1].startswith(DESTRUCTIVE)]


def test_access_denied_names_the_missing_permission(setup):
    recorder, clients, clock, out, _ = setup
    message = ("User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
               "ecs:CreateCluster on resource: arn:aws:ecs:us-east-1:123456789012:cluster/shop")
    inject(clients.ecs, "CreateCluster", [error_response(400, "AccessDeniedException", message)])
    with pytest.raises(AwsError) as caught:
        _deploy(make_project(), clients, clock, out)
    error = caught.value
    assert error.exit_code == EXIT_AWS
    assert str(error).startswith("cluster shop: AccessDeniedException: access denied: missing permission ecs:CreateCluster")
    assert "\n" not in str(error)
    assert _destructive(recorder) == []


def test_missing_permission_is_read_from_ec2_and_iam_wordings():
    assert missing_permission("You are not authorized to perform: ec2:CreateSecurityGroup on resource") == \
        "ec2:CreateSecurityGroup"
    assert missing_permission("User: x is not authorized to perform: iam:PassRole on resource: y") == "iam:PassRole"
    assert missing_permission("Access Denied") == ""


def test_throttling_is_retried_with_backoff_then_succeeds(setup):
    recorder, clients, clock, out, sleeps = setup
    throttle = error_response(400, "ThrottlingException", "Rate exceeded")
    left = inject(clients.ecs, "DescribeClusters", [throttle, throttle])
    result = _deploy(make_project(), clients, clock, out, wait=False)
    assert left == [] and len(sleeps) == 2, "botocore retried twice with a backoff sleep"
    assert result.applied


def test_persistent_throttling_becomes_one_clear_error(setup):
    recorder, clients, clock, out, sleeps = setup
    throttle = error_response(400, "ThrottlingException", "Rate exceeded")
    inject(clients.ecs, "DescribeClusters", [throttle] * 10)
    with pytest.raises(AwsError) as caught:
        _deploy(make_project(), clients, clock, out)
    assert caught.value.code == "ThrottlingException"
    assert "throttling" in str(caught.value) and "run the command again" in str(caught.value)
    assert sleeps, "retries happened before giving up"


def test_name_in_use_outside_the_project_is_refused_by_the_plan(setup):
    recorder, clients, clock, out, _ = setup
    vpc = clients.ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    clients.ec2.create_security_group(GroupName="shop-web", Description="someone else's", VpcId=vpc)
    recorder.calls.clear()
    with pytest.raises(UserError) as caught:  # found by the plan now, before CreateSecurityGroup fails
        _deploy(make_project(), clients, clock, out)
    assert recorder.mutating() == []
    assert str(caught.value).startswith("security-group shop-web: error: already exists in vpc-")


def test_circuit_breaker_rollback_fails_the_deploy_and_keeps_everything(setup):
    recorder, clients, clock, out, _ = setup

    def rolled_back(parsed, **_kwargs):
        for svc in parsed.get("services", []):
            if svc["serviceName"] == "api":
                svc["deployments"] = [{"id": "ecs-svc/previous", "status": "PRIMARY", "rolloutState": "COMPLETED"}]
                svc["events"] = [{"id": "1", "message": "(service api) deployment failed: tasks failed to start."}]

    clients.ecs.meta.events.register("after-call.ecs.DescribeServices", rolled_back)
    with pytest.raises(AwsError) as caught:
        _deploy(make_project(), clients, clock, out)
    assert caught.value.exit_code == EXIT_AWS and "api" in str(caught.value)
    text = out.getvalue()
    assert "service api: failed: the deployment was rolled back" in text
    assert "event: (service api) deployment failed: tasks failed to start." in text
    assert "Nothing was deleted" in text
    assert _destructive(recorder) == []
    live = clients.ecs.list_services(cluster="shop")["serviceArns"]
    # web depends on api: like `docker compose up`, it is not started when its provider failed
    assert sorted(a.rsplit("/", 1)[-1] for a in live) == ["api", "db"]


def test_timeout_fails_with_exit_4_and_keeps_everything(setup, monkeypatch):
    recorder, clients, clock, out, _ = setup
    monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", "0")  # tasks never start
    with pytest.raises(AwsError) as caught:
        _deploy(make_project(), clients, clock, out, timeout=120)
    assert caught.value.code == "TIMEOUT"
    assert "not stable after 120 s" in out.getvalue()
    assert _destructive(recorder) == []
    assert max(clock.sleeps) <= 15, "waits went through the injected sleep"


def test_no_credentials_is_one_line(monkeypatch, tmp_path):
    from compose2ecs.aws.plan import make_plan
    from compose2ecs.aws.session import AwsOptions, Clients

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    clients = Clients(AwsOptions(region="us-east-1", endpoint_url="http://127.0.0.1:9"))
    with pytest.raises(AwsError) as caught:
        make_plan(make_project(), clients, renderer())
    assert caught.value.code == "NoCredentials"
    assert "no AWS credentials found" in str(caught.value)


def test_a_rerun_with_no_changes_still_fails_while_a_service_is_not_running(setup, monkeypatch):
    # issue 15.1: deploy timed out (exit 4); the re-run said "no changes" and exited 0
    recorder, clients, clock, out, _ = setup
    monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", "0")  # tasks never start
    # every service created (--no-wait: a waiting deploy would stop at db, before its dependants)
    _deploy(make_project(), clients, clock, out, wait=False)
    recorder.calls.clear()
    again = io.StringIO()
    with pytest.raises(AwsError) as caught:
        _deploy(make_project(), clients, clock, again, timeout=60)
    assert caught.value.code == "TIMEOUT" and caught.value.exit_code == EXIT_AWS
    assert "no changes" in again.getvalue() and "0/1 running" in again.getvalue()
    assert [s["state"] for s in caught.value.details["services"]] == ["timeout"] * 3
    assert recorder.mutating() == [], "the re-run changes nothing; it only looks and waits"


def test_a_rerun_with_no_changes_waits_for_the_services_and_says_they_run(setup):
    from compose2ecs.aws.deploy import render_result

    recorder, clients, clock, out, _ = setup
    _deploy(make_project(), clients, clock, out)
    result = _deploy(make_project(), clients, clock, io.StringIO())
    assert not result.changed
    assert [o.state for o in result.outcomes] == ["ok", "ok", "ok"]
    assert "shop: no changes (every service is running)" in render_result(result)
