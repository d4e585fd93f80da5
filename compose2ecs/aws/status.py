"""`compose2ecs status`: per service desired/running/pending, rollout state,
tasks with health and addresses, load balancer URLs, and the latest service events."""
from __future__ import annotations

import json
from dataclasses import asdict, field

from . import endpoints
from .discover import find_project
from ..records import record


@record(frozen=False, slots=False)
class ServiceStatus:
    name: str
    desired: int
    running: int
    pending: int
    rollout: str  # rolloutState of the PRIMARY deployment
    task_definition: str  # family:revision
    tasks: list = field(default_factory=list)  # endpoints.TaskAddress as dicts
    urls: list = field(default_factory=list)  # ip:port or LB URLs
    events: list = field(default_factory=list)  # newest first


def _primary(service: dict) -> dict:
    return next((d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"), {})


def service_status(clients, cluster: str, service: dict, public_ports: tuple = (), events: int = 3) -> ServiceStatus:
    """Gather one service's status (list/describe calls only)."""
    tasks = endpoints.running_tasks(clients.ecs, cluster, service["serviceName"])
    addresses = endpoints.task_addresses(clients.ec2, tasks)
    urls = endpoints.load_balancer_urls(clients.elbv2, service) if service.get("loadBalancers") else []
    urls = urls or endpoints.public_endpoints(addresses, public_ports)
    return ServiceStatus(
        name=service["serviceName"], desired=service.get("desiredCount", 0),
        running=service.get("runningCount", 0), pending=service.get("pendingCount", 0),
        rollout=_primary(service).get("rolloutState", ""),
        task_definition=service.get("taskDefinition", "").rsplit("/", 1)[-1],
        tasks=[asdict(a) for a in addresses], urls=urls,
        events=[e.get("message", "") for e in service.get("events", [])[:events]])


def project_status(clients, project: str, cluster_hint=None, model=None, only: tuple = ()) -> tuple:
    """``(cluster, [ServiceStatus])`` for the project's services (optionally only some)."""
    found = find_project(clients, project, cluster_hint)
    ports = {s.name: s.public_ports for s in model.services} if model is not None else {}
    rows = [service_status(clients, found.cluster, s, ports.get(s["serviceName"], ()))
            for s in found.services if not only or s["serviceName"] in only]
    return found.cluster, rows


def render_text(project: str, cluster, rows: list) -> str:
    """A table per service, then its tasks and last events."""
    if cluster is None:
        return f"{project}: nothing deployed (no cluster tagged compose2ecs:project={project})\n"
    lines = [f"project {project} on cluster {cluster}",
             f"{'SERVICE':<20} {'DESIRED':>7} {'RUNNING':>7} {'PENDING':>7}  {'ROLLOUT':<12} TASK DEFINITION"]
    for row in rows:
        lines.append(f"{row.name:<20} {row.desired:>7} {row.running:>7} {row.pending:>7}  "
                     f"{row.rollout or '-':<12} {row.task_definition}")
        for task in row.tasks:
            address = task["public_ip"] or task["private_ip"] or "-"
            lines.append(f"    task {task['task_id']}  {task['last_status']:<10} "
                         f"health {task['health']:<9} {address}")
        for url in row.urls:
            lines.append(f"    answers at {url}")
        for event in row.events:
            lines.append(f"    event: {event}")
    if not rows:
        lines.append("(no services)")
    return "\n".join(lines) + "\n"


def render_json(project: str, cluster, rows: list) -> str:
    data = {"project": project, "cluster": cluster, "services": [asdict(r) for r in rows]}
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
