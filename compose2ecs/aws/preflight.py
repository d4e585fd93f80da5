"""Check every request apply will send, before it sends the first one.

botocore validates a call's parameters only when the call is made, so a bad payload (once: a
port range reaching ``FromPort`` as the string ``"8000-8001"``) used to fail half-way through
apply, after the cluster, log group and role had been created — and again on every re-run.
:func:`check_plan` runs botocore's own validator over the inputs of the security-group,
task-definition and service calls at plan time, with placeholder ids where apply would fill in
the id of something it creates. No call is made; ``plan`` and ``deploy --dry-run`` check too.
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import AwsError
from . import network, services as svc

GROUP_ID = "sg-00000000000000000"  # stands in for a group apply has not created yet
NAMESPACE_ARN = "arn:aws:servicediscovery:us-east-1:000000000000:namespace/ns-preflight"


def _td_arn(family: str) -> str:
    return f"arn:aws:ecs:us-east-1:000000000000:task-definition/{family}:1"


def problems(client, operation: str, params: dict) -> str:
    """botocore's report of what is wrong with ``params`` for ``operation`` ('' when valid)."""
    from botocore.validate import ParamValidator

    shape = client.meta.service_model.operation_model(operation).input_shape
    report = ParamValidator().validate(params, shape)
    return report.generate_report() if report.has_errors() else ""


def _raise(resource: str, operation: str, report: str) -> None:
    raise AwsError(resource, f"the {operation} request compose2ecs built is invalid, so nothing was created or "
                   f"changed: {' '.join(report.split())}",
                   "this is a compose2ecs bug: report it with the compose file", code="ParamValidation")


def requests(plan) -> list:
    """``(resource, client name, operation, params)`` of every mutating call whose input comes
    from the compose file (cluster, log groups and role have fixed shapes)."""
    project, live = plan.project, plan.live
    ids = {s.name: live.group_ids.get(s.name, GROUP_ID) for s in project.services}
    out = []
    for service in project.services:
        want, _have = live.group_rules.get(service.name, (frozenset(), frozenset()))
        if want:
            name = network.group_name(project.name, service.name)
            perms = [network.ip_permission(r, ids) for r in sorted(want, key=str)]
            out.append((f"security group {name}", "ec2", "AuthorizeSecurityGroupIngress",
                        {"GroupId": ids[service.name], "IpPermissions": perms}))
    for family, body in sorted(live.desired.items()):
        out.append((f"task definition {family}", "ecs", "RegisterTaskDefinition", body))
    connect = any(s.service_connect for s in project.services)
    stand_in = replace(live, group_ids=ids,
                       namespace_arn=live.namespace_arn or (NAMESPACE_ARN if connect else ""))
    for service in project.services:
        body = svc.create_input(project, service, stand_in, _td_arn(service.task_definition), [])
        out.append((f"service {service.name}", "ecs", "CreateService", body))
    from .efs import requests as efs_requests

    return out + efs_requests(plan)


def check_plan(plan, clients) -> None:
    """Raise AwsError (exit 4) naming the first resource whose request botocore would reject."""
    for resource, client_name, operation, params in requests(plan):
        report = problems(getattr(clients, client_name), operation, params)
        if report:
            _raise(resource, operation, report)
