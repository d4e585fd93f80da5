"""The ECS service body, built once for both back-ends (design.md §1: if two emitters disagree,
the design is broken).

:func:`service_body` returns the whole service in API casing: the boto3 deployer sends it as
CreateService / UpdateService input, the CloudFormation emitter re-cases it into the
``AWS::ECS::Service`` properties. What differs between the back-ends is only

* the world they know (:class:`World`): live ARNs and subnet ids for the deployer, template
  references (``Ref: Subnets``, ``Fn::GetAtt``) for CloudFormation;
* what each request sends of the body (:data:`SENDS`): an update keeps the service's name,
  launch type and tags, and the template leaves out what AWS defaults to.

``tests/test_service_backends.py`` checks that the two agree field by field on every corpus project.
"""
from __future__ import annotations

from dataclasses import field
from typing import Any, Mapping, Optional

from ..records import record

PROJECT_TAG = "compose2ecs:project"
SERVICE_TAG = "compose2ecs:service"

# ECS's own defaults for a rolling update, written out so that a template says what happens
# and an update puts back what a user's override had changed.
DEFAULT_PERCENTS = (("minimumHealthyPercent", "minimum_healthy_percent", 100),
                    ("maximumPercent", "maximum_percent", 200))
DEFAULT_GRACE_BEHIND_LOAD_BALANCER = 60  # seconds: a new task's target-group health checks may fail


@record(slots=False)
class Sending:
    """What one request sends of the service body: keys renamed, keys left out, and keys left
    out when they hold the given (AWS default) value."""

    rename: Mapping = field(default_factory=dict)
    drop: tuple = ()
    drop_default: Mapping = field(default_factory=dict)


SENDS = {
    # CreateService: everything
    "create": Sending(),
    # UpdateService: the service keeps its name, launch type / strategy and tags; every other field
    # is explicit so an update also turns off what an earlier deploy turned on
    "update": Sending(rename={"serviceName": "service"},
                      drop=("launchType", "capacityProviderStrategy", "propagateTags",
                            "enableECSManagedTags", "tags")),
    # AWS::ECS::Service: a new resource starts from the defaults, so false need not be written;
    # ECS-managed tags are not requested by the template (a difference kept from before; changing
    # it changes every template)
    "cloudformation": Sending(drop=("enableECSManagedTags",), drop_default={"enableExecuteCommand": False}),
}


@record(slots=False)
class World:
    """What a back-end knows that the ECS model does not (values or template references)."""

    cluster: Any
    task_definition: Any
    subnets: Any
    security_groups: list
    public_ip_for_pulls: Any  # assignPublicIp of a service published nowhere (egress_public_ip)
    public_ip_default: Any  # assignPublicIp when neither the service nor the lowering decided
    namespace: Any = None  # Service Connect namespace; None: the project has none here
    target_groups: Optional[Mapping] = None  # (container port, listener port) → target group


def deployment_configuration(service) -> dict:
    """``deploymentConfiguration``: min/max percent (from compose ``update_config``) and the
    circuit breaker, always explicit — an update that turns the breaker off must say so."""
    config = {key: getattr(service, field) if getattr(service, field) is not None else default
              for key, field, default in DEFAULT_PERCENTS}
    config["deploymentCircuitBreaker"] = {"enable": bool(service.circuit_breaker), "rollback": True}
    return config


def placement(service) -> dict:
    """``capacityProviderStrategy`` (Fargate Spot, …) or ``launchType``."""
    if service.capacity_provider_strategy:
        return {"capacityProviderStrategy": [{"capacityProvider": p, "weight": w, "base": base}
                                             for p, w, base in service.capacity_provider_strategy]}
    return {"launchType": service.launch_type or "FARGATE"}


def service_connect_config(service, namespace) -> dict:
    """``serviceConnectConfiguration`` for an ECS model Service: every endpoint it offers
    under its compose name; a client-only service just joins the namespace. ``namespace`` is
    an ARN/name, or a CloudFormation intrinsic."""
    config = {"enabled": True, "namespace": namespace}
    if service.service_connect:
        config["services"] = [
            {"portName": e.port_name, "discoveryName": e.discovery_name,
             "clientAliases": [{"port": e.port, "dnsName": e.dns_name}]}
            for e in service.service_connect]
    return config


def assign_public_ip(service, world: World) -> Any:
    """The lowering's decision (ecs/exposure.py), else the world's: a service published nowhere
    gets a public IP only to pull images where the subnets have no NAT gateway."""
    if service.egress_public_ip:
        return world.public_ip_for_pulls
    if service.assign_public_ip is None:
        return world.public_ip_default
    return "ENABLED" if service.assign_public_ip else "DISABLED"


def network_configuration(service, world: World) -> dict:
    """``networkConfiguration`` (awsvpc: every Fargate service and job)."""
    return {"awsvpcConfiguration": {"subnets": world.subnets, "securityGroups": list(world.security_groups),
                                    "assignPublicIp": assign_public_ip(service, world)}}


def service_tags(ecs, service) -> list:
    """The service's tags, sorted: the project's and the service's own, then the two that find
    it again (``compose2ecs:project`` decides ownership, so no user tag overrides it)."""
    pairs = dict(ecs.tags)
    pairs.update(dict(service.tags))
    pairs.update({PROJECT_TAG: ecs.name, SERVICE_TAG: service.name})
    return [{"key": k, "value": str(v)} for k, v in sorted(pairs.items())]


def _load_balancing(service, world: World) -> dict:
    targets = service.load_balancer
    groups = world.target_groups or {}
    if targets and (targets[0].container_port, targets[0].listener_port) in groups:
        return {"loadBalancers": [{"containerName": t.container_name, "containerPort": t.container_port,
                                   "targetGroupArn": groups[(t.container_port, t.listener_port)]}
                                  for t in targets],
                "healthCheckGracePeriodSeconds": service.health_check_grace_period
                or DEFAULT_GRACE_BEHIND_LOAD_BALANCER}
    if targets and service.health_check_grace_period is not None:
        return {"healthCheckGracePeriodSeconds": service.health_check_grace_period}
    return {}


def service_body(ecs, service, world: World) -> dict:
    """The whole ECS service in API casing (CreateService input); :func:`sent` trims it per request."""
    body = {"cluster": world.cluster, "serviceName": service.name, "taskDefinition": world.task_definition,
            "desiredCount": service.desired_count, **placement(service),
            "networkConfiguration": network_configuration(service, world),
            "deploymentConfiguration": deployment_configuration(service),
            "enableExecuteCommand": bool(service.enable_execute_command),
            "propagateTags": "SERVICE", "enableECSManagedTags": True, "tags": service_tags(ecs, service)}
    if service.platform_version:
        body["platformVersion"] = service.platform_version
    if world.namespace is not None:
        body["serviceConnectConfiguration"] = service_connect_config(service, world.namespace)
    body.update(_load_balancing(service, world))
    return body


def sent(body: dict, request: str) -> dict:
    """What ``request`` (a key of :data:`SENDS`) sends of ``body``."""
    rules = SENDS[request]
    out = {}
    for key, value in body.items():
        if key in rules.drop or (key in rules.drop_default and rules.drop_default[key] == value):
            continue
        out[rules.rename.get(key, key)] = value
    return out
