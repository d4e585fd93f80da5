"""ECS API spelling (camelCase) → CloudFormation spelling (PascalCase).

CloudFormation's ECS resources use the API member names with the first letter upper-cased,
recursively — with a handful of exceptions (ecs-facts.md §6, checked against cfn-lint's
resource schemas in tests/test_casing.py). Keeping them in two small tables means the task
definition inside a template is the very dict the taskdef emitter writes, only re-cased.

Map-typed values (``dockerLabels``, log ``options``, ``driverOpts``, volume ``labels``) hold
the user's own keys: those are copied verbatim, never re-cased.
"""
from __future__ import annotations

from typing import Any

# API key → CloudFormation key, wherever the key appears.
RENAMED = {
    "efsVolumeConfiguration": "EFSVolumeConfiguration",
    "fsxWindowsFileServerVolumeConfiguration": "FSxWindowsFileServerVolumeConfiguration",
    "s3filesVolumeConfiguration": "S3FilesVolumeConfiguration",
    "placementStrategy": "PlacementStrategies",
    "awsvpcConfiguration": "AwsvpcConfiguration",
}

# (parent API key, API key) → CloudFormation key: spellings that differ only in one place.
# ``fileSystemId`` stays ``FileSystemId`` under the FSx configuration; only EFS drops the S.
RENAMED_UNDER = {
    ("efsVolumeConfiguration", "fileSystemId"): "FilesystemId",
    ("authorizationConfig", "iam"): "IAM",
    ("proxyConfiguration", "properties"): "ProxyConfigurationProperties",
}

# Keys whose value is a string→string map of user keys (copied verbatim).
MAP_VALUED = frozenset({"dockerLabels", "options", "driverOpts", "labels"})


def cfn_key(key: str, parent: str = "") -> str:
    """The CloudFormation name of API member ``key`` found inside API member ``parent``."""
    scoped = RENAMED_UNDER.get((parent, key))
    if scoped:
        return scoped
    renamed = RENAMED.get(key)
    if renamed:
        return renamed
    return key[:1].upper() + key[1:]


_NAMES: dict = {}  # parent → {key → cfn_key(key, parent)}: the same few dozen keys, thousands of times


def to_cloudformation(value: Any, parent: str = "") -> Any:
    """Re-case an ECS API dict (e.g. a RegisterTaskDefinition input) for CloudFormation.

    Lists are converted element-wise (elements keep the list's key as their parent);
    scalars are returned unchanged. The input is never modified.
    """
    if isinstance(value, dict):
        names = _NAMES.get(parent)
        if names is None:
            names = _NAMES[parent] = {}
        out = {}
        for key, item in value.items():
            name = names.get(key)
            if name is None:
                name = names[key] = cfn_key(key, parent)
            if not isinstance(item, (dict, list, tuple)):
                out[name] = item
            elif key in MAP_VALUED and isinstance(item, dict):
                out[name] = dict(item)
            else:
                out[name] = to_cloudformation(item, key)
        return out
    if isinstance(value, (list, tuple)):
        return [to_cloudformation(item, parent) if isinstance(item, (dict, list, tuple)) else item
                for item in value]
    return value
