"""Compare the ECS model with what is live (describe/list/get calls only) → a Plan.

A plan is a list of actions, one per resource, each ``create``, ``update`` or ``no change``,
plus the facts apply needs (VPC, subnets, live ids). Planning never mutates anything, so
``plan`` and ``deploy --dry-run`` are exactly this module; ``deploy`` runs apply.py on the
result. Because every run starts from the live state, re-running after a partial failure
simply continues where the last run stopped.
"""
from __future__ import annotations

from typing import Callable, Optional

from ..errors import AwsError, Location, UserError
from . import efs, network, ownership, taskdefs
from .errors import aws_errors, error_code
from .jobs import RUN, job_actions
from .ownership import Clash, is_ours, owner
# the plan's data types live in actions.py; re-exported here, where callers have always found them
from .actions import CREATE, NO_CHANGE, UPDATE, Action, Live, Plan, ecs_tags, project_tags  # noqa: F401

TAG_PROJECT = network.TAG_PROJECT
ROLE_PATH = "/compose2ecs/"
SECRETS_POLICY = "read-secrets"  # the execution role's inline policy (emit/secret_policy.py)
EXECUTION_POLICY = "arn:{partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


def execution_policy_arn(region: str) -> str:
    """The AWS managed execution policy in ``region``'s partition (aws, aws-cn, aws-us-gov, …)."""
    from ..emit.secret_policy import partition_of

    return EXECUTION_POLICY.format(partition=partition_of(region))
DEFAULT_ROLE = "ecsTaskExecutionRole"


def role_name(project) -> str:
    return f"{project.name}-ecs-execution"[:64]


def make_plan(project, clients, render: Optional[Callable] = None) -> Plan:
    """Describe the live state and decide an action per resource. Makes no mutating call."""
    render = render or taskdefs.default_renderer()
    _refuse_unsupported(project)
    live = Live()
    from .secrets import plan_values, restarts  # values of secrets/configs deploy stores (issue 16)

    project, actions = plan_values(project, clients, live, Action, (CREATE, UPDATE, NO_CHANGE))
    for step in PLANNERS:
        actions.extend(step(project, clients, live, render))
    restarts(project, actions, live, UPDATE, NO_CHANGE)
    actions.extend(job_actions(project, actions, Action))  # after the task definitions and services
    ownership.refuse(project.name, live.clashes)  # before anything changes; every clash at once
    plan = Plan(project, actions, live)
    from .preflight import check_plan  # every request apply would send is valid, or nothing is sent

    check_plan(plan, clients)
    return plan


def _refuse_unsupported(project) -> None:
    existing = dict(project.extensions).get("load_balancer_arn")
    for service in project.services:
        if service.load_balancer and existing:
            raise AwsError(f"service {service.name}", f"the api deploy does not add listeners or target groups "
                           f"to the existing load balancer {existing}",
                           "deploy with --via cloudformation, which adds them to it (parameters LoadBalancerArn "
                           "and LoadBalancerSecurityGroupId)")
        if service.load_balancer:
            raise AwsError(f"service {service.name}", "the api deploy does not create load balancers",
                           "deploy with --via cloudformation, which creates the load balancer")


def _plan_network(project, clients, live, render) -> list:
    live.vpc_id, live.subnets = network.resolve_network(clients.ec2, project.vpc_id, project.subnets)
    live.default_vpc = not (project.vpc_id or project.subnets)
    how = "default VPC" if live.default_vpc else "given"
    note = network.public_ip_note(project, live.default_vpc)
    return [Action("network", live.vpc_id, NO_CHANGE, f"{how}, subnets {', '.join(live.subnets)}{note}")]


def _plan_cluster(project, clients, live, render) -> list:
    name = project.cluster.name
    with aws_errors(f"cluster {name}"):
        found = clients.ecs.describe_clusters(clusters=[name], include=["TAGS"])["clusters"]
    active = [c for c in found if c["status"] == "ACTIVE"]
    if active:
        tags = tags_of(active[0])
        if is_ours(tags, project.name):
            return [Action("cluster", name, NO_CHANGE, "exists")]
        if not project.cluster.existing:
            live.clashes.append(Clash("cluster", name, owner(tags)))
            return [Action("cluster", name, NO_CHANGE, "exists, not this project's")]
        return [Action("cluster", name, NO_CHANGE, "exists, given with --cluster (never changed or deleted)")]
    if project.cluster.existing:
        raise AwsError(f"cluster {name}", "the cluster does not exist in this region",
                       "check --cluster and --region, or leave --cluster out to create one")
    return [Action("cluster", name, CREATE, "Fargate cluster")]


def _plan_log_groups(project, clients, live, render) -> list:
    actions = []
    for group in project.log_groups:
        with aws_errors(f"log group {group.name}"):
            found = clients.logs.describe_log_groups(logGroupNamePrefix=group.name)["logGroups"]
        match = [g for g in found if g["logGroupName"] == group.name]
        exists = bool(match)
        if exists:
            _check_log_group(clients.logs, project, match[0], live)
        actions.append(Action("log-group", group.name, NO_CHANGE if exists else CREATE,
                              "exists" if exists else f"retention {group.retention_days} days"))
    return actions


def _check_log_group(logs, project, group: dict, live) -> None:
    with aws_errors(f"log group {group['logGroupName']}"):
        tags = logs.list_tags_for_resource(resourceArn=group["arn"].removesuffix(":*"))["tags"]
    if not is_ours(tags, project.name):
        live.clashes.append(Clash("log-group", group["logGroupName"], owner(tags)))


def tags_of(resource: dict) -> dict:
    from .discover import tags_of as read

    return read(resource)


def _get_role(iam, name: str) -> Optional[dict]:
    try:
        return iam.get_role(RoleName=name)["Role"]
    except Exception as error:  # botocore ClientError: NoSuchEntity means "absent", not failure
        if error_code(error) == "NoSuchEntity":
            return None
        with aws_errors(f"role {name}"):
            raise


def _plan_role(project, clients, live, render) -> list:
    given = project.execution_role
    if given.startswith("arn:"):
        live.role_arn, live.role_name = given, given.rsplit("/", 1)[-1]
        return [Action("role", live.role_name, NO_CHANGE, "given")]
    found = _get_role(clients.iam, given)
    if found is not None:
        live.role_arn, live.role_name = found["Arn"], given
        return [Action("role", given, NO_CHANGE, "exists")]
    if given != DEFAULT_ROLE:
        raise AwsError(f"role {given}", "the execution role does not exist",
                       "create it, pass its ARN, or leave the setting out to let deploy create one")
    name = role_name(project)
    found = _get_role(clients.iam, name)
    live.role_name = name
    live.secrets_policy = _secrets_policy(project, clients)
    if found is not None:
        live.role_arn = found["Arn"]
        with aws_errors(f"role {name}"):
            tags = tags_of({"Tags": clients.iam.list_role_tags(RoleName=name)["Tags"]})
        if not is_ours(tags, project.name):
            live.clashes.append(Clash("role", name, owner(tags)))
            return [Action("role", name, NO_CHANGE, "exists, not this project's")]
        if _live_secrets_policy(clients.iam, name) != live.secrets_policy:
            return [Action("role", name, UPDATE, "read-secrets policy")]
        return [Action("role", name, NO_CHANGE, "exists (created by an earlier deploy)")]
    return [Action("role", name, CREATE, "task execution role (pull images, write logs, read secrets)")]


def _secrets_policy(project, clients) -> dict:
    """The read-secrets policy the project's role should have, scoped to the caller's account."""
    from ..emit.secret_policy import concrete, policy_document, referenced_secrets

    if not referenced_secrets(project):
        return {}
    with aws_errors("account"):
        account = clients.sts.get_caller_identity()["Account"]
    return policy_document(project, concrete(clients.region, account))


def _live_secrets_policy(iam, name: str) -> dict:
    import json
    from urllib.parse import unquote

    try:
        document = iam.get_role_policy(RoleName=name, PolicyName=SECRETS_POLICY)["PolicyDocument"]
    except Exception as error:
        if error_code(error) == "NoSuchEntity":
            return {}
        with aws_errors(f"role {name}"):
            raise
    if isinstance(document, str):  # boto3 decodes it; some emulators return the URL-encoded JSON
        document = json.loads(unquote(document))
    return document


def _plan_security_groups(project, clients, live, render) -> list:
    groups = network.live_groups(clients.ec2, project.name, live.vpc_id)
    _check_groups(clients.ec2, project, live)
    live.group_ids = {svc: g["GroupId"] for svc, g in groups.items()}
    by_id = {gid: svc for svc, gid in live.group_ids.items()}
    actions = []
    for service in project.services:
        want = network.desired_rules(project, service)
        group = groups.get(service.name)
        have = network.live_rules(group, by_id) if group else frozenset()
        live.group_rules[service.name] = (want, have)
        name = network.group_name(project.name, service.name)
        if group is None:
            rules = ", ".join(network.describe_rule(r) for r in sorted(want)) or "no ingress"
            actions.append(Action("security-group", name, CREATE, rules + network.rule_limit_note(want)))
        elif want != have:
            delta = [f"+{network.describe_rule(r)}" for r in sorted(want - have)]
            delta += [f"-{network.describe_rule(r)}" for r in sorted(have - want)]
            actions.append(Action("security-group", name, UPDATE, ", ".join(delta) + network.rule_limit_note(want)))
        else:
            actions.append(Action("security-group", name, NO_CHANGE, "rules match"))
    return actions


FILTER_VALUES = 100  # group names per DescribeSecurityGroups call (EC2 rejects more than 200 values)


def _check_groups(ec2, project, live) -> None:
    """Groups in the VPC with the names this project gives its groups, but not its tag."""
    names = [network.group_name(project.name, s.name) for s in project.services]
    if not names:
        return
    found = []
    for start in range(0, len(names), FILTER_VALUES):  # EC2 caps the filter values of one call
        filters = [{"Name": "vpc-id", "Values": [live.vpc_id]},
                   {"Name": "group-name", "Values": names[start:start + FILTER_VALUES]}]
        with aws_errors("security groups"):
            found += ec2.describe_security_groups(Filters=filters)["SecurityGroups"]
    for group in found:
        tags = tags_of(group)
        if not is_ours(tags, project.name):
            live.clashes.append(Clash("security-group", group["GroupName"], owner(tags), f"in {live.vpc_id}"))


def needs_namespace(project) -> bool:
    return any(s.service_connect for s in project.services)


def _plan_namespace(project, clients, live, render) -> list:
    if not needs_namespace(project):
        return []
    with aws_errors(f"namespace {project.name}"):
        pages = clients.servicediscovery.get_paginator("list_namespaces").paginate()
        found = [n for page in pages for n in page["Namespaces"] if n["Name"] == project.name]
    if found:
        live.namespace_arn = found[0]["Arn"]
        with aws_errors(f"namespace {project.name}"):
            tags = clients.servicediscovery.list_tags_for_resource(ResourceARN=found[0]["Arn"])["Tags"]
        tags = tags_of({"Tags": tags})
        if not is_ours(tags, project.name):
            live.clashes.append(Clash("namespace", project.name, owner(tags)))
        return [Action("namespace", project.name, NO_CHANGE, "exists")]
    return [Action("namespace", project.name, CREATE, "Service Connect (HTTP) namespace")]


def _live_taskdef(ecs, family: str) -> Optional[dict]:
    try:
        found = ecs.describe_task_definition(taskDefinition=family, include=["TAGS"])
        return dict(found["taskDefinition"], tags=found.get("tags") or [])
    except Exception as error:
        if error_code(error) in ("ClientException", "InvalidParameterException"):
            return None  # no ACTIVE revision of this family yet
        with aws_errors(f"task definition {family}"):
            raise


def _live_taskdefs(ecs, task_definitions) -> list:
    """The live latest revision of each family (or None), read in the bounded pool (pool.py):
    DescribeTaskDefinition takes one family a call, so 200 families are 200 reads."""
    from .pool import run_all

    return run_all(lambda td: _live_taskdef(ecs, td.family), list(task_definitions))


def _plan_task_definitions(project, clients, live, render) -> list:
    role_ref = live.role_arn or live.role_name
    actions = []
    for td in project.task_definitions:
        desired = efs.fill(taskdefs.desired_dict(td, render, role_ref, project_tags_ecs(project)), td, live.efs)
        _refuse_placeholders(project, td.family, desired, efs.pending_ids(project, live.efs))
        live.desired[td.family] = desired
    for td, current in zip(project.task_definitions, _live_taskdefs(clients.ecs, project.task_definitions)):
        desired = live.desired[td.family]
        live.taskdefs[td.family] = current
        if current is not None and not is_ours(tags_of(current), project.name):
            live.clashes.append(Clash("task-definition", td.family, owner(tags_of(current)),
                                      f"(revision {current['revision']})"))
        if current is None:
            actions.append(Action("task-definition", td.family, CREATE, "first revision",
                                  taskdefs.diff({}, desired, td.family)))
        elif taskdefs.same(desired, current):
            live.td_arns[td.family] = current["taskDefinitionArn"]
            actions.append(Action("task-definition", td.family, NO_CHANGE,
                                  f"revision {current['revision']} matches"))
        else:
            actions.append(Action("task-definition", td.family, UPDATE,
                                  f"new revision after {current['revision']}",
                                  taskdefs.diff(current, desired, td.family)))
    return actions


def project_tags_ecs(project) -> list:
    return ecs_tags(project)


def _refuse_placeholders(project, family: str, desired: dict, created=frozenset()) -> None:
    import json

    text = json.dumps(desired, ensure_ascii=False)  # a placeholder may hold <Zeitzone> or <väg>
    for holder in project.placeholders:
        if holder.value in text and holder.value not in created:  # created: apply fills them in
            raise UserError.at(Location(key_path=("task-definition", family)),
                               f"{holder.what} is still the placeholder {holder.value}; deploy needs the real value",
                               holder.how)


def _plan_services(project, clients, live, render) -> list:
    from .services import compare_service, live_services

    kept_running = [s for s in project.services if not s.job]  # jobs have no ECS service
    live.services = live_services(clients.ecs, project.cluster.name, [s.name for s in kept_running])
    actions = []
    for service in kept_running:
        current = live.services.get(service.name)
        if current is not None and not is_ours(tags_of(current), project.name):
            live.clashes.append(Clash("service", service.name, owner(tags_of(current)),
                                      f"in cluster {project.cluster.name}"))
        if current is None:
            actions.append(Action("service", service.name, CREATE, f"{service.desired_count} task(s)"))
            continue
        reasons = compare_service(project, service, current, live)
        kind = UPDATE if reasons else NO_CHANGE
        actions.append(Action("service", service.name, kind, "; ".join(reasons) or "matches"))
    return actions


def _plan_efs(project, clients, live, render) -> list:
    return efs.plan_efs(project, clients, live, Action)  # after the security groups: NFS rules name them


PLANNERS = (_plan_network, _plan_cluster, _plan_log_groups, _plan_role, _plan_security_groups, _plan_efs,
            _plan_namespace, _plan_task_definitions, _plan_services)


def render_plan(plan: Plan, diffs: bool = True) -> str:
    """The plan for people: one line per resource, then the task-definition diffs."""
    marks = {CREATE: "+", UPDATE: "~", NO_CHANGE: " ", RUN: ">"}
    lines = []
    for a in plan.actions:
        lines.append(f"{marks[a.kind]} {a.kind:<9} {a.resource:<15} {a.name}"
                     + (f"  ({a.reason})" if a.reason else ""))
    if diffs:
        for a in plan.actions:
            if a.diff and a.kind != NO_CHANGE:
                lines += ["", a.diff.rstrip("\n")]
    from ..cost.delta import plan_delta_lines  # the monthly cost this plan changes (compose2ecs/cost)

    lines += plan_delta_lines(plan)
    counts = {k: sum(1 for a in plan.actions if a.kind == k) for k in (CREATE, UPDATE, NO_CHANGE, RUN)}
    if plan.changes():
        runs = f", {counts[RUN]} job(s) to run" if counts[RUN] else ""
        lines += ["", f"Plan: {counts[CREATE]} to create, {counts[UPDATE]} to update{runs}, "
                      f"{counts[NO_CHANGE]} unchanged."]
    else:
        lines += ["", "No changes: the live project matches the compose file."]
    return "\n".join(lines) + "\n"


def plan_data(plan: Plan) -> dict:
    """The plan for --output json."""
    from ..cost.delta import plan_delta_data

    return {"project": plan.project.name, "changes": len(plan.changes()),
            "actions": [{"resource": a.resource, "name": a.name, "action": a.kind,
                         "reason": a.reason, "diff": a.diff} for a in plan.actions],
            "monthly_cost": plan_delta_data(plan)}
