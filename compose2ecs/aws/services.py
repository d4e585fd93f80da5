"""ECS services: read the live ones, compare them with the model, build Create/Update input.

The compare looks only at what the deploy sets (task-definition revision, desired count,
network, circuit breaker), and a field missing from the live description counts as
"unknown, leave it" — so local emulators that echo less than AWS do not cause endless updates.
"""
from __future__ import annotations

from ..emit.service import World, sent, service_body
from ..emit.service import network_configuration as shared_network
from .errors import aws_errors


def live_services(ecs, cluster: str, names: list) -> dict:
    """name → live ACTIVE service dict (missing, DRAINING and INACTIVE services are absent)."""
    out: dict = {}
    for start in range(0, len(names), 10):  # DescribeServices takes at most 10 names
        batch = names[start:start + 10]
        with aws_errors(f"cluster {cluster}"):
            try:
                found = ecs.describe_services(cluster=cluster, services=batch, include=["TAGS"])
            except Exception as error:
                from .errors import error_code

                if error_code(error) == "ClusterNotFoundException":
                    return {}
                raise
        for svc in found["services"]:
            if svc.get("status") == "ACTIVE":
                out[svc["serviceName"]] = svc
    return out


def world(service, live, project=None, task_definition: str = "") -> World:
    """What the deployer knows of ``service``'s surroundings: live ids (emit/service.py builds the body).
    A service published nowhere gets a public IP to pull images only in the default VPC (no NAT);
    one nobody decided for follows x-ecs's top-level ``assign_public_ip`` (default: yes)."""
    default = dict(project.extensions).get("assign_public_ip", True) if project is not None else True
    return World(
        cluster=project.cluster.name if project is not None else None, task_definition=task_definition,
        subnets=list(live.subnets),
        security_groups=[live.group_ids[service.name]] if service.name in live.group_ids else [],
        public_ip_for_pulls="ENABLED" if getattr(live, "default_vpc", False) else "DISABLED",
        public_ip_default="ENABLED" if default else "DISABLED",
        namespace=live.namespace_arn or None)


def network_configuration(service, live, project=None) -> dict:
    """awsvpcConfiguration of ``service`` (its ECS service, or the RunTask of a one-shot job)."""
    return shared_network(service, world(service, live, project))


def create_input(project, service, live, task_definition: str, tags: list = ()) -> dict:
    """CreateService input for ``service`` running ``task_definition`` (an ARN). The tags are the
    model's (emit/service.py service_tags: project and service tags); ``tags`` adds any others."""
    body = sent(service_body(project, service, world(service, live, project, task_definition)), "create")
    extra = [t for t in tags if t["key"] not in {have["key"] for have in body["tags"]}]
    body["tags"] = sorted(body["tags"] + extra, key=lambda t: t["key"])
    return body


def update_input(project, service, live, task_definition: str) -> dict:
    """UpdateService input (the service keeps its name, launch type and tags)."""
    return sent(service_body(project, service, world(service, live, project, task_definition)), "update")


def _awsvpc(config: dict) -> tuple:
    vpc = (config or {}).get("awsvpcConfiguration") or {}
    return (tuple(sorted(vpc.get("subnets", []))), tuple(sorted(vpc.get("securityGroups", []))),
            vpc.get("assignPublicIp", "DISABLED"))


def compare_service(project, service, current: dict, live) -> list:
    """Reasons the live service differs from the model (empty ⇒ no change)."""
    reasons = []
    target = live.td_arns.get(service.task_definition)
    if target is None:
        reasons.append("new task definition revision")
    elif current.get("taskDefinition") != target:
        reasons.append(f"runs {current.get('taskDefinition', '?').rsplit('/', 1)[-1]}, "
                       f"wants {target.rsplit('/', 1)[-1]}")
    if current.get("desiredCount") != service.desired_count:
        reasons.append(f"desired count {current.get('desiredCount')} → {service.desired_count}")
    want_net = _awsvpc(network_configuration(service, live, project))
    if service.name not in live.group_ids or _awsvpc(current.get("networkConfiguration")) != want_net:
        reasons.append("network configuration")
    breaker = (current.get("deploymentConfiguration") or {}).get("deploymentCircuitBreaker")
    if breaker is not None and bool(breaker.get("enable")) != bool(service.circuit_breaker):
        reasons.append("circuit breaker")
    return reasons
