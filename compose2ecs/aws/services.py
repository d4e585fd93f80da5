"""ECS services: read the live ones, compare them with the model, build Create/Update input.

The compare looks only at what the deploy sets (task-definition revision, desired count,
network, circuit breaker), and a field missing from the live description counts as
"unknown, leave it" — so local emulators that echo less than AWS do not cause endless updates.
"""
from __future__ import annotations

from ..emit.service import deployment_configuration, placement, service_connect_config
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


def network_configuration(service, live, project=None) -> dict:
    """awsvpcConfiguration; a service without an internet-published port has assign_public_ip
    False from the lowering (ecs/exposure.py), None follows x-ecs's top-level setting."""
    public = service.assign_public_ip
    if service.egress_public_ip:  # no internet port: a public IP only to pull images without NAT
        public = bool(getattr(live, "default_vpc", False))
    elif public is None:
        # Default-VPC subnets have no NAT: a published service needs a public IP to pull from Docker Hub.
        public = dict(project.extensions).get("assign_public_ip", True) if project is not None else True
    return {"awsvpcConfiguration": {
        "subnets": list(live.subnets),
        "securityGroups": [live.group_ids[service.name]] if service.name in live.group_ids else [],
        "assignPublicIp": "ENABLED" if public else "DISABLED"}}


def service_connect(project, service, live) -> dict:
    if not live.namespace_arn:
        return {}
    return service_connect_config(service, live.namespace_arn)


def _common(project, service, live, task_definition: str) -> dict:
    body = {"cluster": project.cluster.name, "taskDefinition": task_definition,
            "desiredCount": service.desired_count,
            "networkConfiguration": network_configuration(service, live, project),
            "deploymentConfiguration": deployment_configuration(service),
            "enableExecuteCommand": service.enable_execute_command}
    if service.platform_version:
        body["platformVersion"] = service.platform_version
    connect = service_connect(project, service, live)
    if connect:
        body["serviceConnectConfiguration"] = connect
    if service.health_check_grace_period is not None and service.load_balancer:
        body["healthCheckGracePeriodSeconds"] = service.health_check_grace_period
    return body


def create_input(project, service, live, task_definition: str, tags: list) -> dict:
    """CreateService input for ``service`` running ``task_definition`` (an ARN)."""
    body = _common(project, service, live, task_definition)
    body["serviceName"] = service.name
    body.update(placement(service))
    body["propagateTags"] = "SERVICE"
    body["enableECSManagedTags"] = True
    body["tags"] = tags + [{"key": "compose2ecs:service", "value": service.name}]
    return body


def update_input(project, service, live, task_definition: str) -> dict:
    """UpdateService input (the service keeps its name, launch type and tags)."""
    body = _common(project, service, live, task_definition)
    body["service"] = service.name
    return body


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
