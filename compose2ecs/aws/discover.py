"""Find a project's live ECS resources by the ``compose2ecs:project`` tag, so `status`,
`logs` and `down` work with only ``-p NAME`` (no compose file needed)."""
from __future__ import annotations

from dataclasses import field
from typing import Optional

from ..records import record
from .errors import aws_errors
from .network import TAG_PROJECT


@record(frozen=False, slots=False)
class Found:
    project: str
    cluster: Optional[str] = None  # cluster name
    cluster_tagged: bool = False  # True ⇒ this project created it
    services: list = field(default_factory=list)  # live service dicts, sorted by name


def tags_of(resource: dict) -> dict:
    """Tags of an ECS (``key``/``value``) or EC2/IAM (``Key``/``Value``) description."""
    out = {}
    for tag in resource.get("tags", []) or resource.get("Tags", []) or []:
        key = tag.get("key", tag.get("Key"))
        out[key] = tag.get("value", tag.get("Value"))
    return out


def find_cluster(ecs, project: str, hint: Optional[str] = None) -> tuple:
    """``(name, tagged)`` of the project's cluster, or ``(None, False)``."""
    with aws_errors("clusters"):
        if hint:
            found = ecs.describe_clusters(clusters=[hint], include=["TAGS"])["clusters"]
            active = [c for c in found if c["status"] == "ACTIVE"]
            return (hint, tags_of(active[0]).get(TAG_PROJECT) == project) if active else (None, False)
        arns = [a for page in ecs.get_paginator("list_clusters").paginate() for a in page["clusterArns"]]
        for start in range(0, len(arns), 100):
            found = ecs.describe_clusters(clusters=arns[start:start + 100], include=["TAGS"])["clusters"]
            for cluster in sorted(found, key=lambda c: c["clusterName"]):
                if cluster["status"] == "ACTIVE" and tags_of(cluster).get(TAG_PROJECT) == project:
                    return cluster["clusterName"], True
    return None, False


def project_services(ecs, cluster: str, project: str) -> list:
    """The ACTIVE services of ``cluster`` tagged with ``project``, sorted by name."""
    with aws_errors(f"cluster {cluster}"):
        arns = [a for page in ecs.get_paginator("list_services").paginate(cluster=cluster)
                for a in page["serviceArns"]]
        services = []
        for start in range(0, len(arns), 10):
            services += ecs.describe_services(cluster=cluster, services=arns[start:start + 10],
                                              include=["TAGS"])["services"]
    mine = [s for s in services if s.get("status") == "ACTIVE" and tags_of(s).get(TAG_PROJECT) == project]
    return sorted(mine, key=lambda s: s["serviceName"])


def find_project(clients, project: str, cluster_hint: Optional[str] = None) -> Found:
    """The project's cluster and services (an empty Found when nothing is deployed).

    A project deployed with ``--cluster`` into a cluster it did not create has no tagged
    cluster: it is found by its tagged services, so ``down -p NAME`` never reports a
    project removed while its services still run."""
    name, tagged = find_cluster(clients.ecs, project, cluster_hint)
    services = project_services(clients.ecs, name, project) if name else []
    if not services and not tagged:
        found = _cluster_running(clients.ecs, project, exclude=name)
        if found:
            name, services = found
    if name is None:
        return Found(project)
    return Found(project, name, tagged, services)


def _cluster_running(ecs, project: str, exclude: Optional[str]) -> Optional[tuple]:
    """``(cluster name, services)`` of the first ACTIVE cluster (by name) running services
    tagged with ``project``, or None."""
    with aws_errors("clusters"):
        arns = [a for page in ecs.get_paginator("list_clusters").paginate() for a in page["clusterArns"]]
        names = []
        for start in range(0, len(arns), 100):
            found = ecs.describe_clusters(clusters=arns[start:start + 100])["clusters"]
            names += [c["clusterName"] for c in found if c["status"] == "ACTIVE" and c["clusterName"] != exclude]
    for name in sorted(names):
        services = project_services(ecs, name, project)
        if services:
            return name, services
    return None
