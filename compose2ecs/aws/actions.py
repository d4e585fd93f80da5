"""What a plan is made of: actions, the live facts, and the tags everything created carries.

Kept apart from plan.py (which describes the live state) so the modules that plan one kind of
resource (efs.py, secrets.py) can build actions without importing the planner that calls them.
"""
from __future__ import annotations

from dataclasses import field
from typing import Optional

from ..records import record
from .network import TAG_PROJECT

CREATE, UPDATE, NO_CHANGE = "create", "update", "no change"


@record(frozen=False, slots=False)
class Action:
    resource: str  # secret | network | cluster | log-group | role | security-group | namespace | task-definition | service | job
    name: str
    kind: str  # create | update | no change | run (a one-shot job)
    reason: str = ""
    diff: str = ""


@record(frozen=False, slots=False)
class Live:
    """What the describe calls found; apply adds the ids of what it creates."""

    vpc_id: str = ""
    subnets: list = field(default_factory=list)
    default_vpc: bool = False  # deploy picked the default VPC (public subnets, no NAT gateway)
    role_arn: str = ""  # the execution role (empty until created)
    role_name: str = ""
    group_ids: dict = field(default_factory=dict)  # service → security group id
    group_rules: dict = field(default_factory=dict)  # service → (want, have) symbolic rules
    namespace_arn: str = ""
    taskdefs: dict = field(default_factory=dict)  # family → live latest ACTIVE dict (or None)
    desired: dict = field(default_factory=dict)  # family → RegisterTaskDefinition input
    td_arns: dict = field(default_factory=dict)  # family → ARN services should run
    services: dict = field(default_factory=dict)  # name → live service dict (or None)
    clashes: list = field(default_factory=list)  # live resources with our names but not our tag
    secrets_policy: dict = field(default_factory=dict)  # the execution role's read-secrets policy ({}: none)
    efs: dict = field(default_factory=dict)  # compose volume → efs.VolumeState (volumes deploy creates)
    stored: dict = field(default_factory=dict)  # SecretSpec.key → aws/secrets.Stored (values deploy writes)
    force_new: set = field(default_factory=set)  # services redeployed because a value they read changed


@record(frozen=False, slots=False)
class Plan:
    project: object  # EcsProject
    actions: list
    live: Live

    def changes(self) -> list:
        return [a for a in self.actions if a.kind != NO_CHANGE]

    def action(self, resource: str, name: str) -> Optional[Action]:
        return next((a for a in self.actions if a.resource == resource and a.name == name), None)


def project_tags(project) -> list:
    """The tags every created resource carries (``compose2ecs:project`` finds them again)."""
    tags = {k: v for k, v in project.tags}
    tags[TAG_PROJECT] = project.name
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def ecs_tags(project) -> list:
    return [{"key": t["Key"], "value": t["Value"]} for t in project_tags(project)]
