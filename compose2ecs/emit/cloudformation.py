"""The CloudFormation emitter: one reviewable stack that runs the whole compose app on Fargate.

:func:`build_template` is a pure function of the ECS model. It runs the steps below in this
order (later steps reference what earlier ones made), then lets the user's overlay have the
last word, then checks CloudFormation's limits and — for projects too big for one template —
splits the services into nested stacks (:mod:`.cfn.split`).

1. parameters (VPC, subnets, public IP, existing cluster)   6. load balancer (opt-in)
2. cluster (conditional), log groups                        7. security groups per service
3. secrets the stack creates                                8. EFS volumes
4. execution role with least-privilege secret access        9. per service: task role, task
5. Service Connect namespace, network membership groups        definition, service, autoscaling
                                                            10. placeholders → parameters
"""
from __future__ import annotations

from typing import Union

from ..ecs.model import EcsProject
from ..gcpause import gc_paused
from .cfn.size import TemplateTooLarge, user_error
from .cfn import autoscaling, efs, iam, loadbalancer, network, overlay, parameters, secrets, services, split
from .cfn.context import Builder, getatt, pascal
from .cfn.split import TemplateSet
from .cfn.taskdefs import add_task_definition
from .cfn.yaml_out import dump
from .secret_policy import referenced_secrets

__all__ = ["build_template", "build_templates", "dump_template", "TemplateSet", "root_file"]


def root_file(fmt: str = "yaml") -> str:
    """The root template's file name in a bundle: ``cloudformation.yaml`` or ``.json``."""
    return f"cloudformation.{fmt}"


def _creates_log_groups(ecs: EcsProject) -> bool:
    return any(dict(c.log_configuration.options).get("awslogs-create-group") == "true"
               for td in ecs.task_definitions for c in td.containers if c.log_configuration)


def _efs_iam_resources(b: Builder, td) -> list:
    out = []
    for volume in td.volumes:
        if volume.efs is None or volume.efs.iam != "ENABLED":
            continue
        created = b.refs.get(("efs", volume.compose_volume))
        if created:
            out.append(getatt(created[0], "Arn"))
        else:
            out.append({"Fn::Sub": "arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:"
                                   "file-system/" + volume.efs.file_system_id})
    return out


def _service_depends_on(b: Builder, service, position: dict, providers: list) -> list:
    """Creation order: compose depends_on, load balancer listeners, EFS, Service Connect providers.

    Only services earlier in the (dependency-ordered) list are added, so no cycle can form.
    """
    deps = [b.sid(name, "Service") for name in service.depends_on
            if name in position and name != service.name and name not in b.jobs]
    deps += b.refs.get(("svc-deps", service.name), [])
    for volume in b.ecs.efs_volumes:
        if service.name in volume.services and ("efs", volume.key) in b.refs:
            deps.append(b.refs[("efs", volume.key)][2])  # mount target 1 (always created)
    if "namespace" in b.refs and not service.service_connect:
        deps += [b.sid(p, "Service") for p in providers if position[p] < position[service.name]]
    return deps


def _add_services(b: Builder, created_secrets: dict) -> None:
    ecs = b.ecs
    position = {s.name: i for i, s in enumerate(ecs.services)}
    providers = [s.name for s in ecs.services if s.service_connect]
    for service in ecs.services:
        td = b.task_definition(service.task_definition)
        task_role = iam.add_task_role(b, service, _efs_iam_resources(b, td))
        td_id = add_task_definition(b, td, service.name, created_secrets, task_role)
        groups = network.service_group_ids(b, service)
        if service.job:  # one-shot: registered, never kept running (ecs/jobs.py)
            services.add_job_outputs(b, service, td_id, groups)
            continue
        sid = services.add_service(b, service, td_id, groups, _service_depends_on(b, service, position, providers))
        autoscaling.add_autoscaling(b, service, sid)
    used = {s.task_definition for s in ecs.services}
    for td in ecs.task_definitions:  # task definitions no service runs (e.g. one-off jobs)
        if td.family not in used:
            add_task_definition(b, td, "", created_secrets, None)


def _add_security_groups(b: Builder) -> None:
    lb_on = loadbalancer.enabled(b)
    for service in b.ecs.services:
        lb_ports = [(t.container_port, "udp" if t.protocol.upper() == "UDP" else "tcp")
                    for t in service.load_balancer] if lb_on else []
        covered = {p for p, _ in lb_ports}
        internet = [(p, proto) for p, proto in service.public_ports if p not in covered]
        network.add_service_group(b, service, internet, lb_ports)
    network.add_overflow_rules(b)


def _add_placeholders(b: Builder) -> None:
    """Placeholders still present anywhere become parameters, then references to them."""
    values = {p.value for p in b.ecs.placeholders}
    if not values:
        return  # nothing to look for: skip walking every string of the template
    text = "\x00".join(_strings(b.resources))
    present = {v for v in values if v and v in text}
    names = {c.image: pascal(c.name) + "Image" for td in b.ecs.task_definitions for c in td.containers}
    table = parameters.add_placeholder_parameters(b, skip=values - present, names=names)
    if table:
        b.resources = parameters.substitute_strings(b.resources, table)
        b.outputs = parameters.substitute_strings(b.outputs, table)


def _strings(value) -> list:
    """Every string value (not key) anywhere in ``value`` (iterative: templates are big)."""
    out, stack = [], [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out


def assemble(ecs: EcsProject, with_parameters_defaults: bool = True) -> dict:
    """The whole project as one template dict (before the limit check / split)."""
    b = Builder(ecs, with_parameters_defaults)
    parameters.add_base_parameters(b)
    services.add_cluster(b)
    services.add_log_groups(b)
    created_secrets = secrets.add_secrets(b)
    if any(iam.uses_project_execution_role(td.execution_role_arn) for td in ecs.task_definitions):
        statements = iam.secret_statements(b, referenced_secrets(ecs), created_secrets)
        b.refs["execution-role"] = getatt(iam.add_execution_role(b, statements, _creates_log_groups(ecs)), "Arn")
    services.add_namespace(b)
    network.add_network_groups(b)
    loadbalancer.add_load_balancer(b)
    _add_security_groups(b)
    efs.add_efs(b)
    _add_services(b, created_secrets)
    _add_placeholders(b)
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": (f"compose2ecs: compose project {ecs.name} on Amazon ECS "
                        f"({len(ecs.services)} service(s)). Generated file; see README.md for parameters "
                        f"and deploy commands.")[:1024],
        "Parameters": b.parameters, "Conditions": b.conditions, "Resources": b.resources,
        "Outputs": b.outputs,
    }
    template = overlay.apply(template, ecs)
    meta = dict(template.get("Metadata") or {})
    meta["compose2ecs"] = {"project": ecs.name, "generator": "compose2ecs", "owners": split.owner_table(b, template)}
    template["Metadata"] = meta
    return template


def _drop_empty_sections(template: dict) -> dict:
    return {k: v for k, v in template.items() if v not in ({}, None)}


def build_template(ecs: EcsProject, *, with_parameters_defaults: bool = True,
                   fmt: str = "yaml") -> Union[dict, TemplateSet]:
    """The CloudFormation template for ``ecs``: a dict, or a :class:`TemplateSet` (root +
    nested stacks) when one template would exceed CloudFormation's limits."""
    with gc_paused():
        template = assemble(ecs, with_parameters_defaults)
        try:
            result = split.fit(template, fmt)  # nested files are named for the format they are written in
        except TemplateTooLarge as error:
            raise user_error(error, ecs, template["Metadata"]["compose2ecs"]["owners"]) from None
    if isinstance(result, dict):
        return _drop_empty_sections(split.strip_owners(result))
    return TemplateSet(_drop_empty_sections(result.root),
                       {name: _drop_empty_sections(t) for name, t in result.nested.items()})


def build_templates(ecs: EcsProject, *, with_parameters_defaults: bool = True, fmt: str = "yaml") -> dict:
    """File name → template: ``{"cloudformation.yaml": …}``, plus ``nested/*.yaml`` when split
    (``.json`` names for ``fmt="json"``)."""
    result = build_template(ecs, with_parameters_defaults=with_parameters_defaults, fmt=fmt)
    if isinstance(result, TemplateSet):
        return result.files(root_file(fmt))
    return {root_file(fmt): result}


def dump_template(template: dict, fmt: str = "yaml") -> str:
    """Deterministic text of a template: YAML (long-form intrinsics) or JSON (indent 2, sorted)."""
    with gc_paused():
        return dump(template, fmt)
