"""Task definitions: the taskdef emitter's dict, re-cased, with stack references put in.

Never a second implementation: the resource's Properties are
``casing.to_cloudformation(task_definition_dict(td))``; this module only swaps values for
references to what the stack itself creates — the execution/task role, the log group and
Region, the EFS file system and access point, secrets the stack creates. Placeholders left
for the user become parameters later (``parameters.substitute_strings``).
"""
from __future__ import annotations

from ..casing import to_cloudformation
from .context import Builder, ref
from .iam import uses_project_execution_role


def task_definition_properties(td) -> dict:
    """The CloudFormation Properties of one task definition, before stack substitutions."""
    from ..taskdef import task_definition_dict  # the one implementation (emit/taskdef.py)

    return to_cloudformation(task_definition_dict(td))


def _log_options(b: Builder, options: dict) -> dict:
    out = dict(options)
    group = out.get("awslogs-group")
    if isinstance(group, str) and ("log-group", group) in b.refs:
        out["awslogs-group"] = ref(b.refs[("log-group", group)])
    if "awslogs-region" in out:
        out["awslogs-region"] = ref("AWS::Region")
    return out


def _container(b: Builder, container: dict, created_secrets: dict) -> dict:
    out = dict(container)
    log = out.get("LogConfiguration")
    if isinstance(log, dict) and log.get("LogDriver") == "awslogs" and isinstance(log.get("Options"), dict):
        out["LogConfiguration"] = dict(log, Options=_log_options(b, log["Options"]))
    if out.get("Secrets"):
        out["Secrets"] = [dict(s, ValueFrom=ref(created_secrets[s["ValueFrom"]]))
                          if s.get("ValueFrom") in created_secrets else s for s in out["Secrets"]]
    return out


def _volume(b: Builder, volume: dict, td) -> dict:
    efs = volume.get("EFSVolumeConfiguration")
    if not isinstance(efs, dict):
        return volume
    compose_key = next((v.compose_volume for v in td.volumes if v.name == volume.get("Name")), None)
    created = b.refs.get(("efs", compose_key))
    if not created:
        return volume
    fs, ap, _ = created
    # The access point fixes the root directory and creates it with CreationInfo;
    # access points require transit encryption.
    iam = (efs.get("AuthorizationConfig") or {}).get("IAM")
    auth = {"AccessPointId": ref(ap), **({"IAM": iam} if iam else {})}
    new = {k: v for k, v in efs.items() if k not in ("RootDirectory", "AuthorizationConfig")}
    new.update({"FilesystemId": ref(fs), "TransitEncryption": "ENABLED", "AuthorizationConfig": auth})
    return dict(volume, EFSVolumeConfiguration=new)


def add_task_definition(b: Builder, td, owner: str, created_secrets: dict, task_role) -> str:
    """Add one AWS::ECS::TaskDefinition; returns its logical ID."""
    props = task_definition_properties(td)
    if uses_project_execution_role(td.execution_role_arn) and "execution-role" in b.refs:
        props["ExecutionRoleArn"] = b.refs["execution-role"]
    if task_role is not None and not td.task_role_arn:
        props["TaskRoleArn"] = task_role
    props["ContainerDefinitions"] = [_container(b, c, created_secrets) for c in props.get("ContainerDefinitions", [])]
    if props.get("Volumes"):
        props["Volumes"] = [_volume(b, v, td) for v in props["Volumes"]]
    rid = b.sid(owner, "TaskDefinition") if owner else b.pid(("td", td.family), "TaskDefinition" + td.family)
    return b.resource(rid, "AWS::ECS::TaskDefinition", props, owner=owner,
                      description=f"Task definition {td.family} (same content as taskdefs/{td.family}.json)")
