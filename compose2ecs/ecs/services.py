"""One group → one ECS service: desired count, deployment, networking, Service Connect,
load-balancer targets, autoscaling, task-role policies.
"""
from __future__ import annotations

from typing import Optional

from . import exposure
from .context import Ctx, ecs_name, load_balancer_type
from .ports import port_name
from .model import Autoscaling, LoadBalancerTarget, Service, ServiceConnectEndpoint


def service_connect_enabled(ctx: Ctx, groups: list) -> dict:
    """ECS service name → takes part in Service Connect.

    On when there is someone to talk to (≥ 2 ECS services), unless x-ecs turns it off
    (top-level ``service_connect: false`` or per service).
    """
    top = ctx.top.get("service_connect", True)
    enabled = top.get("enabled", True) if isinstance(top, dict) else bool(top)
    if not enabled or len(groups) < 2:
        return {g.name: False for g in groups}
    return {g.name: all(u.settings.get("service_connect", True) for u in g.units) for g in groups}


def build_service(ctx: Ctx, group, td, depends_on: list, service_connect: bool,
                  job: bool = False) -> Service:
    primary = group.primary
    settings = primary.settings
    launch = primary.launch_type
    mappings = [(c, m) for c in td.containers for m in c.port_mappings]
    return Service(
        name=ecs_name(group.name), task_definition=td.family,
        compose_services=tuple(u.name for u in group.units),
        desired_count=_desired_count(ctx, primary),
        launch_type=None if launch == "FARGATE_SPOT" else launch,
        capacity_provider_strategy=(("FARGATE_SPOT", 1, 0),) if launch == "FARGATE_SPOT" else (),
        platform_version=ctx.options.platform_version or settings.get("platform_version")
        or ctx.top.get("platform_version"),
        minimum_healthy_percent=settings.get("min_percent"), maximum_percent=settings.get("max_percent"),
        depends_on=tuple(ecs_name(d) for d in depends_on),
        networks=_networks(group), ingress_ports=_ports(m for _, m in mappings),
        public_ports=_ports(m for _, m in mappings if m.published),
        service_connect=_endpoints(ctx, group, td) if service_connect else (),
        load_balancer=_targets(ctx, group, mappings),
        autoscaling=_autoscaling(settings.get("autoscaling"), _desired_count(ctx, primary)),
        assign_public_ip=_public_ip(ctx, primary, any(m.published for _, m in mappings)),
        egress_public_ip=exposure.public_ip_by_default(
            primary.settings.get("assign_public_ip"), ctx.top.get("assign_public_ip"),
            any(m.published for _, m in mappings)),
        enable_execute_command=bool(settings.get("enable_execute_command", False)),
        task_policies=tuple(_policy(p) for p in settings.get("policies") or ()),
        tags=_tags(ctx, group), at=primary.service.at, job=job)


def _public_ip(ctx: Ctx, unit, internet_ports: bool):
    """x-ecs assign_public_ip if given, else no public IP without an internet-published port."""
    decided = exposure.public_ip(unit.settings.get("assign_public_ip"), ctx.top.get("assign_public_ip"),
                                 internet_ports)
    if decided is False and unit.settings.get("assign_public_ip") is None:
        ctx.info(unit, (), exposure.NO_PUBLIC_IP, exposure.NO_PUBLIC_IP_HINT)
    return decided


def _desired_count(ctx: Ctx, unit) -> int:
    deploy = unit.service.deploy
    if deploy.mode == "global":
        ctx.info(unit, ("deploy", "mode"), "global mode has no Fargate equivalent; one task is run",
                 "set deploy.replicas")
    if deploy.replicas is not None:
        # `scale` and deploy.replicas were reconciled by the loader; point at the one written
        key = ("scale",) if ctx.svc_at(unit, "scale").key_path[-1:] == ("scale",) else ("deploy", "replicas")
        ctx.info(unit, key, f"{key[-1]} {deploy.replicas}: the ECS service keeps "
                 f"{deploy.replicas} task(s) running (desired count)")
        return int(deploy.replicas)
    return 1


def _networks(group) -> tuple:
    names = set()
    for unit in group.units:
        if unit.service.network_mode:
            continue
        names.update(n.name for n in unit.service.networks)
        if not unit.service.networks:
            names.add("default")
    return tuple(sorted(names))


def _ports(mappings) -> tuple:
    """(task-side port, protocol): awsvpc cannot remap, so a published port is open on the task as
    its container port (the compose number stays in PortMapping.published / listener_port)."""
    out = set()
    for m in mappings:
        out.add((m.container_port or m.container_port_range, m.protocol))
    return tuple(sorted(out, key=lambda p: (str(p[0]), p[1])))


def _endpoints(ctx: Ctx, group, td) -> tuple:
    """Every named TCP port is offered under its compose service name (Service Connect is TCP only)."""
    out = []
    by_container = {u.container: u.name for u in group.units}
    for container in td.containers:
        for m in container.port_mappings:
            if m.name and m.container_port and m.protocol == "tcp":
                dns = _alias(ctx, group, container.name, by_container.get(container.name, container.name),
                             m.container_port)
                # discovery names are unique per namespace: derive them from the (unique) container
                # name and port, whatever name the user gave the port mapping; cut names stay apart
                discovery = ctx.names("discovery", 64).claim(
                    port_name(container.name, m.container_port, m.protocol), (container.name, m.container_port))
                out.append(ServiceConnectEndpoint(m.name, discovery, dns, m.container_port))
    return tuple(out)


def _alias(ctx: Ctx, group, container: str, compose_name: str, port: int) -> str:
    """The client alias (DNS name) of a port: the compose name, lower case; unique per namespace and
    port, so ``Web`` and ``web`` (one name to DNS) cannot both take ``web:80``."""
    wanted = compose_name.lower()
    alias = ctx.names(("alias", port), 127).claim(wanted, container)
    if alias != wanted:
        unit = next(u for u in group.units if u.container == container)
        ctx.lossy(unit, (), f"Service Connect name {wanted}:{port} is already taken by another service (DNS "
                  f"names ignore case); {compose_name} is reachable as {alias}:{port}",
                  "rename one of the services so their names differ in more than case")
    return alias


def _targets(ctx: Ctx, group, mappings) -> tuple:
    lb = load_balancer_type(ctx, [group])
    if lb is None:
        return ()
    out = []
    units = {u.container: u for u in group.units}
    for container, m in mappings:
        if not m.published or m.container_port is None:
            continue
        unit = units[container.name]
        routing = unit.settings.get("routing") or {}
        protocol = _lb_protocol(lb, unit, m)
        out.append(LoadBalancerTarget(container.name, m.container_port, m.published, protocol,
                                      routing.get("host"), routing.get("path"), routing.get("health_check_path")))
    return tuple(out)


def _lb_protocol(lb: str, unit, mapping) -> str:
    explicit = unit.settings.get("protocol")
    for port in unit.service.ports:
        if port.target == mapping.container_port and dict(port.extensions).get("x-aws-protocol"):
            explicit = dict(port.extensions)["x-aws-protocol"]
    if explicit:
        return str(explicit).upper()
    if lb == "alb":
        return "HTTPS" if mapping.published == 443 else "HTTP"
    return mapping.protocol.upper()


def _autoscaling(value: Optional[dict], desired: int) -> Optional[Autoscaling]:
    if not value:
        return None
    return Autoscaling(int(value.get("min", desired)), int(value["max"]), value.get("cpu"),
                       value.get("memory"), value.get("requests"))


def _policy(policy):
    """Managed-policy ARNs stay strings; inline documents (x-aws-role) stay dicts."""
    return policy if isinstance(policy, dict) else str(policy)


def _tags(ctx: Ctx, group) -> tuple:
    tags = {}
    for unit in group.units:
        for key, value in unit.service.deploy.labels:
            if len(str(key)) <= 128 and not str(key).startswith("aws:") and len(str(value)) <= 256:
                tags[str(key)] = str(value)
        tags.update(unit.settings.get("tags") or {})
    return tuple(sorted(tags.items()))


def project_networks(services: tuple) -> tuple:
    """(compose network, ECS service names attached to it), sorted."""
    out: dict = {}
    for svc in services:
        for net in svc.networks:
            out.setdefault(net, []).append(svc.name)
    return tuple((net, tuple(sorted(names))) for net, names in sorted(out.items()))
