"""Template parameters: everything account-specific, so ``convert`` stays offline.

The VPC, its subnets, whether tasks get a public IP, an optional existing cluster, and one
parameter per placeholder the lowering left (image URIs of build-only services, unknown
secret ARNs, ...). Placeholders are replaced in the task definitions by a ``Ref`` (the whole
string) or an ``Fn::Sub`` (inside a longer string).
"""
from __future__ import annotations

import re
from typing import Any

from .context import Builder, pascal, ref

MAX_SUBNETS = 6  # EFS mount targets: one per subnet (AZ); us-east-1 has six AZs


def add_base_parameters(b: Builder) -> None:
    """VpcId, Subnets, AssignPublicIp, ExistingClusterName, NewClusterName and the CreateCluster
    condition."""
    ecs, defaults = b.ecs, b.with_defaults
    vpc = {"Type": "AWS::EC2::VPC::Id", "Description": "VPC the services, load balancer and EFS run in"}
    if defaults and ecs.vpc_id:
        vpc["Default"] = ecs.vpc_id
    b.parameter(b.pid("param:VpcId", "VpcId"), vpc)
    subnets = {"Type": "List<AWS::EC2::Subnet::Id>",
               "Description": "Subnets of VpcId for the tasks (public subnets when AssignPublicIp is "
                              "ENABLED; at least two AZs for a load balancer)"}
    if defaults and ecs.subnets:
        subnets["Default"] = ",".join(ecs.subnets)
    b.parameter(b.pid("param:Subnets", "Subnets"), subnets)
    public = dict(ecs.extensions).get("assign_public_ip")
    # Only services with an internet-published port follow the parameter (ecs/exposure.py); when
    # none does, it would be an unused parameter.
    if not ecs.services or any(s.assign_public_ip is None for s in ecs.services):
        b.parameter(b.pid("param:AssignPublicIp", "AssignPublicIp"), {
            "Type": "String", "AllowedValues": ["ENABLED", "DISABLED"],
            "Default": "DISABLED" if public is False else "ENABLED",
            "Description": "ENABLED lets tasks in public subnets pull images from Docker Hub (as the ECS "
                           "console's first deployment does); DISABLED needs a NAT gateway or VPC endpoints"})
    if any(s.egress_public_ip for s in ecs.services):
        b.parameter(b.pid("param:PublicIpForPulls", "PublicIpForPulls"), {
            "Type": "String", "AllowedValues": ["ENABLED", "DISABLED"], "Default": "DISABLED",
            "Description": "Public IP for tasks without an internet-published port, only so they can pull "
                           "images: ENABLED in subnets without a NAT gateway (the default VPC); their security "
                           "groups admit nothing from the internet either way"})
    _add_cluster_parameters(b)


def _add_cluster_parameters(b: Builder) -> None:
    ecs = b.ecs
    existing = ecs.cluster.name if ecs.cluster.existing else ""
    b.parameter(b.pid("param:ExistingClusterName", "ExistingClusterName"), {
        "Type": "String", "Default": existing,
        "Description": "Name of an existing ECS cluster to deploy into; empty creates a cluster"})
    b.conditions["CreateCluster"] = {"Fn::Equals": [ref("ExistingClusterName"), ""]}
    b.parameter(b.pid("param:NewClusterName", "NewClusterName"), {
        "Type": "String", "Default": ecs.cluster.name, "AllowedPattern": "^[A-Za-z0-9_-]{1,255}$",
        "Description": "Name of the cluster the stack creates (when ExistingClusterName is empty); change "
                       "it, with NamespaceName, to deploy the template twice in one Region"})


def add_subnet_count(b: Builder) -> None:
    """SubnetCount and the HasSubnetN conditions (EFS needs a mount target per subnet)."""
    if "SubnetCount" in b.parameters:
        return
    default = str(min(max(len(b.ecs.subnets), 1), MAX_SUBNETS)) if b.ecs.subnets else "2"
    b.parameter(b.pid("param:SubnetCount", "SubnetCount"), {
        "Type": "String", "AllowedValues": [str(i) for i in range(1, MAX_SUBNETS + 1)], "Default": default,
        "Description": "How many subnets Subnets lists (each in its own AZ); one EFS mount target is made per subnet"})
    for n in range(2, MAX_SUBNETS + 1):
        b.conditions[f"HasSubnet{n}"] = {"Fn::Or": [
            {"Fn::Equals": [ref("SubnetCount"), str(i)]} for i in range(n, MAX_SUBNETS + 1)]} \
            if n < MAX_SUBNETS else {"Fn::Equals": [ref("SubnetCount"), str(MAX_SUBNETS)]}


def add_placeholder_parameters(b: Builder, skip=frozenset(), names=None) -> dict:
    """One String parameter per placeholder; returns {placeholder value: parameter name}.

    ``names`` suggests readable names (e.g. ``WebImage`` for an image placeholder)."""
    suggested, table = names or {}, {}
    for ph in sorted(b.ecs.placeholders, key=lambda p: p.value):
        if ph.value in skip or ph.value in table:
            continue
        name = b.pid(("placeholder", ph.value), suggested.get(ph.value) or pascal(ph.value))
        spec: dict = {"Type": "String", "Description": f"{ph.what} ({ph.how})"[:4000]}
        if b.with_defaults:
            spec["Default"] = ph.value
        b.parameter(name, spec)
        table[ph.value] = name
    return table


def substitute_strings(value: Any, table: dict) -> Any:
    """Replace placeholder strings by ``Ref`` (whole value) or ``Fn::Sub`` (inside a string).

    ``table`` maps a placeholder string to a parameter/resource name. Existing ``${`` in
    a string that becomes an ``Fn::Sub`` is escaped as ``${!`` so it stays literal.
    """
    if not table:
        return value
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)).startswith(("Ref", "Fn::")):
            return value  # already an intrinsic
        return {k: substitute_strings(v, table) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_strings(v, table) for v in value]
    if isinstance(value, str):
        if value in table:
            return ref(table[value])
        hits = [p for p in table if p and p in value]
        if hits:
            text = value.replace("${", "${!")
            for p in sorted(hits, key=len, reverse=True):
                text = text.replace(p, "${" + table[p] + "}")
            return {"Fn::Sub": text}
    return value


SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")


def used_references(value: Any, found=None) -> set:
    """Names used by Ref / Fn::GetAtt / Fn::Sub anywhere in ``value``.

    Iterative, and scalars are never visited on their own: this walks every resource of
    big templates several times (nested-stack packing), so it must be cheap."""
    found = set() if found is None else found
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, item in node.items():
                if key == "Ref" and isinstance(item, str):
                    found.add(item)
                elif key == "Fn::GetAtt":
                    found.add(item[0] if isinstance(item, list) else str(item).split(".")[0])
                elif key == "Fn::Sub":
                    text = item[0] if isinstance(item, list) else item
                    found.update(m.split(".")[0] for m in SUB_VARIABLE.findall(text))
                    if isinstance(item, list):
                        stack.append(item[1])
                elif isinstance(item, (dict, list)):
                    stack.append(item)
        elif isinstance(node, list):
            stack.extend(item for item in node if isinstance(item, (dict, list)))
    return found


# References read off a resource's compact JSON (quotes inside strings are escaped, so these
# only match keys). Only the plain forms are read; anything else is walked (used_references).
JSON_REF = re.compile(r'"Ref":"([^"\\]*)"')
JSON_GETATT = re.compile(r'"Fn::GetAtt":(?:\["([^"\\]*)","[^"\\]*"\]|"([^"\\.]*)[."])')
JSON_SUB = re.compile(r'"Fn::Sub":"([^"\\]*)"')


def json_references(text: str):
    """``used_references`` of the value whose compact JSON is ``text``; None when a reference
    is not in a plain form (e.g. a list-form ``Fn::Sub``, escapes) and the value must be walked."""
    refs = JSON_REF.findall(text)
    atts = JSON_GETATT.findall(text)
    subs = JSON_SUB.findall(text)
    if len(refs) != text.count('"Ref":') or len(atts) != text.count('"Fn::GetAtt":') \
            or len(subs) != text.count('"Fn::Sub":'):
        return None
    found = set(refs)
    found.update(a or b for a, b in atts)
    for sub in subs:
        found.update(m.split(".")[0] for m in SUB_VARIABLE.findall(sub))
    return found
