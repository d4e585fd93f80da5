"""Pieces of an ECS service definition in API casing, shared by the boto3 deployer
(CreateService/UpdateService) and the CloudFormation emitter (which re-cases them), so the
two back-ends cannot drift apart (design.md §1)."""
from __future__ import annotations


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
