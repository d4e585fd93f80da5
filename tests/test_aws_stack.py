"""`deploy --via cloudformation`: change sets, "no changes", streamed events, failed stacks
kept, big templates through S3. moto runs the happy path; a scripted client the failures
(moto cannot be made to fail a stack on purpose)."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from compose2ecs.aws.progress import PlainProgress
from compose2ecs.aws.stack import INLINE_LIMIT, StackDeployer, StackOptions, render_changes, stack_parameters
from compose2ecs.errors import AwsError
from tests.aws_fixtures import FakeClock, aws_env, make_clients, make_project, moto  # noqa: F401

TEMPLATE = {"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/ecs/shop"}}}}


def _deployer(cfn, s3=None):
    clock, out = FakeClock(), io.StringIO()
    return StackDeployer(cfn, s3, PlainProgress(out, clock), clock.sleep, clock), out


def test_create_then_no_changes_against_moto(moto):
    clients = make_clients()
    deployer, out = _deployer(clients.cloudformation)
    first = deployer.deploy(make_project(), json.dumps(TEMPLATE))
    assert first.changed and first.status == "CREATE_COMPLETE"
    assert first.changes == [("Add", "Logs", "AWS::Logs::LogGroup", "")]
    assert "AWS::Logs::LogGroup Logs: will add" in out.getvalue()
    tags = clients.cloudformation.describe_stacks(StackName="shop")["Stacks"][0]["Tags"]
    assert {"Key": "compose2ecs:project", "Value": "shop"} in tags
    second = deployer.deploy(make_project(), json.dumps(TEMPLATE))
    assert not second.changed
    assert render_changes(second) == "stack shop: no changes\n"
    left = clients.cloudformation.list_change_sets(StackName="shop")["Summaries"]
    assert [c["ExecutionStatus"] for c in left] in ([], ["EXECUTE_COMPLETE"]), "the empty change set is removed"


def test_dry_run_shows_the_change_set_and_leaves_no_stack(moto):
    clients = make_clients()
    deployer, _ = _deployer(clients.cloudformation)
    result = deployer.deploy(make_project(), json.dumps(TEMPLATE), StackOptions(dry_run=True))
    assert result.changed and result.changes
    stacks = clients.cloudformation.list_stacks()["StackSummaries"]
    assert all(s["StackStatus"] == "DELETE_COMPLETE" for s in stacks)


def test_big_template_needs_a_bucket(moto):
    clients = make_clients()
    big = json.dumps({**TEMPLATE, "Metadata": {"pad": "x" * INLINE_LIMIT}})
    deployer, _ = _deployer(clients.cloudformation)
    with pytest.raises(AwsError) as caught:
        deployer.deploy(make_project(), big)
    assert "--s3-bucket" in str(caught.value)
    clients.s3.create_bucket(Bucket="templates")
    deployer, _ = _deployer(clients.cloudformation, clients.s3)
    kwargs = deployer._template("shop", big, "templates")
    assert kwargs["TemplateURL"].endswith(".json") and "/templates/compose2ecs/shop/" in kwargs["TemplateURL"]
    keys = [o["Key"] for o in clients.s3.list_objects_v2(Bucket="templates")["Contents"]]
    assert len(keys) == 1


class ScriptedCfn:
    """A CloudFormation client whose stack fails while creating; records every call."""

    def __init__(self, status="CREATE_IN_PROGRESS", final="ROLLBACK_COMPLETE"):
        self.calls, self.status, self.final, self.polls = [], status, final, 0

    def describe_stacks(self, StackName):
        self.calls.append("DescribeStacks")
        if self.status is None:
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "ValidationError", "Message": "Stack with id x does not exist"}},
                              "DescribeStacks")
        self.polls += 1
        return {"Stacks": [{"StackStatus": self.status if self.polls < 3 else self.final}]}

    def create_change_set(self, **kwargs):
        self.calls.append("CreateChangeSet")
        self.created = kwargs
        self.status = "REVIEW_IN_PROGRESS"

    def describe_change_set(self, **_):
        self.calls.append("DescribeChangeSet")
        return {"Status": "CREATE_COMPLETE", "Changes": [{"ResourceChange": {
            "Action": "Add", "LogicalResourceId": "WebService", "ResourceType": "AWS::ECS::Service"}}]}

    def execute_change_set(self, **kwargs):
        self.calls.append("ExecuteChangeSet")
        self.executed = kwargs
        self.status, self.polls = "CREATE_IN_PROGRESS", 0

    def get_paginator(self, _name):
        outer = self

        class Pages:
            def paginate(self, **_):
                outer.calls.append("DescribeStackEvents")
                at = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
                return [{"StackEvents": [
                    {"EventId": "2", "LogicalResourceId": "WebService", "ResourceType": "AWS::ECS::Service",
                     "ResourceStatus": "CREATE_FAILED", "Timestamp": at,
                     "ResourceStatusReason": "Resource handler returned message: \"Invalid request provided: "
                                             "CreateService error: subnets can not be empty.\""},
                    {"EventId": "1", "LogicalResourceId": "shop", "ResourceType": "AWS::CloudFormation::Stack",
                     "ResourceStatus": "CREATE_IN_PROGRESS", "Timestamp": at}]}] if outer.polls else [{"StackEvents": []}]

        return Pages()


def test_a_failed_stack_streams_reasons_and_is_never_deleted():
    cfn = ScriptedCfn(status=None)
    deployer, out = _deployer(cfn)
    with pytest.raises(AwsError) as caught:
        deployer.deploy(make_project(), json.dumps(TEMPLATE), StackOptions(no_rollback=True))
    assert cfn.executed["DisableRollback"] is True
    assert caught.value.exit_code == 4
    assert "WebService: Resource handler returned message" in str(caught.value)
    text = out.getvalue()
    assert "AWS::ECS::Service WebService: CREATE_FAILED" in text
    assert "nothing was deleted" in text
    assert not any(c.startswith("Delete") for c in cfn.calls)


def test_a_stack_left_failed_by_an_earlier_deploy_is_refused_not_replaced():
    cfn = ScriptedCfn(status="ROLLBACK_COMPLETE", final="ROLLBACK_COMPLETE")
    deployer, _ = _deployer(cfn)
    with pytest.raises(AwsError) as caught:
        deployer.deploy(make_project(), json.dumps(TEMPLATE))
    assert caught.value.code == "ROLLBACK_COMPLETE" and "compose2ecs down -p shop" in str(caught.value)
    assert cfn.calls == ["DescribeStacks"]


def test_parameters_are_filled_or_named():
    template = {"Parameters": {"VpcId": {"Type": "AWS::EC2::VPC::Id"}, "Subnets": {"Type": "String"},
                               "AssignPublicIp": {"Type": "String", "Default": "ENABLED"},
                               "DbPassword": {"Type": "String", "Description": "the database password"}}}
    with pytest.raises(AwsError) as caught:
        stack_parameters(template, {"VpcId": "vpc-1", "Subnets": "subnet-1,subnet-2"})
    assert "DbPassword" in str(caught.value) and "database password" in str(caught.value)
    del template["Parameters"]["DbPassword"]
    assert stack_parameters(template, {"VpcId": "vpc-1", "Subnets": "subnet-1,subnet-2", "Unused": "x"}) == [
        {"ParameterKey": "Subnets", "ParameterValue": "subnet-1,subnet-2"},
        {"ParameterKey": "VpcId", "ParameterValue": "vpc-1"}]


def _load_balancer(clients, groups: int):
    ec2 = clients.ec2
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"us-east-1{z}")[
        "Subnet"]["SubnetId"] for i, z in enumerate("ab")]
    sgs = [ec2.create_security_group(GroupName=f"lb{i}", Description="lb", VpcId=vpc)["GroupId"] for i in range(groups)]
    lb = clients.elbv2.create_load_balancer(Name="shared", Subnets=subnets, SecurityGroups=sgs)["LoadBalancers"][0]
    return lb["LoadBalancerArn"], sgs


OPEN_LB = {"Parameters": {"LoadBalancerArn": {"Type": "String"},
                          "LoadBalancerSecurityGroupId": {"Type": "AWS::EC2::SecurityGroup::Id"}}}


def test_existing_load_balancer_parameters_are_read_from_it(moto):
    from dataclasses import replace

    from compose2ecs.aws.commands import existing_load_balancer

    clients = make_clients()
    arn, (sg,) = _load_balancer(clients, 1)
    by_name = replace(make_project(), extensions=(("load_balancer_arn", "shared"),))  # x-aws-loadbalancer: shared
    assert existing_load_balancer(by_name, OPEN_LB, clients.elbv2) == {
        "LoadBalancerArn": arn, "LoadBalancerSecurityGroupId": sg}
    # parameters with a default are left alone; no load balancer setting, nothing to read
    defaulted = {"Parameters": {k: dict(v, Default="x") for k, v in OPEN_LB["Parameters"].items()}}
    assert existing_load_balancer(by_name, defaulted, clients.elbv2) == {}
    assert existing_load_balancer(make_project(), OPEN_LB, clients.elbv2) == {}


def test_existing_load_balancer_with_two_groups_leaves_the_choice_to_the_user(moto):
    from dataclasses import replace

    from compose2ecs.aws.commands import existing_load_balancer

    clients = make_clients()
    arn, _ = _load_balancer(clients, 2)
    project = replace(make_project(), extensions=(("load_balancer_arn", arn),))
    assert existing_load_balancer(project, OPEN_LB, clients.elbv2) == {"LoadBalancerArn": arn}
    with pytest.raises(AwsError) as caught:
        stack_parameters(OPEN_LB, {"LoadBalancerArn": arn})
    assert "LoadBalancerSecurityGroupId" in str(caught.value)


# --- nested stacks: uploaded to S3 (as `aws cloudformation package` does), then deployed -----

NESTED = {"Parameters": {"Name": {"Type": "String"}},
          "Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": {"Ref": "Name"}}}}}
ROOT = {"Resources": {
    "ServicesStack01": {"Type": "AWS::CloudFormation::Stack",
                        "Properties": {"TemplateURL": "nested/services-01.json", "Parameters": {"Name": "/ecs/nested"}}},
    "Other": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/ecs/root"}}}}


def test_nested_templates_need_a_bucket(moto):
    clients = make_clients()
    deployer, _ = _deployer(clients.cloudformation)
    with pytest.raises(AwsError) as caught:
        deployer.upload_nested(make_project(), {"nested/services-01.json": NESTED}, None)
    assert "--s3-bucket" in str(caught.value) and "1 nested template" in str(caught.value)
    assert deployer.upload_nested(make_project(), {}, None) == {}  # one template: nothing to upload


def test_nested_templates_are_uploaded_and_the_root_points_at_them(moto):
    from compose2ecs.aws.stack import with_uploaded_nested

    clients = make_clients()
    clients.s3.create_bucket(Bucket="templates-bucket")
    deployer, _ = _deployer(clients.cloudformation, clients.s3)
    urls = deployer.upload_nested(make_project(), {"nested/services-01.json": NESTED}, "templates-bucket")
    assert urls == deployer.upload_nested(make_project(), {"nested/services-01.json": NESTED}, "templates-bucket")
    (url,) = urls.values()
    assert "/templates-bucket/compose2ecs/shop/" in url
    key = url.split("/templates-bucket/", 1)[1]
    assert json.loads(clients.s3.get_object(Bucket="templates-bucket", Key=key)["Body"].read()) == NESTED
    root = with_uploaded_nested(ROOT, urls)
    assert root["Resources"]["ServicesStack01"]["Properties"]["TemplateURL"] == url
    assert ROOT["Resources"]["ServicesStack01"]["Properties"]["TemplateURL"] == "nested/services-01.json"
    assert root["Resources"]["Other"] == ROOT["Resources"]["Other"]
    result = deployer.deploy(make_project(), json.dumps(root))
    assert result.status == "CREATE_COMPLETE"
    groups = {g["logGroupName"] for g in clients.logs.describe_log_groups()["logGroups"]}
    assert {"/ecs/nested", "/ecs/root"} <= groups  # the nested stack was created from the upload


def test_a_big_project_deploys_its_nested_stacks_through_the_bucket(moto, monkeypatch):
    """The deploy command's wiring: templates_for splits, the nested files are uploaded, the
    root sent to CloudFormation names only S3 URLs."""
    from compose2ecs.aws import commands, stack
    from compose2ecs.aws.progress import NullProgress

    clients = make_clients()
    clients.s3.create_bucket(Bucket="templates-bucket")
    monkeypatch.setattr(stack, "templates_for", lambda ecs: (ROOT, {"nested/services-01.json": NESTED}))
    sent = []
    monkeypatch.setattr(stack.StackDeployer, "deploy", lambda self, project, body, *a: sent.append(json.loads(body))
                        or stack.StackResult("shop", False))
    commands._deploy_stack(make_project(), clients, NullProgress(), False, False, "templates-bucket", 60,
                           lambda s: None, lambda: 0.0)
    (body,) = sent
    url = body["Resources"]["ServicesStack01"]["Properties"]["TemplateURL"]
    assert url.startswith(clients.s3.meta.endpoint_url) and "/templates-bucket/" in url


def test_templates_for_names_each_nested_file_the_root_points_at():
    from compose2ecs.aws.stack import templates_for
    from tests.test_cloudformation_split import generated

    root, nested = templates_for(generated(200))
    urls = sorted(r["Properties"]["TemplateURL"] for r in root["Resources"].values()
                  if r["Type"] == "AWS::CloudFormation::Stack")
    assert urls == sorted(nested) and all(u.endswith(".json") for u in urls)


def test_the_stack_wait_keeps_the_timeout_honest():
    """The last poll falls on the deadline: --timeout 12 with 5 s polls gives up at 12 s, not 15."""
    cfn = ScriptedCfn(status=None, final="CREATE_IN_PROGRESS")  # never settles
    clock, out = FakeClock(), io.StringIO()
    deployer = StackDeployer(cfn, None, PlainProgress(out, clock), clock.sleep, clock)
    start = clock()
    with pytest.raises(AwsError) as caught:
        deployer.deploy(make_project(), json.dumps(TEMPLATE), StackOptions(timeout=12, poll_seconds=5))
    assert caught.value.code == "Timeout" and "after 12 s" in str(caught.value)
    assert clock() - start <= 12 + 2  # the change set's own 2 s polls come before the stack wait
    assert max(clock.sleeps) <= 5
