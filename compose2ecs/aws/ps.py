"""`compose2ecs ps`: the project's running tasks, one line each (``docker compose ps``).

Every task of the project's cluster that is the project's — started by one of its ECS
services (group ``service:<name>``) or tagged ``compose2ecs:project`` (jobs and ``run``) —
with its service, status, health, public IP and ports. A port published to the internet
in the compose file (read when the command is given one) shows as ``IP:80->80/tcp`` (the address it answers at), the others as
``5432/tcp``. ``status`` remains the per-service view (desired/running, rollout, events).
"""
from __future__ import annotations

import json
from dataclasses import asdict, field

from . import endpoints
from .discover import find_project, tags_of
from .errors import aws_errors
from .network import TAG_PROJECT, TAG_SERVICE
from .run import TAG_RUN
from ..records import record

BATCH = 100  # DescribeTasks takes up to 100 tasks


@record(frozen=False, slots=False)
class TaskRow:
    service: str
    task_id: str
    status: str  # lastStatus
    health: str  # HEALTHY | UNHEALTHY | UNKNOWN
    public_ip: str = ""
    private_ip: str = ""
    ports: list = field(default_factory=list)
    kind: str = "service"  # service | run (compose2ecs run) | job
    task_definition: str = ""  # family:revision


def _owner(task: dict, project: str, services: set) -> tuple:
    """``(service, kind)`` of a task of the project, or None when it is someone else's."""
    group = task.get("group", "")
    if group.startswith("service:") and group[8:] in services:
        return group[8:], "service"
    tags = tags_of(task)
    if tags.get(TAG_PROJECT) != project:
        return None
    if TAG_RUN in tags:
        return tags[TAG_RUN], "run"
    return tags.get(TAG_SERVICE) or task.get("taskDefinitionArn", "").rsplit("/", 1)[-1].split(":")[0], "job"


def _tasks(ecs, cluster: str) -> list:
    with aws_errors(f"cluster {cluster}"):
        pages = ecs.get_paginator("list_tasks").paginate(cluster=cluster, desiredStatus="RUNNING")
        arns = [a for page in pages for a in page["taskArns"]]
        tasks = []
        for start in range(0, len(arns), BATCH):
            tasks += ecs.describe_tasks(cluster=cluster, tasks=arns[start:start + BATCH], include=["TAGS"])["tasks"]
    return tasks


def _container_ports(ecs, arn: str, cache: dict) -> list:
    """``[(port, protocol)]`` of a task definition's containers (one describe per revision)."""
    if arn not in cache:
        with aws_errors(f"task definition {arn.rsplit('/', 1)[-1]}"):
            td = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        cache[arn] = sorted({(p["containerPort"], p.get("protocol", "tcp"))
                             for c in td.get("containerDefinitions", []) for p in c.get("portMappings", [])
                             if "containerPort" in p})
    return cache[arn]


def port_text(port: int, protocol: str, public_ip: str, published: bool) -> str:
    """``1.2.3.4:80->80/tcp`` for an internet-published port with an address, else ``80/tcp``."""
    if published and public_ip:
        return f"{public_ip}:{port}->{port}/{protocol}"
    return f"{port}/{protocol}"


def project_tasks(clients, project: str, cluster_hint=None, model=None, only: tuple = ()) -> tuple:
    """``(cluster or None, [TaskRow])`` sorted by service and task id (describe/list calls only)."""
    found = find_project(clients, project, cluster_hint)
    if found.cluster is None:
        return None, []
    names = {s["serviceName"] for s in found.services}
    if model is not None:
        names |= {s.name for s in model.services}
    published = {s.name: {(p, proto) for p, proto in s.public_ports} for s in model.services} if model else {}
    ours = []
    for task in _tasks(clients.ecs, found.cluster):
        owner = _owner(task, project, names)
        if owner and (not only or owner[0] in only):
            ours.append((owner, task))
    addresses = endpoints.task_addresses(clients.ec2, [t for _, t in ours])
    cache: dict = {}
    rows = []
    for ((service, kind), task), address in zip(ours, addresses):
        public = published.get(service)
        ports = [port_text(p, proto, address.public_ip, public is not None and (p, proto) in public)
                 for p, proto in _container_ports(clients.ecs, task.get("taskDefinitionArn", ""), cache)]
        rows.append(TaskRow(service, address.task_id, address.last_status, address.health, address.public_ip,
                            address.private_ip, ports, kind,
                            task.get("taskDefinitionArn", "").rsplit("/", 1)[-1]))
    return found.cluster, sorted(rows, key=lambda r: (r.service, r.kind, r.task_id))


def render_text(project: str, cluster, rows: list) -> str:
    """The table (``docker compose ps``): one line per task."""
    if cluster is None:
        return f"{project}: nothing deployed (no cluster tagged compose2ecs:project={project})\n"
    if not rows:
        return f"{project}: no running tasks on cluster {cluster}\n"
    table = [("SERVICE", "TASK", "STATUS", "HEALTH", "PUBLIC IP", "PORTS")]
    for row in rows:
        label = row.service if row.kind == "service" else f"{row.service} ({row.kind})"
        table.append((label, row.task_id[:12], row.status, row.health, row.public_ip or "-",
                      ", ".join(row.ports) or "-"))
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)) + "  " + r[-1] for r in table]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def render_json(project: str, cluster, rows: list) -> str:
    data = {"project": project, "cluster": cluster, "tasks": [asdict(r) for r in rows]}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
