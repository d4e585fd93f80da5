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
