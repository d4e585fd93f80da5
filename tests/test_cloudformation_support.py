"""Helpers shared by the CloudFormation tests: hand-built ECS projects, cfn-lint, oracles.

Until ``compose2ecs.emit.taskdef`` exists (another helper writes it), :func:`ensure_taskdef`
installs a minimal stand-in so the template plumbing can be tested; goldens are only
blessed with the real module.
"""
from __future__ import annotations

import sys
import types

from compose2ecs.ecs import model as m


def _stub_dict(td) -> dict:  # pragma: no cover - only until emit/taskdef.py exists
    containers = []
    for c in td.containers:
        d = {"name": c.name, "image": c.image, "essential": c.essential}
        if c.port_mappings:
            d["portMappings"] = [{k: v for k, v in {"containerPort": p.container_port, "protocol": p.protocol,
                                                     "name": p.name}.items() if v is not None}
                                 for p in c.port_mappings]
        if c.environment:
            d["environment"] = [{"name": k, "value": v} for k, v in c.environment]
        if c.secrets:
            d["secrets"] = [{"name": s.name, "valueFrom": s.value_from} for s in c.secrets]
        if c.mount_points:
            d["mountPoints"] = [{"sourceVolume": p.source_volume, "containerPath": p.container_path,
                                 "readOnly": p.read_only} for p in c.mount_points]
        if c.log_configuration:
            d["logConfiguration"] = {"logDriver": c.log_configuration.log_driver,
                                     "options": dict(c.log_configuration.options)}
        containers.append(d)
    out = {"family": td.family, "containerDefinitions": containers, "cpu": td.cpu, "memory": td.memory,
           "networkMode": td.network_mode, "requiresCompatibilities": list(td.requires_compatibilities)}
    if td.execution_role_arn:
        out["executionRoleArn"] = td.execution_role_arn
    if td.volumes:
        vols = []
        for v in td.volumes:
            vol = {"name": v.name}
            if v.efs:
                vol["efsVolumeConfiguration"] = {"fileSystemId": v.efs.file_system_id,
                                                 "transitEncryption": v.efs.transit_encryption}
            vols.append(vol)
        out["volumes"] = vols
    return out


def ensure_taskdef() -> bool:
    """True when the real taskdef emitter is importable; else install the stand-in."""
    try:
        import compose2ecs.emit.taskdef  # noqa: F401
        return True
    except ImportError:
        mod = types.ModuleType("compose2ecs.emit.taskdef")
        mod.task_definition_dict = _stub_dict
        mod.STUB = True
        sys.modules["compose2ecs.emit.taskdef"] = mod
        return False


def real_taskdef() -> bool:
    mod = sys.modules.get("compose2ecs.emit.taskdef")
    return mod is not None and not getattr(mod, "STUB", False)


# -- hand-built projects ------------------------------------------------------------------
LOG = "/ecs/shop"


def container(name, image, ports=(), **kw):
    return m.Container(
        name=name, image=image, source=name,
        port_mappings=tuple(m.PortMapping(container_port=p, name=f"{name}-{p}") for p in ports),
        log_configuration=m.LogConfiguration(options=(("awslogs-group", LOG), ("awslogs-region", "us-east-1"),
                                                      ("awslogs-stream-prefix", name))), **kw)


def task(name, *containers, **kw):
    return m.TaskDefinition(family=f"shop-{name}", containers=containers, cpu="256", memory="512",
                            execution_role_arn="ecsTaskExecutionRole", **kw)


def service(name, **kw):
    kw.setdefault("compose_services", (name,))
    return m.Service(name=name, task_definition=f"shop-{name}", **kw)


def project(services, tasks, **kw):
    kw.setdefault("log_groups", (m.LogGroup(LOG, 30),))
    return m.EcsProject(name="shop", region="us-east-1", cluster=m.Cluster("shop"),
                        services=tuple(services), task_definitions=tuple(sorted(tasks, key=lambda t: t.family)), **kw)


# -- cfn-lint -------------------------------------------------------------------------------
# Warnings we accept, each with its reason. Errors are never allowed.
ALLOWED_RULES = {
    "W3002": "nested stacks (projects over CloudFormation's limits) use local TemplateURL paths on purpose: "
             "`aws cloudformation package` uploads them and rewrites the URLs (docs/cloudformation.md)",
}


def lint(text: str) -> list:
    """cfn-lint matches (errors and warnings) not in the allow-list, as strings."""
    from cfnlint.api import lint as cfn_lint

    matches = cfn_lint(text, regions=["us-east-1"])
    return [f"{x.rule.id} {x.message} ({x.path})" for x in matches if x.rule.id not in ALLOWED_RULES
            and not x.rule.id.startswith("I")]


def test_allow_list_has_reasons():
    assert all(isinstance(v, str) and len(v) > 20 for v in ALLOWED_RULES.values())
