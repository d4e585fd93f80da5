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
from tests.aws_fixtures import FakeClock, aws_env, make_clients, make_project, moto, renderer  # noqa: F401

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
