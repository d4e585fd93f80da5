"""Least-privilege read access to exactly the secrets a project's tasks reference.

One implementation for both deploy paths (issue 5): the CloudFormation emitter
(``emit/cfn/iam.py``), where the account-specific parts of an ARN are ``${AWS::…}``
variables inside ``Fn::Sub``, and the boto3 deployer (``aws/apply.py``), where they are the
concrete partition and Region. Statements:

* ``secretsmanager:GetSecretValue`` on Secrets Manager ARNs, without the
  ``:json-key:version-stage:version-id`` suffix a ``valueFrom`` may carry (IAM matches the
  secret's ARN);
* ``ssm:GetParameters`` on SSM parameter ARNs (a bare name is a parameter of the Region);
* ``kms:Decrypt`` on the customer-managed keys the user named (x-ecs
  ``secrets_kms_key_arns``: offline nobody can know which key encrypts a secret), only
  through the stores actually read (``kms:ViaService``) in the Region — never on ``*``.
  Secrets under the AWS managed keys (``aws/secretsmanager``, ``aws/ssm``) need no grant.
"""
from __future__ import annotations

from typing import Any, Optional

from ..records import record

STORE_ACTION = {"secretsmanager": "secretsmanager:GetSecretValue", "ssm": "ssm:GetParameters"}
ACTION_SERVICE = {action: store for store, action in STORE_ACTION.items()}
KMS_ACTION = "kms:Decrypt"
DEFAULT_EXECUTION_ROLE = "ecsTaskExecutionRole"  # the project's role (created by either deploy path)
# Region prefix → ARN partition; anything else is the commercial partition.
PARTITIONS = (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-isob-", "aws-iso-b"), ("us-iso-", "aws-iso"))


@record(slots=False)
class ArnParts:
    """How ARNs the policy builds are spelled: partition, Region, account.

    ``template`` ⇒ the parts are CloudFormation pseudo-parameter variables and every built
    string is wrapped in ``Fn::Sub``; otherwise the strings are final."""

    partition: str
    region: str
    account: str
    template: bool = False

    def text(self, value: str) -> Any:
        return {"Fn::Sub": value} if self.template else value


STACK = ArnParts("${AWS::Partition}", "${AWS::Region}", "${AWS::AccountId}", template=True)


def partition_of(region: str) -> str:
    """The ARN partition of ``region`` (``cn-north-1`` → ``aws-cn``)."""
    return next((p for prefix, p in PARTITIONS if (region or "").startswith(prefix)), "aws")


def concrete(region: str, account: str) -> ArnParts:
    """ARN parts for the boto3 deployer: the known Region and account (never a wildcard: an
    SSM parameter name is read in the caller's own account, issue 17 item 18)."""
    if not account or account == "*":
        raise ValueError("the deployer's secret policy needs the account id (sts:GetCallerIdentity)")
    return ArnParts(partition_of(region), region or "*", account)


def uses_project_execution_role(role) -> bool:
    """True when a task definition's execution role is the project's (created by the deploy)."""
    return role in (None, "", DEFAULT_EXECUTION_ROLE)


def referenced_secrets(ecs) -> list:
    """Every valueFrom / credentials ARN a task definition using the project role reads."""
    found = []
    for td in ecs.task_definitions:
        if not uses_project_execution_role(td.execution_role_arn):
            continue
        for c in td.containers:
            found += [s.value_from for s in c.secrets]
            if c.log_configuration:
                found += [s.value_from for s in c.log_configuration.secret_options]
            if c.repository_credentials:
                found.append(c.repository_credentials)
    return found


def kms_key_arns(ecs) -> tuple:
    """The customer-managed keys named in x-ecs ``secrets_kms_key_arns`` (sorted)."""
    return tuple(sorted(dict(ecs.extensions).get("secrets_kms_key_arns") or ()))


def secret_resource(value_from: str, parts: ArnParts, created: Optional[dict] = None, placeholders=frozenset(),
                    store: str = "secretsmanager") -> tuple:
    """(action, IAM resource) for one ``valueFrom``; the resource may be an intrinsic.

    ``created`` maps valueFroms of secrets the stack creates to their logical IDs. A
    placeholder stays as its string: the emitter turns it into a ``Ref`` to its parameter.
    """
    if created and value_from in created:
        return STORE_ACTION["secretsmanager"], {"Ref": created[value_from]}
    if value_from in placeholders:
        return STORE_ACTION.get(store, STORE_ACTION["secretsmanager"]), value_from
    if value_from.startswith("arn:"):
        fields = value_from.split(":")
        service = fields[2] if len(fields) > 2 else ""
        if service == "secretsmanager":
            # arn:aws:secretsmanager:region:acct:secret:name-AbCdEf[:json-key:stage:version]
            return STORE_ACTION["secretsmanager"], ":".join(fields[:7])
        return STORE_ACTION.get(service, STORE_ACTION["ssm"]), value_from
    name = value_from if value_from.startswith("/") else "/" + value_from
    return STORE_ACTION["ssm"], parts.text(f"arn:{parts.partition}:ssm:{parts.region}:{parts.account}:parameter{name}")


def secret_statements(value_froms, parts: ArnParts, stores: Optional[dict] = None,
                      created: Optional[dict] = None, placeholders=frozenset()) -> list:
    """One Allow statement per action, resources de-duplicated and sorted by their text.

    ``stores`` maps a valueFrom to its store (``secretsmanager``/``ssm``) where the model knows it."""
    stores = stores or {}
    by_action: dict = {}
    for vf in sorted(set(value_froms)):
        action, resource = secret_resource(vf, parts, created, placeholders, stores.get(vf, "secretsmanager"))
        by_action.setdefault(action, {})[repr(resource)] = resource
    return [{"Effect": "Allow", "Action": action, "Resource": [r for _, r in sorted(res.items())]}
            for action, res in sorted(by_action.items())]


def kms_statement(keys: Any, statements: list, parts: ArnParts) -> dict:
    """``kms:Decrypt`` on ``keys`` (a list, or an intrinsic yielding one), only when called
    by the secret stores ``statements`` read from, in the Region."""
    services = sorted({ACTION_SERVICE[s["Action"]] for s in statements if s["Action"] in ACTION_SERVICE})
    via = [parts.text(f"{service}.{parts.region}.amazonaws.com") for service in services]
    return {"Effect": "Allow", "Action": KMS_ACTION, "Resource": keys,
            "Condition": {"StringEquals": {"kms:ViaService": via}}}


def policy_document(ecs, parts: ArnParts) -> dict:
    """The execution role's inline policy for the boto3 deployer (concrete values), or {}."""
    statements = secret_statements(referenced_secrets(ecs), parts, {s.value_from: s.store for s in ecs.secrets})
    keys = kms_key_arns(ecs)
    if statements and keys:
        statements.append(kms_statement(list(keys), statements, parts))
    return {"Version": "2012-10-17", "Statement": statements} if statements else {}
