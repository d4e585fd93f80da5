"""One shared load balancer (opt-in): a listener per published port, ip target groups.

ALB: HTTP or HTTPS listeners (HTTPS uses the CertificateArn parameter), host/path rules from
``x-ecs`` so several services can share port 80/443, health checks from the compose
healthcheck's HTTP path. NLB: TCP/UDP/TLS listeners forwarding to one target group each.
Security groups chain internet → load balancer → service only. With x-ecs
``load_balancer_arn`` no load balancer is created: the listeners go on the existing one
(parameter ``LoadBalancerArn``) and the services admit traffic only from its security group
(parameter ``LoadBalancerSecurityGroupId``).
"""
from __future__ import annotations

import re

from .context import Builder, getatt, ref, sub
from .network import WORLD, rule

NLB_PROTOCOLS = {"TCP", "UDP", "TLS", "TCP_UDP"}
DEREGISTRATION_DELAY = "30"  # default 300 s makes every deploy wait five minutes


def targets(b: Builder) -> list:
    """(service, target) pairs in a stable order."""
    return [(svc, t) for svc in b.ecs.services for t in svc.load_balancer]


def enabled(b: Builder) -> bool:
    return bool(b.ecs.load_balancer) and bool(targets(b))


def _kind(b: Builder) -> str:
    return "network" if b.ecs.load_balancer == "nlb" else "application"


def listener_protocol(b: Builder, port_targets) -> str:
    protocols = {t.protocol.upper() for _, t in port_targets}
    if _kind(b) == "network":
        return sorted(protocols & NLB_PROTOCOLS)[0] if protocols & NLB_PROTOCOLS else "TCP"
    return "HTTPS" if "HTTPS" in protocols else "HTTP"


def existing_arn(b: Builder):
    """The ARN (or, from x-aws-loadbalancer, name) of an existing load balancer to reuse, or None."""
    return dict(b.ecs.extensions).get("load_balancer_arn") or None


def add_load_balancer(b: Builder) -> None:
    """The load balancer (or parameters naming an existing one), target groups, listeners, rules.

    Sets ``b.refs["lb-arn"]`` (the listeners' LoadBalancerArn) and ``b.refs["lb-sg-id"]`` (the
    only source the services admit load-balancer traffic from)."""
    if not enabled(b):
        return
    by_port: dict = {}
    for svc, t in targets(b):
        by_port.setdefault(t.listener_port, []).append((svc, t))
    if existing_arn(b):
        _use_existing_lb(b)
    else:
        _add_lb(b, by_port)
    if any(t.protocol.upper() in ("HTTPS", "TLS") for _, t in targets(b)):
        spec = {"Type": "String", "Description": "ACM certificate ARN for the HTTPS/TLS listeners"}
        if b.ecs.certificate_arn and b.with_defaults:
            spec["Default"] = b.ecs.certificate_arn
        b.parameter(b.pid("param:CertificateArn", "CertificateArn"), spec)
    for svc, t in targets(b):
        _add_target_group(b, svc, t)
    for port, port_targets in sorted(by_port.items()):
        _add_listener(b, port, port_targets)


def _use_existing_lb(b: Builder) -> None:
    """x-ecs load_balancer_arn: no load balancer and no load-balancer security group are
    created; two parameters name the existing ones (defaults from x-ecs)."""
    arn = existing_arn(b)
    spec = {"Type": "String", "AllowedPattern": "^arn:aws[a-z-]*:elasticloadbalancing:.+$",
            "Description": f"ARN of the existing {_kind(b)} load balancer the listeners are added to "
                           "(in VpcId; its listener ports must be free)"}
    if b.with_defaults and arn.startswith("arn:"):
        spec["Default"] = arn  # x-aws-loadbalancer may give a name: CloudFormation needs the ARN
    b.refs["lb-arn"] = ref(b.parameter(b.pid("param:LoadBalancerArn", "LoadBalancerArn"), spec))
    # …:loadbalancer/app/NAME/ID → app/NAME/ID, the "full name" request-count scaling needs
    b.refs["lb-full-name"] = {"Fn::Select": [1, {"Fn::Split": ["loadbalancer/", b.refs["lb-arn"]]}]}
    group = {"Type": "AWS::EC2::SecurityGroup::Id",
             "Description": "Security group of the existing load balancer: the only source the services "
                            "accept load-balancer traffic from"}
    default = dict(b.ecs.extensions).get("load_balancer_security_group")
    if b.with_defaults and default:
        group["Default"] = default
    b.refs["lb-sg-id"] = ref(b.parameter(b.pid("param:LoadBalancerSecurityGroupId", "LoadBalancerSecurityGroupId"),
                                         group))


def _add_lb(b: Builder, by_port: dict) -> None:
    rules = []
    for port, port_targets in sorted(by_port.items()):
        proto = "udp" if listener_protocol(b, port_targets) == "UDP" else "tcp"
        rules.append(rule(port, proto, f"internet to load balancer port {port}", CidrIp=WORLD))
    sg = b.resource(b.pid("res:LoadBalancerSecurityGroup", "LoadBalancerSecurityGroup"), "AWS::EC2::SecurityGroup", {
        "GroupDescription": f"Load balancer of {b.ecs.name}: internet on the listener ports only"[:255],
        "VpcId": ref("VpcId"), "SecurityGroupIngress": rules, "Tags": b.tags()},
        description="Security group of the shared load balancer")
    b.refs["lb-sg-id"] = getatt(sg, "GroupId")
    lb = b.resource(b.pid("res:LoadBalancer", "LoadBalancer"), "AWS::ElasticLoadBalancingV2::LoadBalancer", {
        "Type": _kind(b), "Scheme": "internet-facing", "Subnets": ref("Subnets"),
        "SecurityGroups": [getatt(sg, "GroupId")], "Tags": b.tags()},
        description=f"Shared {_kind(b)} load balancer of the project")
    b.refs["lb"] = lb
    b.refs["lb-arn"] = ref(lb)
    b.refs["lb-full-name"] = getatt(lb, "LoadBalancerFullName")


def _add_target_group(b: Builder, svc, t) -> None:
    network = _kind(b) == "network"
    props = {"TargetType": "ip", "Port": t.container_port, "VpcId": ref("VpcId"),
             "Protocol": (t.protocol.upper() if t.protocol.upper() in NLB_PROTOCOLS else "TCP") if network else "HTTP",
             "TargetGroupAttributes": [{"Key": "deregistration_delay.timeout_seconds",
                                        "Value": DEREGISTRATION_DELAY}],
             "Tags": b.tags(svc.name)}
    if props["Protocol"] == "TLS":
        props["Protocol"] = "TCP"  # TLS terminates at the listener
    if not network:
        path = t.health_check_path or healthcheck_path(b, svc, t) or "/"
        props.update({"HealthCheckPath": path, "Matcher": {"HttpCode": "200-399"}})
    elif props["Protocol"] == "UDP":
        props["HealthCheckProtocol"] = "TCP"  # UDP targets need a TCP health check port
    rid = b.resource(b.sid(svc.name, _target_name(t) + "TargetGroup"),
                     "AWS::ElasticLoadBalancingV2::TargetGroup", props, owner=svc.name,
                     description=f"Tasks of {svc.name} on port {t.container_port}")
    b.refs[("tg", svc.name, t.container_port, t.listener_port)] = rid


def _target_name(t) -> str:
    same = t.container_port == t.listener_port
    return f"Port{t.container_port}" + ("" if same else f"Listener{t.listener_port}")


HTTP_URL = re.compile(r"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::(\d+))?(/[^\s'\"]*)?")


def healthcheck_path(b: Builder, svc, t):
    """The path of an HTTP compose healthcheck (curl/wget http://localhost:PORT/path) on the
    target's port, so the load balancer checks what the compose file already checks."""
    try:
        td = b.task_definition(svc.task_definition)
    except KeyError:
        return None
    for c in td.containers:
        if c.name != t.container_name or c.health_check is None:
            continue
        for match in HTTP_URL.finditer(" ".join(c.health_check.command)):
            port = int(match.group(1)) if match.group(1) else 80
            if port == t.container_port:
                return match.group(2) or "/"
    return None


def _forward(b: Builder, svc, t) -> list:
    return [{"Type": "forward", "TargetGroupArn": ref(b.refs[("tg", svc.name, t.container_port, t.listener_port)])}]


def _default_action(b: Builder, port_targets: list) -> tuple:
    """(default actions, targets that need a listener rule) for one listener."""
    if _kind(b) == "network":  # an NLB cannot route: one target group per port
        return _forward(b, *port_targets[0]), []
    plain = [(s, t) for s, t in port_targets if not (t.host or t.path)]
    routed = [(s, t) for s, t in port_targets if t.host or t.path]
    if not plain:
        return [{"Type": "fixed-response", "FixedResponseConfig": {
            "StatusCode": "404", "ContentType": "text/plain", "MessageBody": "no route for this host/path"}}], routed
    # Further services without routing on a shared port are reached under /<service>/
    # (a target group must be attached to a listener before ECS accepts it).
    return _forward(b, *plain[0]), routed + [(s, _with_path(t, f"/{s.name}")) for s, t in plain[1:]]


def _with_path(t, path):
    from dataclasses import replace
    return replace(t, path=path)


def _add_listener(b: Builder, port: int, port_targets: list) -> None:
    protocol = listener_protocol(b, port_targets)
    default, routed = _default_action(b, port_targets)
    props = {"LoadBalancerArn": b.refs["lb-arn"], "Port": port, "Protocol": protocol, "DefaultActions": default}
    if protocol in ("HTTPS", "TLS"):
        props["Certificates"] = [{"CertificateArn": ref("CertificateArn")}]
    served = {svc.name for svc, _ in port_targets}
    only = next(iter(served)) if len(served) == 1 else ""
    # A port only one service answers on: its listener goes with that service when the
    # template is split into nested stacks, so the service's DependsOn on it (ECS refuses a
    # target group that no listener uses yet) stays inside one stack. A shared port's
    # listener stays in the root and its rules go with their services.
    lid = b.resource(b.pid(("listener", port), f"Port{port}Listener"), "AWS::ElasticLoadBalancingV2::Listener",
                     props, owner=only,
                     description=f"Load balancer listener on port {port}")
    if len(served) > 1:  # shared port: its default target group stays in the root with the listener,
        for action in default:  # which needs it first; its service waits for the listener from its stack
            if action["Type"] == "forward":
                b.owners[action["TargetGroupArn"]["Ref"]] = ""
    for svc, _ in port_targets:
        b.refs.setdefault(("svc-deps", svc.name), []).append(lid)
    _add_rules(b, lid, routed)
    _add_port_output(b, port, protocol, lid)


def _add_port_output(b: Builder, port: int, protocol: str, listener: str) -> None:
    """``Port<N>Url`` from the load balancer's DNS name; an existing load balancer's name is
    not known to the stack, so then ``Port<N>ListenerArn`` (``compose2ecs status`` shows the URL)."""
    if "lb" not in b.refs:
        b.output(b.pid(("output-url", port), f"Port{port}ListenerArn"), ref(listener),
                 f"Listener on port {port} of the existing load balancer (address: aws elbv2 "
                 f"describe-load-balancers --load-balancer-arns <LoadBalancerArn>, or compose2ecs status)")
        return
    scheme = {"HTTP": "http", "HTTPS": "https"}.get(protocol)
    url = f"{scheme}://${{{b.refs['lb']}.DNSName}}" + ("" if (scheme, port) in (("http", 80), ("https", 443)) else f":{port}") \
        if scheme else f"${{{b.refs['lb']}.DNSName}}:{port}"
    b.output(b.pid(("output-url", port), f"Port{port}Url"), sub(url), f"Load balancer address for port {port}")


def _specificity(item) -> tuple:
    _, t = item
    return (-len(t.path or ""), -len(t.host or ""), t.host or "", t.path or "")


def _add_rules(b: Builder, listener: str, routed: list) -> None:
    for priority, (svc, t) in enumerate(sorted(routed, key=_specificity), start=1):
        conditions = []
        if t.host:
            conditions.append({"Field": "host-header", "HostHeaderConfig": {"Values": [t.host]}})
        if t.path:
            paths = [t.path] if "*" in t.path else [t.path, t.path.rstrip("/") + "/*"]
            conditions.append({"Field": "path-pattern", "PathPatternConfig": {"Values": paths}})
        if not conditions:  # a second plain target on a shared port can only be reached by priority
            conditions.append({"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}})
        rid = b.resource(b.sid(svc.name, _target_name(t) + "Rule"),
                         "AWS::ElasticLoadBalancingV2::ListenerRule",
                         {"ListenerArn": ref(listener), "Priority": priority,
                          "Conditions": conditions, "Actions": _forward(b, svc, t)},
                         owner=svc.name, description=f"Route {t.host or '*'}{t.path or ''} to {svc.name}")
        b.refs.setdefault(("svc-deps", svc.name), []).append(rid)
