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


# -- a split project: nested stacks with cross-stack references (issue 12) --------------------
NESTED_COMPOSE = """\
name: nest
x-ecs:
  service_connect: false  # moto's CloudFormation cannot create Cloud Map namespaces
services:
  db:
    image: postgres:16
    volumes: [shared:/var/lib/postgresql/data]
  api:
    image: example/api:1
    depends_on: [db]
    volumes: [shared:/data]
  web:
    image: nginx:1.27
    ports: ["80:80"]
    depends_on: [api]
volumes:
  shared: {}
"""


@pytest.fixture
def nested_outputs(monkeypatch):
    """moto 5 cannot ``Fn::GetAtt [NestedStack, Outputs.X]`` (its Stack model has no
    attributes); AWS reads the nested stack's output. Teach moto's Stack exactly that."""
    from moto.cloudformation import models

    def get_cfn_attribute(self, name):
        if not name.startswith("Outputs."):
            raise KeyError(name)
        return {o["OutputKey"]: o["OutputValue"] for o in self.outputs or []}[name[len("Outputs."):]]

    monkeypatch.setattr(models.Stack, "get_cfn_attribute", get_cfn_attribute, raising=False)
    monkeypatch.setattr(models.Stack, "has_cfn_attr", classmethod(lambda cls, a: a.startswith("Outputs.")),
                        raising=False)


def test_nested_stacks_deploy_with_values_from_other_stacks(aws, nested_outputs, monkeypatch, tmp_path):
    from compose2ecs.aws.stack import StackDeployer, dump, templates_for, with_uploaded_nested
    from compose2ecs.emit.cfn import split

    # a 3-service project split as a 1000-service one is (limits shrunk so it needs nesting)
    monkeypatch.setitem(split.LIMITS, "resources", 20)
    monkeypatch.setitem(split.CHUNK, "resources", 9)
    (tmp_path / "compose.yaml").write_text(NESTED_COMPOSE)
    ecs = convert_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path)), environ={}).ecs
    root, nested = templates_for(ecs)
    stacks = {rid: r for rid, r in root["Resources"].items() if r["Type"] == "AWS::CloudFormation::Stack"}
    volume_stack = next(rid for rid, r in stacks.items()
                        if "VolumeSharedFileSystem" in nested[r["Properties"]["TemplateURL"]]["Resources"])
    cross = [(rid, p) for rid, r in stacks.items() for p, v in r["Properties"]["Parameters"].items()
             if v == {"Fn::GetAtt": [volume_stack, "Outputs.VolumeSharedFileSystem"]}]
    assert cross and all(rid != volume_stack for rid, _ in cross), "the services read it from another stack"
    vpc, subnets = _network()
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="templates")
    cfn = boto3.client("cloudformation", region_name="us-east-1")
    urls = StackDeployer(cfn, s3).upload_nested(ecs, nested, "templates")
    stack, outputs = _deploy(dump(with_uploaded_nested(root, urls)), {"VpcId": vpc, "Subnets": ",".join(subnets)},
                             name="nest")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    children = [s for s in cfn.describe_stacks()["Stacks"] if s["StackName"] != "nest"]
    assert len(children) == len(nested) and {s["StackStatus"] for s in children} == {"CREATE_COMPLETE"}
    client = boto3.client("ecs", region_name="us-east-1")
    assert sorted(a.rsplit("/", 1)[1] for a in client.list_services(cluster="nest")["serviceArns"]) == \
        ["api", "db", "web"]
    (fs,) = boto3.client("efs", region_name="us-east-1").describe_file_systems()["FileSystems"]
    # the value crossed stacks: the services' stacks got the real file system id as parameter
    # (moto drops a task definition's EFS configuration, so read it where it arrived)
    readers = [s for s in children if any(p["ParameterKey"] == "VolumeSharedFileSystem" for p in s["Parameters"])]
    assert readers and all(s["StackName"].startswith("nest-") for s in readers)
    for child in readers:
        values = {p["ParameterKey"]: p["ParameterValue"] for p in child["Parameters"]}
        assert values["VolumeSharedFileSystem"] == fs["FileSystemId"]
