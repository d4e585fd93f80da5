"""Pieces of an ECS service definition in API casing, shared by the boto3 deployer
(CreateService/UpdateService) and the CloudFormation emitter (which re-cases them), so the
two back-ends cannot drift apart (design.md §1)."""
from __future__ import annotations

# ECS's own defaults for a rolling update, written out so that a template says what happens
# and an update puts back what a user's override had changed.
DEFAULT_PERCENTS = (("minimumHealthyPercent", "minimum_healthy_percent", 100),
                    ("maximumPercent", "maximum_percent", 200))


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
