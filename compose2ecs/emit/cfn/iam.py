"""IAM: one task execution role for the project, task roles only where a service needs one.

The execution role gets the AWS managed execution policy plus an inline policy that grants
reading exactly the secrets the task definitions reference (Secrets Manager ARNs without
their ``:json-key:…`` suffix, SSM parameter ARNs) and ``kms:Decrypt`` on the keys of the
``SecretsKmsKeyArns`` parameter — nothing wider. The statements come from
:mod:`..secret_policy`, which the boto3 deployer uses too. Role names are left to
CloudFormation so deploying needs only ``CAPABILITY_IAM``.
"""
from __future__ import annotations

from .. import secret_policy
from ..secret_policy import DEFAULT_EXECUTION_ROLE, uses_project_execution_role  # noqa: F401 (re-exported)
from .context import Builder, getatt, ref, sub

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
EXEC_POLICY = "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
EXEC_COMMAND_ACTIONS = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                        "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]
KMS_PARAMETER = "SecretsKmsKeyArns"
KMS_CONDITION = "HasSecretsKmsKeys"


def secret_statements(b: Builder, value_froms, created: dict) -> list:
    """Least-privilege statements (the shared builder, ARNs in ``Fn::Sub``), plus
    ``kms:Decrypt`` on the ``SecretsKmsKeyArns`` parameter's keys when it is not empty."""
    stores = {s.value_from: s.store for s in b.ecs.secrets}
    placeholders = {p.value for p in b.ecs.placeholders}
    statements = secret_policy.secret_statements(value_froms, secret_policy.STACK, stores, created, placeholders)
    if statements:
        kms = secret_policy.kms_statement(ref(_add_kms_parameter(b)), statements, secret_policy.STACK)
        statements.append({"Fn::If": [KMS_CONDITION, kms, ref("AWS::NoValue")]})
    return statements


def _add_kms_parameter(b: Builder) -> str:
    """SecretsKmsKeyArns (default: x-ecs secrets_kms_key_arns, else empty ⇒ no KMS grant)."""
    keys = secret_policy.kms_key_arns(b.ecs) if b.with_defaults else ()
    name = b.pid("param:" + KMS_PARAMETER, KMS_PARAMETER)
    b.parameter(name, {
        "Type": "CommaDelimitedList", "Default": ",".join(keys),
        "Description": "ARNs of customer-managed KMS keys that encrypt the referenced secrets (kms:Decrypt "
                       "through Secrets Manager/SSM only); empty when they use the AWS managed keys"})
    # An empty list parameter joins to "": then the statement is AWS::NoValue.
    b.conditions[KMS_CONDITION] = {"Fn::Not": [{"Fn::Equals": [{"Fn::Join": ["", ref(name)]}, ""]}]}
    return name


def add_execution_role(b: Builder, statements: list, create_log_groups: bool) -> str:
    """The project's execution role; returns its logical ID."""
    statements = list(statements)
    if create_log_groups:
        statements.append({"Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": "*"})
    props = {"AssumeRolePolicyDocument": TRUST, "ManagedPolicyArns": [sub(EXEC_POLICY)],
             "Tags": b.tags()}
    if statements:
        props["Policies"] = [{"PolicyName": "read-referenced-secrets",
                              "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]
    rid = b.pid("res:ExecutionRole", "ExecutionRole")
    return b.resource(rid, "AWS::IAM::Role", props,
                      description="Task execution role: pulls images, writes logs, reads the referenced secrets")


def task_role_statements(b: Builder, service, efs_iam: list) -> tuple:
    """(managed policy ARNs, inline statements) a service's task role needs."""
    managed, inline = [], []
    for policy in service.task_policies:
        if isinstance(policy, str):
            managed.append(policy)
        elif isinstance(policy, dict):
            statements = policy.get("Statement", [])
            inline.extend(statements if isinstance(statements, list) else [statements])
    if efs_iam:
        inline.append({"Effect": "Allow", "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                       "Resource": efs_iam})
    if service.enable_execute_command:
        inline.append({"Effect": "Allow", "Action": EXEC_COMMAND_ACTIONS, "Resource": "*"})
    return managed, inline


def add_task_role(b: Builder, service, efs_iam: list):
    """A task role for ``service`` when it needs one; returns its ``Fn::GetAtt`` or None."""
    managed, inline = task_role_statements(b, service, efs_iam)
    if not managed and not inline:
        return None
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")}}}]}
    props: dict = {"AssumeRolePolicyDocument": trust, "Tags": b.tags(service.name)}
    if managed:
        props["ManagedPolicyArns"] = sorted(managed)
    if inline:
        props["Policies"] = [{"PolicyName": "service-permissions",
                              "PolicyDocument": {"Version": "2012-10-17", "Statement": inline}}]
    rid = b.resource(b.sid(service.name, "TaskRole"), "AWS::IAM::Role", props, owner=service.name,
                     description=f"Task role of {service.name}: the permissions its own code uses")
    return getatt(rid, "Arn")
