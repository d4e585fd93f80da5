"""The API → CloudFormation casing, checked member by member against the real schemas.

Oracle: botocore's RegisterTaskDefinition / CreateService input shapes (every member,
recursively) re-cased by :mod:`compose2ecs.emit.casing` must land on a property that
cfn-lint's CloudFormation resource schema declares — so a missing exception fails here.
"""
from __future__ import annotations

import botocore.session
import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from compose2ecs.emit.casing import cfn_key, to_cloudformation

ECS = botocore.session.get_session().get_service_model("ecs")

# API members with no CloudFormation property (yet); each with the reason.
NOT_IN_CLOUDFORMATION = {
    # CreateService members that are call options or other resources in CloudFormation:
    "clientToken": "idempotency token of the API call",
    "role": "legacy classic-ELB service role; Role exists but we never emit it",
}


def _schema(type_name):
    return PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", type_name).schema


def _resolve(node, root):
    while "$ref" in node:
        node = root["definitions"][node["$ref"].split("/")[-1]]
    return node


def _sample(shape, depth=0):
    """A value with every member of ``shape`` filled in (one list element, one map key)."""
    if shape.type_name == "structure":
        if depth > 6:
            return {}
        return {name: _sample(member, depth + 1) for name, member in shape.members.items()}
    if shape.type_name == "list":
        return [_sample(shape.member, depth + 1)]
    if shape.type_name == "map":
        return {"user.Key-1": "v"}
    return "x"


def _casing_problems(unknown: list, value, root) -> list:
    """Unknown keys that look like a casing mistake: the schema has a property of the same
    name but other case, or one containing the name (``PlacementStrategy`` → ``…Strategies``).

    A member with no such property is an API member CloudFormation has not adopted yet
    (botocore grows faster than the CloudFormation schema); that is not ours to fix and
    depends on the installed versions, so it is not a failure.
    """
    problems = []
    for path in unknown:
        parent, _, key = path.rpartition(".")
        props = _properties_at(root, parent)
        folded = key.lower()
        if any(p.lower() == folded or folded in p.lower() or p.lower() in folded
               for p in props if p != key):
            problems.append(path)
    return problems


def _properties_at(root, path: str) -> dict:
    node = {"properties": root["properties"]}
    for part in [p for p in path.split(".") if p]:
        node = _resolve(node, root)
        if part.endswith("[]"):
            node = _resolve(node.get("properties", {}).get(part[:-2], {}), root).get("items", {})
        else:
            node = node.get("properties", {}).get(part, {})
    return _resolve(node, root).get("properties", {})


def _unknown_keys(value, schema_node, root, path=""):
    """Keys of the re-cased ``value`` that the CloudFormation schema does not declare."""
    node = _resolve(schema_node, root)
    problems = []
    if isinstance(value, list):
        items = node.get("items", {})
        for item in value:
            problems += _unknown_keys(item, items, root, path + "[]")
        return problems
    if not isinstance(value, dict):
        return problems
    props = node.get("properties")
    if props is None:  # a map: user keys, not checked
        return problems
    for key, item in value.items():
        if key not in props:
            problems.append(f"{path}.{key}")
            continue
        problems += _unknown_keys(item, props[key], root, f"{path}.{key}")
    return problems


def _api_sample(operation, drop=()):
    shape = ECS.operation_model(operation).input_shape
    return {k: v for k, v in _sample(shape).items() if k not in drop and k not in NOT_IN_CLOUDFORMATION}


def test_every_task_definition_member_has_a_cloudformation_property():
    root = _schema("AWS::ECS::TaskDefinition")
    cfn = to_cloudformation(_api_sample("RegisterTaskDefinition"))
    unknown = _unknown_keys(cfn, {"properties": root["properties"]}, root)
    assert _casing_problems(unknown, cfn, root) == []


def test_every_service_member_has_a_cloudformation_property():
    root = _schema("AWS::ECS::Service")
    # taskDefinition/cluster/serviceName are plain strings; tags use key/value like everywhere.
    cfn = to_cloudformation(_api_sample("CreateService"))
    unknown = _unknown_keys(cfn, {"properties": root["properties"]}, root)
    assert _casing_problems(unknown, cfn, root) == []


def test_a_casing_mistake_would_be_caught():
    # guards the guard: a wrongly re-cased key next to its real property is reported
    root = _schema("AWS::ECS::TaskDefinition")
    wrong = {"Volumes": [{"EfsVolumeConfiguration": {}}], "BrandNewApiMember": "x"}
    unknown = _unknown_keys(wrong, {"properties": root["properties"]}, root)
    assert _casing_problems(unknown, wrong, root) == [".Volumes[].EfsVolumeConfiguration"]


@pytest.mark.parametrize("api, parent, expected", [
    ("portMappings", "", "PortMappings"),
    ("efsVolumeConfiguration", "volumes", "EFSVolumeConfiguration"),
    ("fileSystemId", "efsVolumeConfiguration", "FilesystemId"),
    ("fileSystemId", "fsxWindowsFileServerVolumeConfiguration", "FileSystemId"),
    ("iam", "authorizationConfig", "IAM"),
    ("properties", "proxyConfiguration", "ProxyConfigurationProperties"),
    ("placementStrategy", "", "PlacementStrategies"),
    ("awsvpcConfiguration", "networkConfiguration", "AwsvpcConfiguration"),
    ("sizeInGiB", "ephemeralStorage", "SizeInGiB"),
])
def test_cfn_key(api, parent, expected):
    assert cfn_key(api, parent) == expected


def test_map_values_keep_user_keys_verbatim():
    api = {"containerDefinitions": [{
        "dockerLabels": {"com.example.role": "web", "traefik.http.routers": "x"},
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/app"}},
    }]}
    cfn = to_cloudformation(api)
    container = cfn["ContainerDefinitions"][0]
    assert container["DockerLabels"] == {"com.example.role": "web", "traefik.http.routers": "x"}
    assert container["LogConfiguration"] == {"LogDriver": "awslogs", "Options": {"awslogs-group": "/ecs/app"}}


def test_efs_volume_nested_exceptions():
    api = {"volumes": [{"name": "data", "efsVolumeConfiguration": {
        "fileSystemId": "fs-1", "transitEncryption": "ENABLED",
        "authorizationConfig": {"accessPointId": "fsap-1", "iam": "ENABLED"}}}]}
    assert to_cloudformation(api) == {"Volumes": [{"Name": "data", "EFSVolumeConfiguration": {
        "FilesystemId": "fs-1", "TransitEncryption": "ENABLED",
        "AuthorizationConfig": {"AccessPointId": "fsap-1", "IAM": "ENABLED"}}}]}


def test_input_is_not_modified():
    api = {"containerDefinitions": [{"name": "web", "environment": [{"name": "A", "value": "1"}]}]}
    before = repr(api)
    to_cloudformation(api)
    assert repr(api) == before
