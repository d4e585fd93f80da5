"""TaskDefinition → the exact ``RegisterTaskDefinition`` input (``--cli-input-json``).

camelCase API names, no None values, lists in model order, maps sorted. The CloudFormation
emitter re-cases this same dict, so everything the task definition needs is here.
"""
from __future__ import annotations

import json

from ..ecs.model import Container, EcsProject, LinuxParameters, PortMapping, TaskDefinition


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _pairs(pairs, key="name", value="value") -> list:
    return [{key: k, value: v} for k, v in pairs]


def _port(m: PortMapping) -> dict:
    out = {"containerPort": m.container_port, "containerPortRange": m.container_port_range,
           "protocol": m.protocol, "name": m.name, "appProtocol": m.app_protocol}
    return _drop_none(out)


def _linux(lp: LinuxParameters):
    if lp.is_empty():
        return None
    caps = _drop_none({"add": list(lp.capabilities_add) or None, "drop": list(lp.capabilities_drop) or None})
    return _drop_none({
        "capabilities": caps or None,
        "initProcessEnabled": lp.init_process_enabled,
        "sharedMemorySize": lp.shared_memory_size,
        "devices": [dict(d) for d in lp.devices] or None,
        "tmpfs": [dict(t) for t in lp.tmpfs] or None,
    }) or None


def container_dict(c: Container) -> dict:
    """One ``containerDefinitions`` entry."""
    hc = c.health_check
    log = c.log_configuration
    out = {
        "name": c.name, "image": c.image, "essential": c.essential,
        "command": list(c.command) if c.command is not None else None,
        "entryPoint": list(c.entry_point) if c.entry_point is not None else None,
        "environment": _pairs(c.environment) or None,
        "secrets": [{"name": s.name, "valueFrom": s.value_from} for s in c.secrets] or None,
        "portMappings": [_port(m) for m in c.port_mappings] or None,
        "mountPoints": [{"sourceVolume": m.source_volume, "containerPath": m.container_path,
                         "readOnly": m.read_only} for m in c.mount_points] or None,
        "volumesFrom": [{"sourceContainer": s, "readOnly": ro} for s, ro in c.volumes_from] or None,
        "healthCheck": _drop_none({"command": list(hc.command), "interval": hc.interval, "timeout": hc.timeout,
                                   "retries": hc.retries, "startPeriod": hc.start_period}) if hc else None,
        "logConfiguration": _drop_none({
            "logDriver": log.log_driver, "options": dict(log.options) or None,
            "secretOptions": [{"name": s.name, "valueFrom": s.value_from} for s in log.secret_options] or None,
        }) if log else None,
        "cpu": c.cpu, "memory": c.memory, "memoryReservation": c.memory_reservation,
        "workingDirectory": c.working_directory, "user": c.user,
        "dockerLabels": dict(c.docker_labels) or None,
        "readonlyRootFilesystem": c.readonly_root_filesystem, "interactive": c.interactive,
        "pseudoTerminal": c.pseudo_terminal, "stopTimeout": c.stop_timeout, "startTimeout": c.start_timeout,
        "systemControls": _pairs(c.system_controls, "namespace", "value") or None,
        "ulimits": [{"name": u.name, "softLimit": u.soft_limit, "hardLimit": u.hard_limit}
                    for u in c.ulimits] or None,
        "linuxParameters": _linux(c.linux_parameters),
        "dependsOn": [{"containerName": d.container_name, "condition": d.condition} for d in c.depends_on] or None,
        "repositoryCredentials": {"credentialsParameter": c.repository_credentials}
        if c.repository_credentials else None,
    }
    for key, value in c.ec2_only:
        out[key] = value
    return _drop_none(out)


def _volume(v) -> dict:
    if v.efs is None:
        return {"name": v.name, "host": {}}
    e = v.efs
    auth = _drop_none({"accessPointId": e.access_point_id, "iam": e.iam})
    return {"name": v.name, "efsVolumeConfiguration": _drop_none({
        "fileSystemId": e.file_system_id, "rootDirectory": e.root_directory,
        "transitEncryption": e.transit_encryption, "authorizationConfig": auth or None})}


def task_definition_dict(td: TaskDefinition) -> dict:
    """The RegisterTaskDefinition request for ``td`` (deterministic, no None values)."""
    runtime = _drop_none({"cpuArchitecture": td.cpu_architecture,
                          "operatingSystemFamily": td.operating_system_family})
    return _drop_none({
        "family": td.family,
        "containerDefinitions": [container_dict(c) for c in td.containers],
        "cpu": td.cpu, "memory": td.memory,
        "networkMode": td.network_mode,
        "requiresCompatibilities": list(td.requires_compatibilities),
        "runtimePlatform": runtime or None,
        "ephemeralStorage": {"sizeInGiB": td.ephemeral_storage_gib} if td.ephemeral_storage_gib else None,
        "volumes": [_volume(v) for v in td.volumes] or None,
        "executionRoleArn": td.execution_role_arn, "taskRoleArn": td.task_role_arn or td.task_role_placeholder,
        "pidMode": td.pid_mode, "ipcMode": td.ipc_mode,
        "tags": [{"key": k, "value": v} for k, v in td.tags] or None,
    })


def dumps(data) -> str:
    """The one serialisation used for task-definition files (byte-identical across runs)."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def render_task_definitions(ecs: EcsProject) -> dict:
    """family → JSON text of its ``--cli-input-json`` document."""
    return {td.family: dumps(task_definition_dict(td)) for td in ecs.task_definitions}
