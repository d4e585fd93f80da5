"""Security groups: least privilege, derived from the compose networks and published ports.

* Each ECS service gets its own security group. It accepts traffic from the internet only on
  the ports the compose file published to the internet — not on loopback or private host
  addresses (ecs/exposure.py) — (and not at all when a load balancer fronts them:
  then only from the load balancer's group), and on its container ports from the services
  that share a compose network with it — nothing else.
* "Shares a compose network" is expressed with one *membership* group per compose network
  (no rules of its own) attached to every service on that network; a service's group allows
  its ports from the membership groups of its networks. That keeps the rule count linear in
  the number of services and has no reference cycles. A task can carry five groups, so a
  service on more than four networks gets, for the extra networks, one
  ``AWS::EC2::SecurityGroupIngress`` per peer instead (separate resources, so A↔B rules
  cannot form a cycle).
"""
from __future__ import annotations

from ...ecs.exposure import port_span
from .context import Builder, getatt, ref

MAX_MEMBERSHIPS = 4  # five security groups per ENI: the service's own + four networks
WORLD = "0.0.0.0/0"


port_range = port_span  # ``80`` → (80, 80); ``"8000-8010"`` → (8000, 8010); shared with the deployer


def rule(port, protocol: str, description: str, **source) -> dict:
    low, high = port_range(port)
    out = {"IpProtocol": (protocol or "tcp").lower(), "FromPort": low, "ToPort": high,
           "Description": description[:255]}
    out.update(source)
    return out


def memberships(b: Builder) -> dict:
    """{ECS service: [compose networks it is on with at least one peer]} (sorted; cached)."""
    if "memberships" in b.refs:
        return b.refs["memberships"]
    members: dict = {}
    b.refs["memberships"] = members
    for network, services in sorted(b.ecs.networks):
        if len(set(services)) < 2:
            continue  # nobody to talk to
        for svc in sorted(set(services)):
            members.setdefault(svc, []).append(network)
    return members


def add_network_groups(b: Builder) -> None:
    """One membership security group per compose network shared by two or more services."""
    for network, services in sorted(b.ecs.networks):
        if len(set(services)) < 2:
            continue
        rid = b.pid(("network-sg", network), "Network" + _pascal(network) + "SecurityGroup")
        b.resource(rid, "AWS::EC2::SecurityGroup", {
            "GroupDescription": f"Members of compose network {network} (no rules: services on the network "
                                f"allow their ports from this group)"[:255],
            "VpcId": ref("VpcId"), "Tags": b.tags(extra={"compose2ecs:network": network})},
            description=f"Membership of compose network {network}", about={"network": network})
        b.refs[("network-sg", network)] = rid


def _pascal(name):
    from .context import pascal
    return pascal(name)


def service_group_ids(b: Builder, service) -> list:
    """The security groups a service's tasks carry: its own, then its network memberships."""
    groups = [getatt(b.refs[("service-sg", service.name)], "GroupId")]
    for network in memberships(b).get(service.name, [])[:MAX_MEMBERSHIPS]:
        groups.append(getatt(b.refs[("network-sg", network)], "GroupId"))
    return groups


def add_service_group(b: Builder, service, internet_ports, lb_ports) -> str:
    """The service's own security group with its inline ingress rules."""
    rules = [rule(p, proto, f"published port {p}/{proto} of {service.name}", CidrIp=WORLD)
             for p, proto in sorted(set(internet_ports), key=str)]
    if lb_ports:
        lb_sg = b.refs["lb-sg-id"]  # the created load balancer's group, or the existing one's parameter
        rules += [rule(p, proto, f"load balancer to {service.name} port {p}", SourceSecurityGroupId=lb_sg)
                  for p, proto in sorted(set(lb_ports), key=str)]
    nets = memberships(b).get(service.name, [])
    for network in nets[:MAX_MEMBERSHIPS]:
        source = getatt(b.refs[("network-sg", network)], "GroupId")
        rules += [rule(p, proto, f"services on compose network {network} to {service.name} port {p}",
                       SourceSecurityGroupId=source)
                  for p, proto in sorted(set(service.ingress_ports), key=str)]
    props = {"GroupDescription": f"compose service {service.name}: ingress only on its published ports "
                                 f"and from services sharing a compose network"[:255],
             "VpcId": ref("VpcId"), "Tags": b.tags(service.name)}
    if rules:
        props["SecurityGroupIngress"] = rules
    rid = b.resource(b.sid(service.name, "SecurityGroup"), "AWS::EC2::SecurityGroup", props,
                     owner=service.name, description=f"Security group of {service.name}'s tasks")
    b.refs[("service-sg", service.name)] = rid
    return rid


def add_overflow_rules(b: Builder) -> None:
    """Peer-to-peer rules for services on more than MAX_MEMBERSHIPS networks."""
    members = memberships(b)
    nets = dict(b.ecs.networks)
    pairs = set()
    for src, networks in sorted(members.items()):
        for network in networks[MAX_MEMBERSHIPS:]:
            for dst in sorted(set(nets.get(network, ()))):
                if dst != src:
                    pairs.add((src, dst, network))
    for src, dst, network in sorted(pairs):
        service = b.service(dst)
        for port, proto in sorted(set(service.ingress_ports), key=str):
            rid = b.sid(dst, f"From{b.service_base.get(src, _pascal(src))}Port{port_range(port)[0]}{proto.capitalize()}Ingress")
            props = rule(port, proto, f"{src} to {dst} port {port} (compose network {network})",
                         GroupId=getatt(b.refs[("service-sg", dst)], "GroupId"),
                         SourceSecurityGroupId=getatt(b.refs[("service-sg", src)], "GroupId"))
            if rid not in b.resources:
                b.resource(rid, "AWS::EC2::SecurityGroupIngress", props, owner=dst,
                           description=f"{src} may reach {dst} on port {port}")
