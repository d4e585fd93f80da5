"""The deployable subset through moto's CloudFormation: create_stack, then read the Outputs.

moto ignores many ECS properties and cannot create Cloud Map or Secrets Manager resources
through CloudFormation, so this checks the plumbing (parameters, conditions, references,
outputs); the semantics are asserted on the template dict in test_cloudformation.py.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cloudformation_support import ensure_taskdef

ensure_taskdef()

from compose2ecs.emit.cloudformation import build_template, dump_template  # noqa: E402
from compose2ecs.pipeline import InputOptions, convert_inputs  # noqa: E402

moto = pytest.importorskip("moto")
boto3 = pytest.importorskip("boto3")

CASE = Path(__file__).parent / "fixtures" / "cloudformation" / "single-public-ip"


@pytest.fixture
def aws(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    with moto.mock_aws():
        yield


def _network():
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")
               ["Subnet"]["SubnetId"] for i, z in enumerate("ab")]
    return vpc, subnets


def _deploy(template_text, parameters, name="shop"):
    cfn = boto3.client("cloudformation", region_name="us-east-1")
    cfn.create_stack(StackName=name, TemplateBody=template_text, Capabilities=["CAPABILITY_IAM"],
                     Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()])
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    return stack, {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def test_single_service_stack_creates_and_reports_outputs(aws):
    ecs = convert_inputs(InputOptions(files=(str(CASE / "compose.yaml"),), cwd=str(CASE)), environ={}).ecs
    vpc, subnets = _network()
    stack, outputs = _deploy(dump_template(build_template(ecs)), {"VpcId": vpc, "Subnets": ",".join(subnets)})
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert outputs["ClusterName"] == "single-public-ip"
    assert outputs["WebServiceName"] == "web"
    assert outputs["WebServiceArn"].startswith("arn:aws:ecs:")
    client = boto3.client("ecs", region_name="us-east-1")
    (service,) = client.describe_services(cluster="single-public-ip", services=["web"])["services"]
    assert service["desiredCount"] == 1
    families = client.list_task_definition_families()["families"]
    assert "single-public-ip-web" in families


def test_existing_cluster_parameter_skips_cluster(aws):
    ecs = convert_inputs(InputOptions(files=(str(CASE / "compose.yaml"),), cwd=str(CASE)), environ={}).ecs
    boto3.client("ecs", region_name="us-east-1").create_cluster(clusterName="shared")
    vpc, subnets = _network()
    stack, outputs = _deploy(dump_template(build_template(ecs)),
                             {"VpcId": vpc, "Subnets": ",".join(subnets), "ExistingClusterName": "shared"})
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert outputs["ClusterName"] == "shared"
    resources = boto3.client("cloudformation", region_name="us-east-1").list_stack_resources(StackName="shop")
    assert "Cluster" not in {r["LogicalResourceId"] for r in resources["StackResourceSummaries"]}


def test_one_template_deploys_as_two_stacks_with_their_own_log_groups(aws):
    ecs = convert_inputs(InputOptions(files=(str(CASE / "compose.yaml"),), cwd=str(CASE)), environ={}).ecs
    text = dump_template(build_template(ecs))
    vpc, subnets = _network()
    client = boto3.client("ecs", region_name="us-east-1")
    groups = {}
    for name in ("shop-staging", "shop-prod"):
        client.create_cluster(clusterName=name)
        stack, outputs = _deploy(text, {"VpcId": vpc, "Subnets": ",".join(subnets), "ExistingClusterName": name},
                                 name=name)
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        groups[name] = outputs["LogGroupEcsSinglePublicIpName"]
    assert groups == {"shop-staging": "/ecs/shop-staging", "shop-prod": "/ecs/shop-prod"}
    logs = boto3.client("logs", region_name="us-east-1")
    assert {g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix="/ecs/")["logGroups"]} == {
        "/ecs/shop-staging", "/ecs/shop-prod"}
    # `compose2ecs logs` reads the group off the running task definition: the stack's group
    from compose2ecs.aws.logs import log_sources

    live = client.describe_services(cluster="shop-prod", services=["web"])["services"]
    assert [(s.service, s.group) for s in log_sources(client, live)] == [("web", "/ecs/shop-prod")]


def test_two_stacks_each_create_their_own_cluster_when_named(aws):
    ecs = convert_inputs(InputOptions(files=(str(CASE / "compose.yaml"),), cwd=str(CASE)), environ={}).ecs
    text = dump_template(build_template(ecs))
    vpc, subnets = _network()
    for name in ("shop-staging", "shop-prod"):
        stack, outputs = _deploy(text, {"VpcId": vpc, "Subnets": ",".join(subnets), "NewClusterName": name},
                                 name=name)
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        assert outputs["ClusterName"] == name
    clusters = boto3.client("ecs", region_name="us-east-1").list_clusters()["clusterArns"]
    assert sorted(arn.rsplit("/", 1)[1] for arn in clusters) == ["shop-prod", "shop-staging"]
