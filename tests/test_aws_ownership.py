"""deploy and down take over nothing and delete exactly what is theirs (issue 17 items 1–3,
18; issue 11 item 3). Every scenario runs against moto with the calls recorded: a clash must
be found by the plan, before any mutating call, and down must touch only tagged resources."""
from __future__ import annotations

import io
from dataclasses import replace

import pytest

from compose2ecs.aws.deploy import DeployOptions, deploy
from compose2ecs.aws.plan import make_plan
from compose2ecs.aws.progress import PlainProgress
from compose2ecs.aws.session import CallRecorder
from compose2ecs.errors import UserError
from tests.aws_fixtures import FakeClock, aws_env, make_clients, make_project, moto, moto_server, renderer  # noqa: F401,E501

OURS = [{"key": "compose2ecs:project", "value": "shop"}]


@pytest.fixture
def world(moto):
    recorder = CallRecorder()
    return recorder, make_clients(recorder), FakeClock()


def _deploy(project, clients, clock, out=None):
    progress = PlainProgress(out or io.StringIO(), clock)
    return deploy(project, clients, DeployOptions(), progress, clock.sleep, clock, renderer())


def _foreign_web(clients, cluster: str, name: str = "web", count: int = 3) -> str:
    """Someone else's service in ``cluster`` (untagged, its own task definition, 3 tasks)."""
    arn = clients.ecs.register_task_definition(
        family="someone-else-web", requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256",
        memory="512", containerDefinitions=[{"name": "web", "image": "httpd:2"}])["taskDefinition"]["taskDefinitionArn"]
    clients.ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=arn, desiredCount=count,
                               launchType="FARGATE")
    return arn


def _service(clients, cluster: str, name: str) -> dict:
    return clients.ecs.describe_services(cluster=cluster, services=[name])["services"][0]


def _with_cluster(project, name: str):
    return replace(project, cluster=replace(project.cluster, name=name, existing=True))


# -- item 1: deploy adopts nothing ------------------------------------------------------------

def test_untagged_cluster_named_like_the_project_is_a_clash_found_before_any_change(world):
    recorder, clients, clock = world
    clients.ecs.create_cluster(clusterName="shop")
    foreign_td = _foreign_web(clients, "shop")
    recorder.calls.clear()
    with pytest.raises(UserError) as caught:
        _deploy(make_project(), clients, clock)
    assert recorder.calls and recorder.mutating() == [], "the clash is found by the plan, before any change"
    text = str(caught.value)
    assert "cluster shop: error: already exists but is not tagged compose2ecs:project=shop" in text
    assert "pass --cluster shop" in text and "-p OTHER" in text
    assert "service web: error: already exists in cluster shop" in text
    web = _service(clients, "shop", "web")
    assert (web["desiredCount"], web["taskDefinition"]) == (3, foreign_td)
    assert caught.value.exit_code == 2


def test_cluster_given_with_cluster_may_be_shared_but_its_foreign_service_is_not_taken_over(world):
    recorder, clients, clock = world
    clients.ecs.create_cluster(clusterName="shared")
    _foreign_web(clients, "shared")
    recorder.calls.clear()
    with pytest.raises(UserError) as caught:
        make_plan(_with_cluster(make_project(), "shared"), clients, renderer())
    assert recorder.mutating() == []
    text = str(caught.value)
    assert "service web: error: already exists in cluster shared but is not tagged" in text
    assert "cluster shared" not in text.split(":")[0], "a cluster named with --cluster is no clash"
    assert "rename the compose service" in text


def test_a_resource_of_another_compose2ecs_project_is_named_as_such(world):
    _, clients, clock = world
    clients.ecs.create_cluster(clusterName="shop", tags=[{"key": "compose2ecs:project", "value": "other"}])
    with pytest.raises(UserError) as caught:
        make_plan(make_project(), clients, renderer())
    assert "but belongs to compose2ecs project other" in str(caught.value)


def _untagged_log_group(clients):
    clients.logs.create_log_group(logGroupName="/ecs/shop")


def _untagged_role(clients):
    import json

    from compose2ecs.aws.apply import TRUST_POLICY

    clients.iam.create_role(RoleName="shop-ecs-execution", Path="/compose2ecs/",
                            AssumeRolePolicyDocument=json.dumps(TRUST_POLICY))


def _untagged_group(clients):
    vpc = clients.ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    clients.ec2.create_security_group(GroupName="shop-web", Description="someone else's", VpcId=vpc)


def _untagged_namespace(clients):
    clients.servicediscovery.create_http_namespace(Name="shop")


def _untagged_family(clients):
    clients.ecs.register_task_definition(family="shop-db", containerDefinitions=[{"name": "db", "image": "x",
                                                                                  "memory": 64}])


@pytest.mark.parametrize("make, resource", [
    (_untagged_log_group, "log-group /ecs/shop"),
    (_untagged_role, "role shop-ecs-execution"),
    (_untagged_group, "security-group shop-web"),
    (_untagged_namespace, "namespace shop"),
    (_untagged_family, "task-definition shop-db"),
])
def test_every_kind_of_foreign_resource_with_our_name_is_refused_before_any_change(world, make, resource):
    recorder, clients, clock = world
    make(clients)
    recorder.calls.clear()
    with pytest.raises(UserError) as caught:
        _deploy(make_project(), clients, clock)
    assert recorder.mutating() == []
    assert str(caught.value).startswith(f"{resource}: error: already exists"), str(caught.value)
    assert "not tagged compose2ecs:project=shop" in str(caught.value)


def test_deploy_into_a_shared_cluster_leaves_the_other_services_alone(world):
    recorder, clients, clock = world
    clients.ecs.create_cluster(clusterName="shared")
    foreign_td = _foreign_web(clients, "shared", name="billing")
    recorder.calls.clear()
    _deploy(_with_cluster(make_project(), "shared"), clients, clock)
    billing = _service(clients, "shared", "billing")
    assert (billing["status"], billing["desiredCount"], billing["taskDefinition"]) == ("ACTIVE", 3, foreign_td)
    mutated = [op for _, op in recorder.mutating()]
    assert "CreateCluster" not in mutated and "TagResource" not in mutated


# -- item 2: down removes exactly what the project created, and says exactly that -------------

def _down(clients, clock, cluster=None, out=None, **flags):
    from compose2ecs.aws.commands import run_down

    logs, volumes = flags.pop("logs", False), flags.pop("volumes", False)
    return run_down("shop", clients, PlainProgress(out if out is not None else io.StringIO(), clock), cluster,
                    logs, volumes, lambda _text: True, clock.sleep, **flags)


def _active_revisions(clients, family: str) -> list:
    arns = clients.ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
    return [a.rsplit("/", 1)[-1] for a in arns]


def test_down_keeps_task_definition_revisions_it_did_not_register(world, monkeypatch, capsys):
    _, clients, clock = world
    before = {"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
              "containerDefinitions": [{"name": "web", "image": "httpd:2"}]}
    clients.ecs.register_task_definition(family="shop-web", **before)  # shop-web:1, someone's, untagged
    # an earlier compose2ecs adopted the family; the plan refuses that today, so let it through once
    from compose2ecs.aws import ownership

    monkeypatch.setattr(ownership, "refuse", lambda project, clashes: None)
    _deploy(make_project(), clients, clock)  # registers shop-web:2 (tagged)
    monkeypatch.undo()
    clients.ecs.register_task_definition(family="shop-web", **before)  # shop-web:3, after ours, untagged
    inventory = _down(clients, clock)
    assert [a.rsplit("/", 1)[-1] for a in inventory.task_definitions] == ["shop-api:1", "shop-db:1", "shop-web:2"]
    assert _active_revisions(clients, "shop-web") == ["shop-web:1", "shop-web:3"]
    text = "".join(capsys.readouterr())
    assert "task-definition shop-web:2 (deregistered)" in text
    assert "task definition shop-web:1 (not registered by this project)" in text
    assert "task definition shop-web:3 (not registered by this project)" in text


def test_down_finds_the_services_in_a_reused_cluster_and_leaves_the_rest_of_it(world, capsys):
    recorder, clients, clock = world
    clients.ecs.create_cluster(clusterName="shared")
    foreign_td = _foreign_web(clients, "shared", name="billing")
    _deploy(_with_cluster(make_project(), "shared"), clients, clock)
    recorder.calls.clear()
    inventory = _down(clients, clock)  # -p shop alone: no --cluster, no compose file
    assert inventory.cluster == "shared" and inventory.services == ["api", "db", "web"]
    for name in ("api", "db", "web"):
        assert clients.ecs.describe_services(cluster="shared", services=[name])["services"][0]["status"] == "INACTIVE"
    billing = _service(clients, "shared", "billing")
    assert (billing["status"], billing["desiredCount"], billing["taskDefinition"]) == ("ACTIVE", 3, foreign_td)
    assert clients.ecs.describe_clusters(clusters=["shared"])["clusters"][0]["status"] == "ACTIVE"
    touched = {op for _, op in recorder.mutating()}
    assert "DeleteCluster" not in touched
    text = "".join(capsys.readouterr())
    assert "shop: removed" in text and "service web" in text
    assert "cluster shared (not created by this project)" in text
    assert _active_revisions(clients, "someone-else-web") == ["someone-else-web:1"]


def test_down_of_a_stack_lists_the_log_groups_the_stack_deletes(world, capsys):
    import json

    _, clients, clock = world
    template = {"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/ecs/shop"}}}}
    clients.cloudformation.create_stack(StackName="shop", TemplateBody=json.dumps(template),
                                        Tags=[{"Key": "compose2ecs:project", "Value": "shop"}])
    inventory = _down(clients, clock)
    assert inventory.stack == "shop"
    assert ("AWS::Logs::LogGroup", "/ecs/shop") in inventory.stack_resources
    text = "".join(capsys.readouterr())
    assert "AWS::Logs::LogGroup /ecs/shop (deleted with the stack)" in text
    assert "kept" not in text.split("shop: removed", 1)[1], "nothing is kept that the stack deleted"
    assert clients.logs.describe_log_groups(logGroupNamePrefix="/ecs/shop")["logGroups"] == []


# -- item 3: Ctrl-C during down says what was done -------------------------------------------

def test_ctrl_c_during_down_says_what_was_deleted_and_a_rerun_finishes(world):
    from compose2ecs.errors import AwsError

    _, clients, clock = world
    _deploy(make_project(), clients, clock)

    def interrupt(**_kwargs):
        raise KeyboardInterrupt

    clients.ec2.meta.events.register("before-call.ec2.DeleteSecurityGroup", interrupt)
    with pytest.raises(AwsError) as caught:
        _down(clients, clock)
    error = caught.value
    assert error.exit_code == 130 and error.code == "Interrupted"
    text = str(error)
    assert "interrupted after deleting 7 resource(s) (3 service, 3 task-definition, 1 namespace, listed above)" in text
    assert "nothing was deleted" not in text
    assert "run `compose2ecs down -p shop` again to finish" in text
    clients.ec2.meta.events.unregister("before-call.ec2.DeleteSecurityGroup", interrupt)
    inventory = _down(clients, clock)  # the re-run finishes the job
    assert inventory.services == [] and len(inventory.security_groups) == 3
    assert clients.ecs.describe_clusters(clusters=["shop"])["clusters"][0]["status"] == "INACTIVE"
    assert clients.iam.list_roles(PathPrefix="/compose2ecs/")["Roles"] == []


# -- issue 11 item 3: data is kept by default ---------------------------------------------------

def _data(clients):
    tags = [{"Key": "compose2ecs:project", "Value": "shop"}]
    fs = clients.efs.create_file_system(CreationToken="shop-data", Tags=tags)["FileSystemId"]
    clients.ecr.create_repository(repositoryName="shop/web", tags=tags)
    secret = clients.secretsmanager.create_secret(Name="shop/db-password", SecretString="x", Tags=tags)["ARN"]
    clients.secretsmanager.create_secret(Name="shop/not-ours", SecretString="x")
    # a config deploy stored in SSM (aws/secrets.py), and one with the same prefix nobody tagged
    clients.ssm.put_parameter(Name="/compose2ecs/shop/configs/nginx", Value="conf", Type="String", Tags=tags)
    clients.ssm.put_parameter(Name="/compose2ecs/shop/configs/foreign", Value="conf", Type="String")
    return fs, secret


def test_down_keeps_data_by_default_and_lists_it(world, capsys):
    _, clients, clock = world
    _deploy(make_project(), clients, clock)
    fs, secret = _data(clients)
    _down(clients, clock)
    text = "".join(capsys.readouterr())
    for line in ("log group /ecs/shop (data; --logs or --all deletes it)",
                 f"EFS file system {fs} (data; --volumes or --all deletes it)",
                 "ECR repository shop/web (data; --images or --all deletes it)",
                 f"secret {secret} (data; --all deletes it)",
                 "config parameter /compose2ecs/shop/configs/nginx (data; --all deletes it)"):
        assert line in text
    assert "configs/foreign" not in text
    assert clients.logs.describe_log_groups()["logGroups"]
    assert [f["FileSystemId"] for f in clients.efs.describe_file_systems()["FileSystems"]] == [fs]
    assert [r["repositoryName"] for r in clients.ecr.describe_repositories()["repositories"]] == ["shop/web"]
    assert len(clients.secretsmanager.list_secrets()["SecretList"]) == 2


def test_images_removes_only_the_repositories_and_all_removes_every_kind(world):
    _, clients, clock = world
    _deploy(make_project(), clients, clock)
    fs, secret = _data(clients)
    _down(clients, clock, images=True)
    assert clients.ecr.describe_repositories()["repositories"] == []
    assert clients.efs.describe_file_systems()["FileSystems"] and clients.logs.describe_log_groups()["logGroups"]
    inventory = _down(clients, clock, everything=True)
    assert inventory.file_systems == [fs] and inventory.secrets == [secret] and inventory.log_groups == ["/ecs/shop"]
    assert clients.efs.describe_file_systems()["FileSystems"] == []
    assert clients.logs.describe_log_groups()["logGroups"] == []
    names = [s["Name"] for s in clients.secretsmanager.list_secrets()["SecretList"]]
    assert names == ["shop/not-ours"], "an untagged secret is never deleted"
    assert inventory.parameters == ["/compose2ecs/shop/configs/nginx"]
    left = [p["Name"] for p in clients.ssm.describe_parameters()["Parameters"]]
    assert left == ["/compose2ecs/shop/configs/foreign"], "an untagged parameter is never deleted"


# -- item 18: the SSM read permission names the account and the referenced parameters only -----

ACCOUNT = "123456789012"  # moto's
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"


def _with_secrets(project, *refs):
    """``project`` whose api container reads ``refs`` ((name, valueFrom, store) triples)."""
    from compose2ecs.ecs import model as m

    td = project.task_definition("shop-api")
    container = replace(td.containers[0], secrets=tuple(m.SecretRef(n, vf, n) for n, vf, _ in refs))
    tds = tuple(replace(td, containers=(container,)) if t.family == td.family else t for t in project.task_definitions)
    return replace(project, task_definitions=tds, secrets=tuple(m.SecretSpec(n, vf, st) for n, vf, st in refs))


SECRETS = (("TOKEN", "/shop/token", "ssm"), ("PLAIN", "shop-plain", "ssm"), ("DB", SECRET, "secretsmanager"))


def _sent_policies(clients) -> list:
    import json

    sent = []
    clients.iam.meta.events.register("provide-client-params.iam.PutRolePolicy",
                                     lambda params, **_: sent.append(json.loads(params["PolicyDocument"])))
    return sent


def test_the_api_deploy_grants_ssm_reads_in_the_callers_account_only(world):
    _, clients, clock = world
    sent = _sent_policies(clients)
    _deploy(_with_secrets(make_project(), *SECRETS), clients, clock)
    (policy,) = sent
    by_action = {s["Action"]: s["Resource"] for s in policy["Statement"]}
    assert by_action == {
        "ssm:GetParameters": [f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/shop-plain",
                              f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/shop/token"],
        "secretsmanager:GetSecretValue": [SECRET]}
    assert "*" not in str(policy), "no wildcard: not the account, not the parameter"


def test_both_back_ends_grant_the_same_ssm_resources():
    from compose2ecs.aws.apply import secrets_policy
    from compose2ecs.emit.cloudformation import build_template

    project = _with_secrets(make_project(), *SECRETS)
    role = build_template(project)["Resources"]["ExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]

    def resolve(value):
        if isinstance(value, dict) and "Fn::Sub" in value:
            return (value["Fn::Sub"].replace("${AWS::Partition}", "aws").replace("${AWS::Region}", "us-east-1")
                    .replace("${AWS::AccountId}", ACCOUNT))
        return value

    cfn = [{**s, "Resource": [resolve(r) for r in s["Resource"]]} for s in role["Statement"]
           if "Fn::If" not in s]  # the KMS statement, conditional on keys nobody gave here
    assert cfn == secrets_policy(project, "us-east-1", ACCOUNT)["Statement"]


def test_an_earlier_wildcard_policy_is_replaced_by_the_scoped_one(world):
    import json

    _, clients, clock = world
    project = _with_secrets(make_project(), *SECRETS)
    _deploy(project, clients, clock)
    wide = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ssm:GetParameters",
                                                    "Resource": ["arn:aws:ssm:us-east-1:*:parameter/shop/token"]}]}
    clients.iam.put_role_policy(RoleName="shop-ecs-execution", PolicyName="read-secrets", PolicyDocument=json.dumps(wide))
    plan = make_plan(project, clients, renderer())
    assert plan.action("role", "shop-ecs-execution").kind == "update"
    _deploy(project, clients, clock)
    now = clients.iam.get_role_policy(RoleName="shop-ecs-execution", PolicyName="read-secrets")["PolicyDocument"]
    assert "*" not in json.dumps(now) and f"{ACCOUNT}:parameter/shop/token" in json.dumps(now)
    assert make_plan(project, clients, renderer()).action("role", "shop-ecs-execution").kind == "no change"


# -- through the CLI: plan and deploy show the clash and exit 2, changing nothing ----------------

def test_plan_and_deploy_through_the_cli_exit_2_on_a_clash_and_change_nothing(moto_server, tmp_path):
    import boto3

    from tests.test_aws_cli import COMPOSE, cli

    ecs = boto3.client("ecs", region_name="us-east-1", endpoint_url=moto_server)
    ecs.create_cluster(clusterName="e2e")  # someone's cluster, named like the project, untagged
    (tmp_path / "compose.yaml").write_text(COMPOSE.format(web_image="nginx:1.27-alpine"))
    for command in (["plan"], ["deploy"]):
        result = cli(moto_server, tmp_path, *command)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "cluster e2e: error: already exists but is not tagged compose2ecs:project=e2e" in result.stderr
        assert "pass --cluster e2e" in result.stderr and "-p OTHER" in result.stderr
        assert "Traceback" not in result.stderr
    assert ecs.list_services(cluster="e2e")["serviceArns"] == []
    assert ecs.list_task_definition_families()["families"] == []
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=moto_server)
    assert [g["GroupName"] for g in ec2.describe_security_groups()["SecurityGroups"]] == ["default"]


def test_a_service_still_draining_is_reported_as_such_not_as_gone(world, capsys):
    _, clients, clock = world
    _deploy(make_project(), clients, clock)

    class Ok:
        status_code = 200

    def draining(**_kwargs):  # AWS: DRAINING until the tasks have stopped
        return Ok(), {"services": [{"serviceName": n, "status": "DRAINING"} for n in ("api", "db", "web")]}

    def start_draining(**_kwargs):  # from the first deletion on (the inventory reads the real services)
        clients.ecs.meta.events.register("before-call.ecs.DescribeServices", draining)

    clients.ecs.meta.events.register("before-call.ecs.DeleteService", start_draining)
    _down(clients, clock)
    out = capsys.readouterr().out
    assert "  service web (deleted, still draining)" in out
    assert "  service web\n" not in out


def test_a_stack_named_like_the_project_but_not_its_own_is_never_updated(world):
    import json

    from compose2ecs.aws.stack import StackDeployer

    recorder, clients, clock = world
    template = {"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/theirs"}}}}
    clients.cloudformation.create_stack(StackName="shop", TemplateBody=json.dumps(template))
    recorder.calls.clear()
    deployer = StackDeployer(clients.cloudformation, None, PlainProgress(io.StringIO(), clock), clock.sleep, clock)
    with pytest.raises(UserError) as caught:
        deployer.deploy(make_project(), json.dumps(template))
    assert recorder.mutating() == []
    assert str(caught.value).startswith("stack shop: error: already exists but is not tagged compose2ecs:project=shop")


def test_a_data_kind_down_cannot_read_is_said_to_be_unchecked_not_skipped(world, capsys, monkeypatch):
    from compose2ecs.aws import down
    from compose2ecs.errors import AwsError

    _, clients, clock = world
    _deploy(make_project(), clients, clock)

    def denied(_ecr, _project):
        raise AwsError("ECR repositories", "not allowed", code="AccessDeniedException")

    monkeypatch.setattr(down, "_repositories", denied)
    _down(clients, clock)
    assert "  ECR repository: not checked (AccessDeniedException)" in capsys.readouterr().out
    with pytest.raises(AwsError):  # asked to delete them: the failure is the answer
        _down(clients, clock, images=True)


def test_ctrl_c_through_the_cli_exits_130_and_never_claims_nothing_was_deleted(world, monkeypatch):
    from typer.testing import CliRunner

    from compose2ecs import cli_aws
    from compose2ecs.cli import app

    _, clients, clock = world
    _deploy(make_project(), clients, clock)

    def interrupt(**_kwargs):
        raise KeyboardInterrupt

    clients.iam.meta.events.register("before-call.iam.DeleteRole", interrupt)
    monkeypatch.setattr(cli_aws, "make_clients", lambda *args, **kwargs: clients)
    monkeypatch.setenv("CI", "true")  # plain progress lines
    result = CliRunner().invoke(app, ["down", "-p", "shop", "--yes"], catch_exceptions=False)
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 130, output
    assert "nothing was deleted" not in output
    assert "error: down shop: Interrupted: interrupted after deleting 10 resource(s)" in output
    assert "run `compose2ecs down -p shop` again to finish" in output


def test_down_keeps_its_own_cluster_while_someone_elses_service_runs_in_it(world, capsys):
    recorder, clients, clock = world
    _deploy(make_project(), clients, clock)
    _foreign_web(clients, "shop", name="billing")  # someone deployed into the project's cluster
    recorder.calls.clear()
    _down(clients, clock)
    assert ("ecs", "DeleteCluster") not in recorder.calls
    assert clients.ecs.describe_clusters(clusters=["shop"])["clusters"][0]["status"] == "ACTIVE"
    assert _service(clients, "shop", "billing")["status"] == "ACTIVE"
    out = capsys.readouterr().out
    assert "cluster shop (it also runs services that are not this project's: billing)" in out


def test_an_aws_failure_half_way_lists_what_was_deleted_and_how_to_finish(world, capsys, monkeypatch):
    from compose2ecs.aws import teardown
    from compose2ecs.errors import AwsError

    _, clients, clock = world
    _deploy(make_project(), clients, clock)

    def denied(_remover, _inv):
        raise AwsError("role shop-ecs-execution", "not allowed", code="AccessDenied")

    monkeypatch.setattr(teardown, "STEPS", tuple(denied if s is teardown.roles else s for s in teardown.STEPS))
    with pytest.raises(AwsError):
        _down(clients, clock)
    err = capsys.readouterr().err
    assert "Deleted before the failure (shop):\n  service api\n" in err
    assert "security-group shop-web" in err.split("Deleted before the failure")[1]
    assert "run `compose2ecs down -p shop` again to finish" in err


def test_a_stack_still_deleting_is_not_reported_as_deleted():
    from types import SimpleNamespace

    from compose2ecs.aws.down import Inventory, Remover
    from compose2ecs.aws.teardown import stack

    class Cfn:
        def delete_stack(self, **_):
            pass

        def describe_stacks(self, **_):
            return {"Stacks": [{"StackStatus": "DELETE_IN_PROGRESS"}]}

    remover = Remover(SimpleNamespace(cloudformation=Cfn()), sleep=lambda _s: None, attempts=1)
    stack(remover, Inventory("shop", stack="shop", stack_resources=[("AWS::Logs::LogGroup", "/ecs/shop")]))
    assert remover.done == [("stack", "shop", "deletion still in progress")]
