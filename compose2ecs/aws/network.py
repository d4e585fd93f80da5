"""VPC, subnets and the per-service security groups (least privilege).

Each ECS service gets one security group named ``<project>-<service>``. Ingress rules:
* the ports the compose file published to the internet are open to it (0.0.0.0/0) — not the
  ones published on a loopback or private host address (ecs/exposure.py);
* the ports a service offers to the others (``ingress_ports``) are open only to the
  security groups of the services that share a compose network with it.
Rules are kept symbolic — ``("tcp", 5432, 5432, "sg:api")`` — until apply knows group ids, so
the plan can compare the desired rules with the live ones before anything exists.
"""
from __future__ import annotations

from ..ecs.exposure import port_span
from ..errors import AwsError
from .errors import aws_errors

ANYWHERE = "0.0.0.0/0"
TAG_PROJECT = "compose2ecs:project"
TAG_SERVICE = "compose2ecs:service"


def resolve_network(ec2, vpc_id: str | None, subnets: tuple) -> tuple:
    """``(vpc_id, [subnet ids])``: the given ones, else the default VPC and its default subnets."""
    with aws_errors("network"):
        if subnets:  # check them now, before anything is created
            found = ec2.describe_subnets(SubnetIds=list(subnets))["Subnets"]
            vpcs = {s["VpcId"] for s in found}
            if len(vpcs) != 1 or (vpc_id and vpc_id not in vpcs):
                raise AwsError("network", f"the subnets are in {', '.join(sorted(vpcs))}, not one VPC"
                               + (f" {vpc_id}" if vpc_id else ""), "pass subnets of a single VPC (--vpc)")
            return vpcs.pop(), sorted(subnets)
        if vpc_id:
            ec2.describe_vpcs(VpcIds=[vpc_id])  # a clear error now if it does not exist
        else:
            vpcs = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
            if not vpcs:
                raise AwsError("network", "this region has no default VPC",
                               "pass --vpc ID and --subnet ID (public subnets) to deploy into yours")
            vpc_id = vpcs[0]["VpcId"]
        found = _subnets(ec2, vpc_id, [{"Name": "default-for-az", "Values": ["true"]}]) or _subnets(ec2, vpc_id, [])
    if not found:
        raise AwsError(f"network {vpc_id}", "the VPC has no subnets", "pass --subnet ID")
    return vpc_id, sorted(found)


def public_ip_note(project, default_vpc: bool) -> str:
    """For the plan's network line: what services without an internet-published port get
    (ecs/exposure.py). In the default VPC (no NAT gateway) a public IP for pulling images only;
    elsewhere none (the subnets must reach the registries through NAT or VPC endpoints)."""
    names = [s.name for s in project.services if s.egress_public_ip]
    if not names:
        return ""
    if default_vpc:
        return (f"; {', '.join(names)}: public IP only to pull images (the default VPC has no NAT gateway), "
                "no internet ingress (security groups)")
    return (f"; {', '.join(names)}: no public IP (no internet-published port): the subnets need a NAT gateway "
            "or VPC endpoints to pull images")


def _subnets(ec2, vpc_id: str, extra: list) -> list:
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}] + extra
    return [s["SubnetId"] for s in ec2.describe_subnets(Filters=filters)["Subnets"]]


def group_name(project: str, service: str) -> str:
    from ..ecs.names import shorten  # a cut name keeps a hash of the whole: two long names stay apart

    return shorten(f"{project}-{service}", 255)


def peers(project, service) -> list:
    """Services sharing at least one compose network with ``service`` (not itself), sorted."""
    names = set()
    for _network, members in project.networks:
        if service.name in members:
            names.update(members)
    names.discard(service.name)
    known = {s.name for s in project.services}
    return sorted(names & known)


def desired_rules(project, service) -> frozenset:
    """The symbolic ingress rules of ``service``'s security group: ``(proto, from, to, source)``
    with int ports (a containerPortRange ``"8000-8001"`` becomes 8000, 8001)."""
    public = set(service.public_ports)
    rules = {(proto, *port_span(port), ANYWHERE) for port, proto in public}
    for peer in peers(project, service):  # a port already open to everyone needs no peer rule
        rules.update((proto, *port_span(port), f"sg:{peer}") for port, proto in service.ingress_ports
                     if (port, proto) not in public)
    return frozenset(rules)


def live_groups(ec2, project_name: str, vpc_id: str) -> dict:
    """service name → the live security group (dict) this project created for it."""
    filters = [{"Name": "vpc-id", "Values": [vpc_id]},
               {"Name": f"tag:{TAG_PROJECT}", "Values": [project_name]}]
    with aws_errors("security groups"):
        groups = ec2.describe_security_groups(Filters=filters)["SecurityGroups"]
    out = {}
    for group in groups:
        tags = {t["Key"]: t["Value"] for t in group.get("Tags", [])}
        if TAG_SERVICE in tags:
            out[tags[TAG_SERVICE]] = group
    return out


def live_rules(group: dict, ids_to_service: dict) -> frozenset:
    """The symbolic form of a live group's ingress permissions."""
    rules = set()
    for perm in group.get("IpPermissions", []):
        proto, low, high = perm.get("IpProtocol"), perm.get("FromPort"), perm.get("ToPort")
        for rng in perm.get("IpRanges", []):
            rules.add((proto, low, high, rng["CidrIp"]))
        for pair in perm.get("UserIdGroupPairs", []):
            gid = pair["GroupId"]
            rules.add((proto, low, high, f"sg:{ids_to_service[gid]}" if gid in ids_to_service else gid))
    return frozenset(rules)


RULES_PER_GROUP = 60  # EC2's default quota of inbound rules per security group (adjustable)


def rule_limit_note(rules: frozenset) -> str:
    """A warning for the plan when a group needs more inbound rules than EC2 allows by default
    (one rule per port per peer: a big project on one compose network); '' otherwise."""
    if len(rules) <= RULES_PER_GROUP:
        return ""
    return (f"; {len(rules)} inbound rules, above EC2's default quota of {RULES_PER_GROUP} per group: "
            "split the services into compose networks, or raise the quota before deploying")


def describe_rule(rule: tuple) -> str:
    proto, low, high, source = rule
    ports = str(low) if low == high else f"{low}-{high}"
    return f"{ports}/{proto} from {source.removeprefix('sg:')}"


def ip_permission(rule: tuple, group_ids: dict) -> dict:
    """One EC2 IpPermission for a symbolic rule; ``group_ids`` maps service → group id."""
    proto, low, high, source = rule
    perm = {"IpProtocol": proto, "FromPort": low, "ToPort": high}
    if source.startswith("sg:"):
        perm["UserIdGroupPairs"] = [{"GroupId": group_ids[source[3:]]}]
    elif source.startswith("sg-"):
        perm["UserIdGroupPairs"] = [{"GroupId": source}]
    else:
        perm["IpRanges"] = [{"CidrIp": source}]
    return perm


def create_group(ec2, project, service, vpc_id: str, tags: list) -> str:
    """Create the (empty) security group of ``service``; returns its id."""
    name = group_name(project.name, service.name)
    group_tags = tags + [{"Key": TAG_SERVICE, "Value": service.name}, {"Key": "Name", "Value": name}]
    with aws_errors(f"security group {name}"):
        return ec2.create_security_group(
            GroupName=name, VpcId=vpc_id,
            Description=f"compose2ecs {project.name}: tasks of service {service.name}",
            TagSpecifications=[{"ResourceType": "security-group", "Tags": group_tags}])["GroupId"]


def sync_rules(ec2, group_id: str, name: str, want: frozenset, have: frozenset, group_ids: dict) -> None:
    """Authorize missing rules and revoke the ones nobody asked for (least privilege)."""
    add = sorted(want - have)
    remove = sorted(have - want)
    with aws_errors(f"security group {name}"):
        if add:
            ec2.authorize_security_group_ingress(
                GroupId=group_id, IpPermissions=[ip_permission(r, group_ids) for r in add])
        if remove:
            ec2.revoke_security_group_ingress(
                GroupId=group_id, IpPermissions=[ip_permission(r, group_ids) for r in remove])
