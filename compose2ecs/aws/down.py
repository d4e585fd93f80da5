"""`compose2ecs down`: remove what the project created, found by the ``compose2ecs:project``
tag (so ``-p NAME`` alone is enough).

Order matters: services (scaled to 0, deleted, drained) → task definitions → namespace →
security groups (cross-references revoked first) → roles → the cluster if this project
created it. Only resources tagged ``compose2ecs:project=<name>`` are touched: a task-definition
revision someone else registered in the family, or a cluster given with ``--cluster``, stays.
Data (log groups, EFS, ECR repositories, secrets, config parameters) is kept unless its flag (``DATA_KINDS``)
is given. A CloudFormation stack of the project (the ``--via cloudformation`` path) is deleted
as a whole, with every resource in it but the retained ones, and listed as such.
"""
from __future__ import annotations

import time
from dataclasses import field
from typing import Callable, Optional

from ..errors import AwsError
from ..records import record
from .discover import find_project, tags_of
from .errors import aws_errors
from .network import TAG_PROJECT
from .plan import ROLE_PATH
from .progress import NullProgress, Progress

RETRY_SECONDS = 10.0
RETRY_ATTEMPTS = 30  # ENIs of stopped tasks can hold a security group for minutes


@record(slots=False)
class DataKind:
    """A kind of resource that holds the user's data: kept by ``down`` unless ``flag`` is given."""

    kind: str  # as listed: "log group"
    field: str  # the Inventory list it fills
    flag: str  # the down option that removes it (--all removes every kind)
    option: str  # keyword of find_inventory's ``remove`` set
    find: Callable  # (clients, inventory) → sorted names of the project's resources of this kind


def _find_log_groups(clients, inv) -> list:
    return _log_groups(clients.logs, inv.project, clients.ecs, inv.task_definitions)


# Kind → the flag that removes it. Kinds deploy does not create yet (ECR repositories,
# secrets) are found by the project tag all the same, so they slot in when it does.
DATA_KINDS = (DataKind("log group", "log_groups", "--logs", "logs", _find_log_groups),
              DataKind("EFS file system", "file_systems", "--volumes", "volumes",
                       lambda clients, inv: _file_systems(clients.efs, inv.project)),
              DataKind("ECR repository", "repositories", "--images", "images",
                       lambda clients, inv: _repositories(clients.ecr, inv.project)),
              DataKind("secret", "secrets", "--all", "all",
                       lambda clients, inv: _secrets(clients.secretsmanager, inv.project)),
              DataKind("config parameter", "parameters", "--all", "all",
                       lambda clients, inv: _parameters(clients.ssm, inv.project)))
EVERYTHING = frozenset(d.option for d in DATA_KINDS)


def removing(logs: bool = False, volumes: bool = False, images: bool = False, everything: bool = False) -> frozenset:
    """The ``remove`` set of the down flags (``--all`` = every data kind)."""
    if everything:
        return EVERYTHING
    return frozenset(o for o, on in (("logs", logs), ("volumes", volumes), ("images", images)) if on)


@record(frozen=False, slots=False)
class Inventory:
    project: str
    cluster: Optional[str] = None
    cluster_created: bool = False
    services: list = field(default_factory=list)
    task_definitions: list = field(default_factory=list)  # ARNs of revisions tagged as the project's
    security_groups: list = field(default_factory=list)  # (id, name)
    volume_groups: list = field(default_factory=list)  # (id, name): NFS groups of EFS volumes (aws/efs.py)
    volume_groups_kept: bool = True  # kept with the file systems (their mount targets use them)
    namespaces: list = field(default_factory=list)  # (id, name)
    roles: list = field(default_factory=list)
    log_groups: list = field(default_factory=list)
    file_systems: list = field(default_factory=list)
    repositories: list = field(default_factory=list)
    secrets: list = field(default_factory=list)  # ARNs
    parameters: list = field(default_factory=list)  # SSM parameter names of configs (aws/secrets.py)
    stack: Optional[str] = None
    stack_resources: list = field(default_factory=list)  # (type, physical id) deleted with the stack
    kept: list = field(default_factory=list)  # (kind, name, why) left in place on purpose

    def lines(self) -> list:
        """What will be deleted, for the confirmation prompt and --dry-run."""
        rows = [("stack", [self.stack] if self.stack else []),
                ("  with the stack:", [f"{t} {n}" for t, n in self.stack_resources]),
                ("service", self.services),
                ("task definition", [a.rsplit("/", 1)[-1] for a in self.task_definitions]),
                ("namespace", [n for _, n in self.namespaces]),
                ("security group", [f"{n} ({i})" for i, n in self.security_groups]),
                ("security group", [] if self.volume_groups_kept else [f"{n} ({i})" for i, n in self.volume_groups]),
                ("role", self.roles), ("cluster", [self.cluster] if self.cluster_created else [])]
        rows += [(d.kind, getattr(self, d.field)) for d in DATA_KINDS]
        return [f"  {kind} {name}" for kind, names in rows for name in names]

    def kept_lines(self) -> list:
        """What stays, and why (data not asked for; what is not the project's)."""
        return [f"  {kind} {name} ({why})" for kind, name, why in self.kept]

    @property
    def empty(self) -> bool:
        return not self.lines()


def find_inventory(clients, project: str, cluster_hint=None, logs: bool = False, volumes: bool = False,
                   stack_name: Optional[str] = None, remove: Optional[frozenset] = None) -> Inventory:
    """Everything tagged with the project (describe/list/get calls only). Data kinds not in
    ``remove`` (default: the ``logs``/``volumes`` flags) are listed in ``kept`` instead."""
    from .stack import stack_name as _stack_name

    remove = removing(logs, volumes) if remove is None else remove
    stack = _stack(clients.cloudformation, stack_name or _stack_name(project), project)
    if stack:  # deleting the stack removes everything in it (but what it retains)
        inv = Inventory(project, stack=stack, stack_resources=_stack_resources(clients.cloudformation, stack))
        in_stack = {name for _, name in inv.stack_resources}
        _find_data(clients, inv, remove, skip=in_stack, kinds=("file_systems", "repositories", "secrets", "parameters"))
        return inv
    found = find_project(clients, project, cluster_hint)
    inv = Inventory(project, found.cluster, found.cluster_tagged, [s["serviceName"] for s in found.services])
    if found.cluster and not inv.cluster_created:
        inv.kept.append(("cluster", found.cluster, "not created by this project"))
    elif found.cluster:
        others = _other_services(clients.ecs, found.cluster, inv.services)
        if others:  # someone else's services run in it: the cluster stays, and so do they
            inv.cluster_created = False
            inv.kept.append(("cluster", found.cluster, f"it also runs services that are not this project's: "
                                                       f"{', '.join(others)}"))
    families = {s["taskDefinition"].rsplit("/", 1)[-1].split(":")[0] for s in found.services}
    inv.task_definitions, foreign = _task_definitions(clients.ecs, project, families)
    inv.kept += [("task definition", a.rsplit("/", 1)[-1], "not registered by this project") for a in foreign]
    inv.security_groups = _security_groups(clients.ec2, project)
    _volume_groups(clients.ec2, project, inv, remove)
    inv.namespaces = _namespaces(clients.servicediscovery, project)
    inv.roles = _roles(clients.iam, project)
    _find_data(clients, inv, remove)
    return inv


def _other_services(ecs, cluster: str, ours: list) -> list:
    """Names of the live (not INACTIVE) services in ``cluster`` that are not ``ours`` (sorted)."""
    with aws_errors(f"cluster {cluster}"):
        arns = [a for page in ecs.get_paginator("list_services").paginate(cluster=cluster) for a in page["serviceArns"]
                if a.rsplit("/", 1)[-1] not in ours]
        found = []
        for start in range(0, len(arns), 10):
            found += ecs.describe_services(cluster=cluster, services=arns[start:start + 10])["services"]
    return sorted(s["serviceName"] for s in found if s.get("status") != "INACTIVE")


def _find_data(clients, inv: Inventory, remove: frozenset, skip=frozenset(), kinds=None) -> None:
    """Fill the data kinds to remove; list the others as kept, with the flag that removes them.
    A kind that is only listed and cannot be read (no permission) is said to be unchecked."""
    for data in DATA_KINDS:
        if kinds is not None and data.field not in kinds:
            continue
        try:
            names = [n for n in data.find(clients, inv) if n not in skip]
        except AwsError as error:
            if data.option in remove:
                raise
            inv.kept.append((data.kind + ":", "not checked", error.code or str(error)))
            continue
        if data.option in remove:
            setattr(inv, data.field, names)
        else:
            how = data.flag if data.flag == "--all" else f"{data.flag} or --all"
            inv.kept += [(data.kind, name, f"data; {how} deletes it") for name in names]


def _task_definitions(ecs, project: str, families: set) -> tuple:
    """``(ours, foreign)``: the ACTIVE revisions of the project's families, split by their tag
    (a revision registered by someone else, before or after the project's, is never ours)."""
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
        ours = {a for a in arns if _revision_owner(ecs, a) == project}
    return sorted(ours, key=_revision_order), sorted(set(arns) - ours, key=_revision_order)


def _revision_owner(ecs, arn: str) -> str:
    return tags_of(ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])).get(TAG_PROJECT, "")


def _revision_order(arn: str) -> tuple:
    family, _, revision = arn.rsplit("/", 1)[-1].rpartition(":")
    return family, int(revision) if revision.isdigit() else 0


def _security_groups(ec2, project: str) -> list:
    with aws_errors("security groups"):
        groups = ec2.describe_security_groups(
            Filters=[{"Name": f"tag:{TAG_PROJECT}", "Values": [project]}])["SecurityGroups"]
    return sorted(((g["GroupId"], g["GroupName"]) for g in groups), key=lambda pair: (pair[1], pair[0]))


def _volume_groups(ec2, project: str, inv: Inventory, remove: frozenset) -> None:
    """The NFS groups of the project's EFS volumes go with the file systems (--volumes): the
    kept mount targets use them. Their rules naming service groups are revoked either way."""
    from .efs import TAG_VOLUME

    with aws_errors("security groups"):
        groups = ec2.describe_security_groups(
            Filters=[{"Name": f"tag:{TAG_PROJECT}", "Values": [project]},
                     {"Name": "tag-key", "Values": [TAG_VOLUME]}])["SecurityGroups"]
    nfs = {g["GroupId"] for g in groups}
    inv.security_groups = [pair for pair in inv.security_groups if pair[0] not in nfs]
    inv.volume_groups = sorted(((g["GroupId"], g["GroupName"]) for g in groups), key=lambda pair: (pair[1], pair[0]))
    inv.volume_groups_kept = "volumes" not in remove
    if inv.volume_groups_kept:
        inv.kept += [("security group", f"{n} ({i})", "NFS access of the kept EFS file system; --volumes removes it")
                     for i, n in inv.volume_groups]


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


def _repositories(ecr, project: str) -> list:
    """ECR repositories named ``<project>/…`` or ``<project>-…`` and tagged with the project."""
    with aws_errors("ECR repositories"):
        repos = [r for page in ecr.get_paginator("describe_repositories").paginate() for r in page["repositories"]
                 if r["repositoryName"].startswith((f"{project}/", f"{project}-"))]
        return sorted(r["repositoryName"] for r in repos
                      if tags_of({"Tags": ecr.list_tags_for_resource(resourceArn=r["repositoryArn"])["tags"]})
                      .get(TAG_PROJECT) == project)


def _secrets(sm, project: str) -> list:
    filters = [{"Key": "tag-key", "Values": [TAG_PROJECT]}, {"Key": "tag-value", "Values": [project]}]
    with aws_errors("secrets"):
        found = [s for page in sm.get_paginator("list_secrets").paginate(Filters=filters) for s in page["SecretList"]]
    # the filters match key and value separately: check the pair
    return sorted(s["ARN"] for s in found if tags_of({"Tags": s.get("Tags", [])}).get(TAG_PROJECT) == project)


def _parameters(ssm, project: str) -> list:
    """The SSM parameters deploy stored configs in (``/compose2ecs/<project>/configs/…``), tagged
    with the project."""
    prefix = f"/compose2ecs/{project}/configs/"
    with aws_errors("SSM parameters"):
        found = [p["Name"] for page in ssm.get_paginator("describe_parameters").paginate(
            ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": [prefix]}])
            for p in page["Parameters"]]
        return sorted(name for name in found if tags_of({"Tags": ssm.list_tags_for_resource(
            ResourceType="Parameter", ResourceId=name)["TagList"]}).get(TAG_PROJECT) == project)


def _stack_resources(cfn, name: str) -> list:
    """``(type, physical id)`` of what deleting the stack deletes (retained resources excluded)."""
    with aws_errors(f"stack {name}"):
        found = [r for page in cfn.get_paginator("list_stack_resources").paginate(StackName=name)
                 for r in page["StackResourceSummaries"] if r.get("ResourceStatus") != "DELETE_COMPLETE"]
        template = cfn.get_template(StackName=name, TemplateStage="Processed")["TemplateBody"]
    if isinstance(template, str):
        template = _parse_template(template)
    retained = {lid for lid, r in (template.get("Resources") or {}).items() if r.get("DeletionPolicy") == "Retain"}
    return sorted((r["ResourceType"], r.get("PhysicalResourceId") or r["LogicalResourceId"])
                  for r in found if r["LogicalResourceId"] not in retained)


def _parse_template(text: str) -> dict:
    import json

    try:
        return json.loads(text)
    except ValueError:
        import yaml

        class Loader(yaml.SafeLoader):  # CloudFormation short forms (!Ref …) read as plain values
            pass

        Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
        return yaml.load(text, Loader=Loader) or {}


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


@record(frozen=False, slots=False)
class Remover:
    clients: object
    progress: Progress = field(default_factory=NullProgress)
    sleep: Callable[[float], None] = time.sleep
    retry_seconds: float = RETRY_SECONDS
    attempts: int = RETRY_ATTEMPTS
    done: list = field(default_factory=list)  # (kind, name, what happened), in the order it happened

    def remove(self, inv: Inventory) -> None:
        """Delete everything in ``inv``, in dependency order; ``done`` says how far it got."""
        from . import teardown

        for step in teardown.STEPS:
            step(self, inv)

    def deleted(self, kind: str, name: str, detail: str = "deleted") -> None:
        """Record (and show) one finished deletion: what ``down`` reports is exactly this list."""
        self.done.append((kind, name, detail))
        self.progress.event(kind, name, "deleted", "" if detail == "deleted" else detail)

    def done_lines(self) -> list:
        return [f"  {kind} {name}" + ("" if detail == "deleted" else f" ({detail})")
                for kind, name, detail in self.done]

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
