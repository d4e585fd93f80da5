"""IAM: one task execution role for the project, task roles only where a service needs one.

The execution role gets the AWS managed execution policy plus an inline policy that grants
reading exactly the secrets the task definitions reference (Secrets Manager ARNs without
their ``:json-key:…`` suffix, SSM parameter ARNs) — nothing wider. Role names are left to
CloudFormation so deploying needs only ``CAPABILITY_IAM``.
"""
from __future__ import annotations

from .context import Builder, getatt, ref, sub

DEFAULT_EXECUTION_ROLE = "ecsTaskExecutionRole"
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
EXEC_POLICY = "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
EXEC_COMMAND_ACTIONS = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                        "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]
STORE_ACTION = {"secretsmanager": "secretsmanager:GetSecretValue", "ssm": "ssm:GetParameters"}


def uses_project_execution_role(role) -> bool:
    """True when a task definition's execution role is the project's (created by the stack)."""
    return role in (None, "", DEFAULT_EXECUTION_ROLE)


def secret_resource(value_from: str, created: dict, placeholders, store: str):
    """(action, IAM resource) for one ``valueFrom``; resource may be an intrinsic.

    A placeholder stays as its string here: it becomes a ``Ref`` to its parameter when
    placeholders are substituted across the whole template.
    """
    if value_from in created:
        return STORE_ACTION["secretsmanager"], ref(created[value_from])
    if value_from in placeholders:
        return STORE_ACTION.get(store, STORE_ACTION["secretsmanager"]), value_from
    if value_from.startswith("arn:"):
        parts = value_from.split(":")
        service = parts[2] if len(parts) > 2 else ""
        if service == "secretsmanager":
            # arn:aws:secretsmanager:region:acct:secret:name-AbCdEf[:json-key:stage:version]
            return STORE_ACTION["secretsmanager"], ":".join(parts[:7])
        return STORE_ACTION.get(service, STORE_ACTION["ssm"]), value_from
    name = value_from if value_from.startswith("/") else "/" + value_from
    return STORE_ACTION["ssm"], sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter" + name)


def secret_statements(b: Builder, value_froms, created: dict) -> list:
    """Least-privilege statements: one per action, resources sorted by their text."""
    stores = {s.value_from: s.store for s in b.ecs.secrets}
    placeholders = {p.value for p in b.ecs.placeholders}
    by_action: dict = {}
    for vf in sorted(set(value_froms)):
        action, resource = secret_resource(vf, created, placeholders, stores.get(vf, "secretsmanager"))
        by_action.setdefault(action, {})[repr(resource)] = resource
    return [{"Effect": "Allow", "Action": action, "Resource": [r for _, r in sorted(res.items())]}
            for action, res in sorted(by_action.items())]


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
