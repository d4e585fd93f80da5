"""`compose2ecs down`: remove what the project created, found by the ``compose2ecs:project``
tag (so ``-p NAME`` alone is enough).

Order matters: services (scaled to 0, deleted, drained) → task definitions → namespace →
security groups (cross-references revoked first) → roles → the cluster if this project
created it. Log groups and EFS file systems hold data: kept unless ``--logs``/``--volumes``.
A CloudFormation stack of the project (the ``--via cloudformation`` path) is deleted as a whole.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from ..errors import AwsError
from .discover import find_project, tags_of
from .errors import aws_errors
from .network import TAG_PROJECT
from .plan import ROLE_PATH
from .progress import NullProgress, Progress

RETRY_SECONDS = 10.0
RETRY_ATTEMPTS = 30  # ENIs of stopped tasks can hold a security group for minutes


@dataclass
class Inventory:
    project: str
    cluster: Optional[str] = None
    cluster_created: bool = False
    services: list = field(default_factory=list)
    task_definitions: list = field(default_factory=list)  # ARNs
    security_groups: list = field(default_factory=list)  # (id, name)
    namespaces: list = field(default_factory=list)  # (id, name)
    roles: list = field(default_factory=list)
    log_groups: list = field(default_factory=list)
    file_systems: list = field(default_factory=list)
    stack: Optional[str] = None

    def lines(self) -> list:
        """What will be deleted, for the confirmation prompt and --dry-run."""
        rows = [("stack", [self.stack] if self.stack else []), ("service", self.services),
                ("task definition", [a.rsplit("/", 1)[-1] for a in self.task_definitions]),
                ("namespace", [n for _, n in self.namespaces]),
                ("security group", [f"{n} ({i})" for i, n in self.security_groups]),
                ("role", self.roles), ("cluster", [self.cluster] if self.cluster_created else []),
                ("log group", self.log_groups), ("EFS file system", self.file_systems)]
        return [f"  {kind} {name}" for kind, names in rows for name in names]

    @property
    def empty(self) -> bool:
        return not self.lines()


def find_inventory(clients, project: str, cluster_hint=None, logs: bool = False, volumes: bool = False,
                   stack_name: Optional[str] = None) -> Inventory:
    """Everything tagged with the project (describe/list/get calls only)."""
    from .stack import stack_name as _stack_name

    stack = _stack(clients.cloudformation, stack_name or _stack_name(project), project)
    if stack:  # deleting the stack removes everything in it
        inv = Inventory(project, stack=stack)
        if volumes:
            inv.file_systems = _file_systems(clients.efs, project)
        return inv
    found = find_project(clients, project, cluster_hint)
    inv = Inventory(project, found.cluster, found.cluster_tagged,
                    [s["serviceName"] for s in found.services])
    families = {s["taskDefinition"].rsplit("/", 1)[-1].split(":")[0] for s in found.services}
    inv.task_definitions = _task_definitions(clients.ecs, project, families)
    inv.security_groups = _security_groups(clients.ec2, project)
    inv.namespaces = _namespaces(clients.servicediscovery, project)
    inv.roles = _roles(clients.iam, project)
    if logs:
        inv.log_groups = _log_groups(clients.logs, project, clients.ecs, inv.task_definitions)
    if volumes:
        inv.file_systems = _file_systems(clients.efs, project)
    return inv


def _task_definitions(ecs, project: str, families: set) -> list:
    with aws_errors("task definitions"):
        pages = ecs.get_paginator("list_task_definition_families").paginate(familyPrefix=project, status="ACTIVE")
        for family in sorted(f for page in pages for f in page["families"]):
            if family not in families:
                described = ecs.describe_task_definition(taskDefinition=family, include=["TAGS"])
                if tags_of(described).get(TAG_PROJECT) == project:
                    families.add(family)
        arns = []
        for family in sorted(families):
            pages = ecs.get_paginator("list_task_definitions").paginate(familyPrefix=family, status="ACTIVE")
            arns += [a for page in pages for a in page["taskDefinitionArns"]
                     if a.rsplit("/", 1)[-1].rsplit(":", 1)[0] == family]
    return sorted(arns)


def _security_groups(ec2, project: str) -> list:
    with aws_errors("security groups"):
        groups = ec2.describe_security_groups(
            Filters=[{"Name": f"tag:{TAG_PROJECT}", "Values": [project]}])["SecurityGroups"]
    return sorted(((g["GroupId"], g["GroupName"]) for g in groups), key=lambda pair: (pair[1], pair[0]))


def _namespaces(sd, project: str) -> list:
    with aws_errors("namespaces"):
        pages = sd.get_paginator("list_namespaces").paginate()
        out = []
        for ns in (n for page in pages for n in page["Namespaces"] if n["Name"] == project):
            tags = sd.list_tags_for_resource(ResourceARN=ns["Arn"])["Tags"]
            if tags_of({"Tags": tags}).get(TAG_PROJECT) == project:
                out.append((ns["Id"], ns["Name"]))
    return out


def _roles(iam, project: str) -> list:
    with aws_errors("roles"):
        roles = [r for page in iam.get_paginator("list_roles").paginate(PathPrefix=ROLE_PATH) for r in page["Roles"]]
        return sorted(r["RoleName"] for r in roles
                      if tags_of({"Tags": iam.list_role_tags(RoleName=r["RoleName"])["Tags"]}).get(TAG_PROJECT) == project)


def _log_groups(logs, project: str, ecs, task_definitions: list) -> list:
    names = set()
    with aws_errors("log groups"):
        for arn in task_definitions:
            td = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
            for c in td.get("containerDefinitions", []):
                group = ((c.get("logConfiguration") or {}).get("options") or {}).get("awslogs-group")
                if group:
                    names.add(group)
        pages = logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=f"/ecs/{project}")
        candidates = {g["logGroupName"]: g["arn"] for page in pages for g in page["logGroups"]}
        for name in names - set(candidates):
            found = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
            candidates.update({g["logGroupName"]: g["arn"] for g in found if g["logGroupName"] == name})
        return sorted(name for name, arn in candidates.items()
                      if logs.list_tags_for_resource(resourceArn=arn.removesuffix(":*"))["tags"].get(TAG_PROJECT) == project)


def _file_systems(efs, project: str) -> list:
    with aws_errors("EFS file systems"):
        systems = [f for page in efs.get_paginator("describe_file_systems").paginate() for f in page["FileSystems"]]
    return sorted(f["FileSystemId"] for f in systems if tags_of(f).get(TAG_PROJECT) == project)


def _stack(cfn, name: str, project: str) -> Optional[str]:
    try:
        stacks = cfn.describe_stacks(StackName=name)["Stacks"]
    except Exception as error:  # ValidationError: "Stack with id … does not exist"
        from .errors import error_code

        if error_code(error) == "ValidationError":
            return None
        with aws_errors(f"stack {name}"):
            raise
    live = [s for s in stacks if s["StackStatus"] != "DELETE_COMPLETE"]
    return name if live and tags_of(live[0]).get(TAG_PROJECT) == project else None


@dataclass
class Remover:
    clients: object
    progress: Progress = field(default_factory=NullProgress)
    sleep: Callable[[float], None] = time.sleep
    retry_seconds: float = RETRY_SECONDS
    attempts: int = RETRY_ATTEMPTS

    def remove(self, inv: Inventory) -> None:
        """Delete everything in ``inv``, in dependency order."""
        from . import teardown

        for step in teardown.STEPS:
            step(self, inv)

    def retry(self, kind: str, name: str, fn: Callable, codes: tuple = ()):
        """Call ``fn`` until it stops failing with one of ``codes`` (resources still draining)."""
        for attempt in range(self.attempts):
            try:
                with aws_errors(f"{kind} {name}"):
                    return fn()
            except AwsError as error:
                if error.code not in codes or attempt == self.attempts - 1:
                    raise
                self.progress.event(kind, name, "waiting", error.code)
                self.sleep(self.retry_seconds)
        return None
