"""The Markdown conversion report: per service what was mapped, rounded, dropped and why, the
placeholders to fill, and the next command. Rendered from ``templates/report.md.j2``.

Never includes environment values or secret contents: only names, keys and file paths.
"""
from __future__ import annotations

from .errors import Severity, format_key_path
from .templating import render

MAPPED_FIELDS = (("port_mappings", "ports"), ("environment", "environment"), ("secrets", "secrets"),
                 ("mount_points", "volumes"), ("health_check", "healthcheck"), ("depends_on", "dependsOn"),
                 ("linux_parameters", "linux parameters"), ("ulimits", "ulimits"))


def _row(finding) -> dict:
    loc = finding.location
    where = str(loc)
    cell = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    return {"severity": finding.severity, "where": cell(where), "message": cell(finding.message),
            "hint": cell(finding.hint), "path": format_key_path(loc.key_path)}


def _mapped(container) -> str:
    parts = []
    for attr, label in MAPPED_FIELDS:
        value = getattr(container, attr)
        if value and not (hasattr(value, "is_empty") and value.is_empty()):
            count = len(value) if isinstance(value, tuple) else 1
            parts.append(f"{label} ({count})" if isinstance(value, tuple) else label)
    if container.cpu or container.memory:
        parts.append("resources")
    return ", ".join(parts) or "image only"


def render_report(project, ecs, next_command: str) -> str:
    """The conversion report as Markdown (deterministic)."""
    by_service: dict = {}
    project_findings = []
    owner = {name: s.name for s in ecs.services for name in s.compose_services}
    for finding in ecs.findings:
        target = owner.get(finding.service)
        (by_service.setdefault(target, []) if target else project_findings).append(_row(finding))
    services = []
    families = {}  # family → task definition (first wins, as ecs.task_definition(); a scan per service was O(n²))
    for td in ecs.task_definitions:
        families.setdefault(td.family, td)
    for svc in ecs.services:
        family = svc.task_definition
        td = families[family] if family in families else ecs.task_definition(family)  # KeyError as before
        services.append({"service": svc, "td": td, "facts": _facts(svc, td),
                         "mapped": {c.name: _mapped(c) for c in td.containers},
                         "findings": by_service.get(svc.name, [])})
    counts = {"services": len(ecs.services), "compose": len(project.services)}
    for sev in (Severity.UNSUPPORTED, Severity.LOSSY, Severity.WARNING, Severity.INFO):
        counts[sev] = sum(1 for f in ecs.findings if f.severity == sev)
    from .cost.render import report_context

    return render("report.md.j2", project=project, ecs=ecs, services=services, counts=counts,
                  project_findings=project_findings, next_command=next_command, cost=report_context(ecs),
                  before=_before(ecs, "cloudformation" in next_command))


def _facts(svc, td) -> list:
    launch = "/".join(td.requires_compatibilities) + (" Spot" if svc.capacity_provider_strategy else "")
    arch = f" · {td.cpu_architecture}" if td.cpu_architecture else ""
    facts = [f"Compose services: {', '.join(svc.compose_services)}",
             f"Task size: {td.cpu} CPU units ({int(td.cpu) / 1024:g} vCPU) / {td.memory} MiB · {launch}{arch}",
             f"Desired count: {svc.desired_count}"]
    if svc.depends_on:
        facts.append(f"Created after: {', '.join(svc.depends_on)}")
    if svc.public_ports:
        facts.append("Published ports: " + ", ".join(f"{p}/{proto}" for p, proto in svc.public_ports))
    if svc.service_connect:
        facts.append("Other services reach it as: " + ", ".join(f"`{e.dns_name}:{e.port}`" for e in svc.service_connect))
    return facts


def _before(ecs, stack: bool = False) -> list:
    group = ecs.log_groups[0]
    if stack and group.default_name:  # the template names it after the stack (emit/cfn/services.py)
        log = (f"Log group `/ecs/<stack name>` (retention {group.retention_days} days), created by the stack "
               f"(`{group.name}` when the stack is named `{ecs.name}`).")
    else:
        log = (f"Log group `{group.name}` (retention {group.retention_days} days). With task definitions only, "
               f"create it first: `aws logs create-log-group --log-group-name {group.name}`.")
    lines = [log,
             f"Execution role `{ecs.execution_role}` must exist with AmazonECSTaskExecutionRolePolicy"
             + (" and read access to the secrets below." if ecs.secrets else ".")]
    for spec in ecs.secrets:
        origin = f" (to create; its value is in {spec.source_file or 'the environment'})" if spec.create else ""
        if spec.kind == "config":  # stored by deploy in SSM (aws/secrets.py)
            origin = f" (deploy stores it from {spec.source_file or 'the compose file'})" if spec.create else ""
        label = "Config" if spec.kind == "config" else "Secret"
        lines.append(f"{label} `{spec.key.split(':', 1)[-1]}` → `{spec.value_from}`{origin}")
    for vol in ecs.efs_volumes:
        missing = "a file system the stack creates" if stack else \
            f"a placeholder file system id (create the file system, then pass --efs {vol.key}=fs-…)"
        lines.append(f"EFS volume `{vol.key}` → {vol.file_system_id or missing} (services: {', '.join(vol.services)})")
    return lines
