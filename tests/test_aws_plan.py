"""Planning: the normalised task-definition compare, the plan text, and refusals — all
without a single mutating call."""
from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest

from compose2ecs.aws import taskdefs
from compose2ecs.aws.apply import secrets_policy, service_levels
from compose2ecs.aws.plan import CREATE, make_plan, plan_data, render_plan
from compose2ecs.aws.progress import JsonProgress, PlainProgress, TtyProgress, choose
from compose2ecs.aws.session import AwsOptions, CallRecorder, Clients
from compose2ecs.ecs import model as m
from compose2ecs.errors import AwsError, UserError
from tests.aws_fixtures import FakeClock, aws_env, make_clients, make_project, moto, renderer  # noqa: F401

DESIRED = {"family": "shop-web", "cpu": "256", "memory": "512", "networkMode": "awsvpc",
           "executionRoleArn": "shop-ecs-execution",
           "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "essential": True,
                                     "portMappings": [{"containerPort": 80, "protocol": "tcp"}],
                                     "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]}]}
LIVE = {"taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/shop-web:4", "revision": 4,
        "status": "ACTIVE", "family": "shop-web", "cpu": "256", "memory": "512", "networkMode": "awsvpc",
        "compatibilities": ["EC2", "FARGATE"], "requiresAttributes": [{"name": "ecs.capability.task-eni"}],
        "executionRoleArn": "arn:aws:iam::123456789012:role/compose2ecs/shop-ecs-execution", "volumes": [],
        "placementConstraints": [], "registeredAt": "2026-01-01T00:00:00Z",
        "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "cpu": 0, "essential": True,
                                  "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
                                  "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                                  "mountPoints": [], "volumesFrom": [], "systemControls": []}]}


def test_live_echo_with_defaults_and_read_only_fields_is_the_same():
    assert taskdefs.same(DESIRED, LIVE)


@pytest.mark.parametrize("path, value", [
    (("containerDefinitions", 0, "image"), "nginx:1.28"),
    (("memory",), "1024"),
    (("containerDefinitions", 0, "environment"), [{"name": "A", "value": "changed"}]),
    (("containerDefinitions", 0, "portMappings"), [{"containerPort": 8080}]),
    (("executionRoleArn",), "other-role"),
])
def test_a_real_change_is_a_difference(path, value):
    changed = json.loads(json.dumps(DESIRED))
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert not taskdefs.same(changed, LIVE)
    assert taskdefs.diff(LIVE, changed, "shop-web").startswith("--- shop-web (live)\n+++ shop-web (new)\n")


def test_first_plan_creates_everything_and_mutates_nothing(moto):
    recorder = CallRecorder()
    plan = make_plan(make_project(), make_clients(recorder), renderer())
    assert recorder.calls and recorder.mutating() == []
    kinds = {(a.resource, a.kind) for a in plan.actions}
    for resource in ("cluster", "log-group", "role", "security-group", "namespace", "task-definition", "service"):
        assert (resource, CREATE) in kinds
    text = render_plan(plan)
    assert "+ create    service         web" in text and "Plan: 13 to create, 0 to update, 1 unchanged." in text
    assert '+      "image": "nginx:1.27"' in text
    assert plan_data(plan)["changes"] == 13


def test_placeholders_are_refused_with_the_hint(moto):
    project = make_project()
    holder = m.Placeholder("fs-00000000000000001", "EFS file system for compose volume 'data'", "pass --efs data=fs-…")
    td = replace(project.task_definitions[0], volumes=(m.TaskVolume("data", m.EfsVolumeConfiguration(holder.value)),))
    project = replace(project, placeholders=(holder,), task_definitions=(td,) + project.task_definitions[1:])
    render = renderer()

    def with_volumes(t):
        body = render(t)
        if t.volumes:
            body["volumes"] = [{"name": v.name, "efsVolumeConfiguration": {"fileSystemId": v.efs.file_system_id}}
                               for v in t.volumes]
        return body

    with pytest.raises(UserError) as caught:
        make_plan(project, make_clients(), with_volumes)
    assert "still the placeholder fs-00000000000000001" in str(caught.value)
    assert "pass --efs data=fs-…" in str(caught.value)


def test_load_balancers_are_left_to_cloudformation(moto):
    project = make_project()
    web = replace(project.service("web"), load_balancer=(m.LoadBalancerTarget("web", 80, 80),))
    project = replace(project, services=tuple(web if s.name == "web" else s for s in project.services))
    with pytest.raises(AwsError) as caught:
        make_plan(project, make_clients(), renderer())
    assert "--via cloudformation" in str(caught.value)


def test_existing_load_balancer_is_left_to_cloudformation(moto):
    project = make_project()
    web = replace(project.service("web"), load_balancer=(m.LoadBalancerTarget("web", 80, 80),))
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shared/50dc6c495c0c9188"
    project = replace(project, services=tuple(web if s.name == "web" else s for s in project.services),
                      extensions=(("load_balancer_arn", arn),))
    with pytest.raises(AwsError) as caught:
        make_plan(project, make_clients(), renderer())
    text = str(caught.value)
    assert f"existing load balancer {arn}" in text and "--via cloudformation" in text
    assert "LoadBalancerSecurityGroupId" in text


def test_service_levels_put_providers_first():
    levels = service_levels(make_project())
    assert [[s.name for s in level] for level in levels] == [["db"], ["api"], ["web"]]


SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
PULL = "arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-XyZ123"
ACCOUNT = "123456789012"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _with_secrets(project, *refs, pull=None, **extensions):
    """``project`` whose api container reads ``refs`` ((name, valueFrom, store) triples)."""
    td = project.task_definition("shop-api")
    container = replace(td.containers[0], repository_credentials=pull,
                        secrets=tuple(m.SecretRef(n, vf, n) for n, vf, _ in refs))
    tds = tuple(replace(td, containers=(container,)) if t.family == td.family else t for t in project.task_definitions)
    return replace(project, task_definitions=tds, secrets=tuple(m.SecretSpec(n, vf, st) for n, vf, st in refs),
                   extensions=tuple(sorted(extensions.items())))


def test_secrets_policy_reads_only_the_named_secrets():
    project = _with_secrets(make_project(), ("DB", SECRET + ":json-key:password::", "secretsmanager"),
                            ("TOKEN", "/shop/token", "ssm"), pull=PULL)
    policy = secrets_policy(project, "us-east-1", ACCOUNT)
    assert policy["Statement"] == [
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": [SECRET, PULL]},  # no json-key
        {"Effect": "Allow", "Action": "ssm:GetParameters", "Resource": ["arn:aws:ssm:us-east-1:123456789012:parameter/shop/token"]}]
    assert secrets_policy(make_project(), "us-east-1", ACCOUNT) == {}


def test_secrets_policy_uses_the_regions_partition():
    project = _with_secrets(make_project(), ("TOKEN", "shop/token", "ssm"))
    (statement,) = secrets_policy(project, "cn-north-1", ACCOUNT)["Statement"]
    assert statement["Resource"] == ["arn:aws-cn:ssm:cn-north-1:123456789012:parameter/shop/token"]


def test_secrets_policy_decrypts_with_the_named_keys_through_the_stores_only():
    project = _with_secrets(make_project(), ("DB", SECRET, "secretsmanager"), ("TOKEN", "/shop/token", "ssm"),
                            secrets_kms_key_arns=[KEY])
    kms = secrets_policy(project, "us-east-1", ACCOUNT)["Statement"][-1]
    assert kms == {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": [KEY], "Condition": {"StringEquals": {
        "kms:ViaService": ["secretsmanager.us-east-1.amazonaws.com", "ssm.us-east-1.amazonaws.com"]}}}
    # keys without secrets grant nothing
    assert secrets_policy(replace(make_project(), extensions=(("secrets_kms_key_arns", [KEY]),)), "us-east-1", ACCOUNT) == {}


def test_both_deploy_paths_grant_the_same_statements():
    from compose2ecs.emit.cloudformation import build_template

    project = _with_secrets(make_project(), ("DB", SECRET, "secretsmanager"), secrets_kms_key_arns=[KEY])
    template = build_template(project)
    cfn = template["Resources"]["ExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    api = secrets_policy(project, "us-east-1", ACCOUNT)["Statement"]
    assert cfn[0] == api[0]
    condition, kms, _ = cfn[1]["Fn::If"]
    assert kms["Action"] == api[1]["Action"] and kms["Resource"] == {"Ref": "SecretsKmsKeyArns"}
    assert template["Parameters"]["SecretsKmsKeyArns"]["Default"] == KEY == api[1]["Resource"][0]


def test_progress_renderers():
    clock = FakeClock(0)
    plain = io.StringIO()
    PlainProgress(plain, clock).event("service", "web", "creating")
    assert plain.getvalue() == "00:00:00 service web: creating\n"
    tty = io.StringIO()
    live = TtyProgress(tty, clock)
    live.event("service", "web", "creating")
    clock.now = 12
    live.event("service", "web", "failed", "tasks stopped")
    assert "\x1b[1F" in tty.getvalue() and tty.getvalue().rstrip().endswith("failed        12s  tasks stopped")
    assert isinstance(choose("text", io.StringIO(), {"CI": "true"}), PlainProgress)
    assert isinstance(choose("json", io.StringIO(), {}), JsonProgress)


def test_endpoint_url_comes_from_the_flag_or_the_environment():
    assert Clients(AwsOptions(endpoint_url="http://a"), {"AWS_ENDPOINT_URL": "http://b"}).endpoint_url() == "http://a"
    assert Clients(AwsOptions(), {"AWS_ENDPOINT_URL": "http://b"}).endpoint_url() == "http://b"
    assert Clients(AwsOptions(), {}).endpoint_url() is None


def test_clients_use_standard_retries(aws_env):
    client = Clients(AwsOptions(region="us-east-1")).ecs
    assert client.meta.config.retries["mode"] == "standard"
    assert client.meta.region_name == "us-east-1"


def test_ecs_default_efs_root_directory_is_not_a_change():
    from compose2ecs.aws.taskdefs import same

    desired = {"family": "f", "containerDefinitions": [{"name": "c", "image": "i"}],
               "volumes": [{"name": "v", "efsVolumeConfiguration": {"fileSystemId": "fs-12345678",
                                                                   "transitEncryption": "ENABLED"}}]}
    live = {**desired, "volumes": [{"name": "v", "efsVolumeConfiguration": {
        "fileSystemId": "fs-12345678", "transitEncryption": "ENABLED", "rootDirectory": "/"}}]}
    assert same(desired, live)
    other = {**desired, "volumes": [{"name": "v", "efsVolumeConfiguration": {
        "fileSystemId": "fs-12345678", "transitEncryption": "ENABLED", "rootDirectory": "/data"}}]}
    assert not same(desired, other)


def test_region_comes_from_aws_region_like_the_aws_cli():
    from compose2ecs.aws.session import AwsOptions, make_clients

    class Session:
        region_name = None

    clients = make_clients(AwsOptions(), {"AWS_REGION": "eu-north-1"}, session=Session())
    assert clients.region == "eu-north-1"
    assert make_clients(AwsOptions(region="ap-east-1"), {"AWS_REGION": "x"}, session=Session()).region == "ap-east-1"


def test_execution_policy_is_in_the_regions_partition():
    from compose2ecs.aws.plan import execution_policy_arn

    assert execution_policy_arn("eu-west-1").startswith("arn:aws:iam::aws:policy/")
    assert execution_policy_arn("cn-north-1").startswith("arn:aws-cn:iam::aws:policy/")
    assert execution_policy_arn("us-gov-west-1").startswith("arn:aws-us-gov:iam::aws:policy/")
