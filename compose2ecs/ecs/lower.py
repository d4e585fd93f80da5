"""Lowering: the compose model → the ECS model. The only place that knows both worlds.

Phases, in the order :func:`lower` runs them:

 1. region        --region > AWS_REGION > AWS_DEFAULT_REGION > AWS config > us-east-1 (info)
 2. settings      top-level and per-service x-ecs (+ x-aws-* aliases), validated (xecs.py)
 3. units         one per compose service: launch type, generic support-table findings
 4. groups        services sharing a task (x-ecs.task), one-shot jobs (jobs.py),
                 providers-first order (grouping.py)
 5. tasks         containers (containers.py …), volumes, dependsOn, task size (resources.py)
 6. services      desired count, networking, Service Connect, load balancer (services.py)
 7. project       cluster, log group, secrets, EFS, placeholders, findings (sorted)
 8. size          every task definition within ECS's 64 KiB (tdsize.py)

Nothing here talks to AWS; the world (environment, AWS config) is injected.
"""
from __future__ import annotations

from dataclasses import field
from typing import Callable, Mapping, Optional

from ..gcpause import gc_paused
from ..errors import FindingSink, Location, Severity, UserError
from . import (grouping, jobs, logging, pasted, risky, services, startorder, storage, support, tasks,
               tdsize, xecs)
from .context import Ctx, Unit, ecs_name, load_balancer_type
from .model import Cluster, EcsProject, EfsVolume, LogGroup
from ..records import record

DEFAULT_REGION = "us-east-1"
DEFAULT_EXECUTION_ROLE = "ecsTaskExecutionRole"  # a role name: ECS fills in the account (ecs-facts §5)
DEFAULT_RETENTION_DAYS = 30


@record(slots=False)
class LowerOptions:
    """Project-wide choices from the command line; they win over x-ecs."""

    region: Optional[str] = None
    launch_type: Optional[str] = None  # FARGATE | FARGATE_SPOT | EC2
    execution_role_arn: Optional[str] = None
    task_role_arn: Optional[str] = None
    images: Mapping[str, str] = field(default_factory=dict)  # compose service → image URI
    efs: Mapping[str, str] = field(default_factory=dict)  # compose volume → fs-…
    cluster: Optional[str] = None  # an existing cluster to deploy into
    load_balancer: Optional[str] = None  # alb | nlb | none
    log_retention_days: Optional[int] = None
    platform_version: Optional[str] = None


def resolve_region(options: LowerOptions, environ: Mapping[str, str],
                   aws_config_region: Optional[Callable[[], Optional[str]]]) -> tuple:
    """(region, where it came from); "" as source means the fallback was used."""
    if options.region:
        return options.region, "--region"
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if environ.get(name):
            return environ[name], name
    if aws_config_region is not None:
        try:
            found = aws_config_region()
        except Exception:  # a broken config file must not stop an offline conversion
            found = None
        if found:
            return found, "AWS config"
    return DEFAULT_REGION, ""


@gc_paused()
def lower(project, options: LowerOptions, environ: Mapping[str, str] = {},
          aws_config_region: Optional[Callable[[], Optional[str]]] = None) -> EcsProject:
    """Lower a compose :class:`~compose2ecs.compose.model.Project` onto ECS.

    Findings (unsupported/lossy/info) are in ``EcsProject.findings``; input ECS cannot run at
    all (impossible sizes, a bad x-ecs block, > 10 containers in a task) raises UserError.
    """
    sink = FindingSink()
    region, source = resolve_region(options, environ, aws_config_region)
    errors: list = []
    top = _collect(errors, lambda: xecs.project_settings(project, sink)) or xecs.Settings()
    ctx = Ctx(project, options, region, top, sink)
    ctx.log_group = top.get("log_group") or logging.default_log_group(project.name)
    if not source:
        sink.add(Severity.INFO, _project_at(project), f"no AWS region configured; using {DEFAULT_REGION} "
                 "for the awslogs region", "pass --region or set AWS_REGION")
    units = [_collect(errors, lambda svc=svc: _unit(ctx, svc)) for svc in project.services]
    if errors:  # every bad x-ecs / x-aws-* block of the project at once
        raise UserError(errors)
    grouping.assign_container_names(ctx, units)
    groups, one_shot = jobs.lower_jobs(ctx, grouping.make_groups(ctx, units))
    groups, deps = grouping.order(groups)
    startorder.cross_task_findings(ctx, groups, one_shot)
    # a RunTask job is outside Service Connect (only ECS services take part)
    sc = {name: on and name not in one_shot
          for name, on in services.service_connect_enabled(ctx, groups).items()}
    built = [tasks.build_task(ctx, g, sc.get(g.name, False)) for g in groups]
    pasted.register(ctx, built)  # x-ecs.placeholders still in a task definition
    ecs_services = tuple(services.build_service(ctx, g, td, deps[g.name], sc.get(g.name, False),
                                                g.name in one_shot)
                         for g, td in zip(groups, built))
    sink.extend(risky.plaintext_secrets(project))  # plaintext *_PASSWORD/*_SECRET/*_TOKEN values
    ecs = EcsProject(
        name=project.name, region=region, cluster=_cluster(ctx), services=ecs_services,
        task_definitions=tuple(sorted(built, key=lambda td: td.family)),
        log_groups=(LogGroup(ctx.log_group, _retention(ctx), default_name=not top.get("log_group")),),
        secrets=tuple(ctx.secrets[k] for k in sorted(ctx.secrets)),
        efs_volumes=tuple(_efs(ctx, k) for k in sorted(ctx.efs)),
        networks=services.project_networks(ecs_services),
        placeholders=tuple(ctx.placeholders[v] for v in sorted(ctx.placeholders)),
        findings=tuple(sink.sorted()),
        execution_role=options.execution_role_arn or top.get("execution_role_arn") or DEFAULT_EXECUTION_ROLE,
        load_balancer=load_balancer_type(ctx, groups),
        certificate_arn=top.get("certificate_arn"), vpc_id=top.get("vpc_id"),
        subnets=tuple(top.get("subnets") or ()), extensions=_extensions(ctx),
        tags=tuple(sorted((top.get("tags") or {}).items())))
    too_big = tdsize.check(ecs, project.locate)  # ECS refuses task definitions above 64 KiB
    if too_big:
        raise UserError(too_big)
    return ecs


def _collect(errors: list, build: Callable):
    try:
        return build()
    except UserError as err:
        errors.extend(err.diagnostics)
        return None


def _project_at(project) -> Location:
    first = project.files[0] if project.files else ""
    return Location(str(first)) if first else project.locate()


def _unit(ctx: Ctx, svc) -> Unit:
    settings = xecs.service_settings(ctx.project, svc, ctx.sink)
    launch = ctx.options.launch_type or settings.get("launch_type") or ctx.top.get("launch_type") or "FARGATE"
    unit = Unit(svc, settings, launch.upper())
    _support_findings(ctx, unit)
    return unit


def _support_findings(ctx: Ctx, unit: Unit) -> None:
    """The generic finding for every present key the support table marks ec2/unsupported/info."""
    for key, rule in support.TABLE.items():
        if rule.kind not in (support.EC2, support.UNSUPPORTED, support.INFO):
            continue
        value = support.value_of(unit.service, key)
        if not support.present(value) or (key == "pull_policy" and value == "missing"):
            continue
        if key == "restart" and jobs.restart_makes_job(unit):
            continue  # a one-shot job: its own finding says what restart became
        if key == "tmpfs" and storage.read_only_scratch(unit):
            continue  # a read-only root: tmpfs becomes a task volume (storage.py says so)
        if rule.kind == support.EC2 and not unit.fargate and (key != "pid" or str(value) == "host"):
            # (ipc values ECS cannot express on EC2 are reported by tasks.ipc_mode)
            continue  # lowered into the EC2-only fields
        severity = Severity.INFO if rule.kind == support.INFO else Severity.UNSUPPORTED
        ctx.finding(severity, unit, (key,), f"{key} {rule.message}", rule.hint)


def _cluster(ctx: Ctx) -> Cluster:
    if ctx.options.cluster:
        return Cluster(ctx.options.cluster, existing=True)
    configured = ctx.top.get("cluster")
    if isinstance(configured, dict):
        return Cluster(configured["name"], existing=bool(configured.get("existing", False)))
    if isinstance(configured, str):
        return Cluster(configured)
    return Cluster(ecs_name(ctx.project.name))


def _retention(ctx: Ctx) -> int:
    return ctx.options.log_retention_days or ctx.top.get("log_retention") or DEFAULT_RETENTION_DAYS


def _efs(ctx: Ctx, key: str) -> EfsVolume:
    entry = ctx.efs[key]
    return EfsVolume(key, entry["file_system_id"], tuple(sorted(entry["services"])), entry["uid"], entry["gid"])


def _extensions(ctx: Ctx) -> tuple:
    out = {}
    for key in ("cloudformation", "load_balancer_arn", "load_balancer_security_group", "secrets_kms_key_arns"):
        if key in ctx.top:
            out[key] = ctx.top.get(key)
    sc = ctx.top.get("service_connect")
    if isinstance(sc, dict) and sc.get("namespace"):
        out["service_connect_namespace"] = sc["namespace"]
    if "assign_public_ip" in ctx.top:
        out["assign_public_ip"] = ctx.top.get("assign_public_ip")
    return tuple(sorted(out.items()))
