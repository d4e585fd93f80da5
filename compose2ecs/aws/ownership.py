"""Whose is a live resource? The ``compose2ecs:project`` tag says, and nothing else does.

deploy and down act only on resources tagged ``compose2ecs:project=<project>``. A live
resource that has the name the project would use but not its tag belongs to someone else
(another tool, a person, another compose2ecs project): planning records it as a *clash*,
and :func:`refuse` turns every clash of the run into one error (exit 2) before any change.
The one deliberate exception is a cluster named with ``--cluster`` (``Cluster.existing``):
the project deploys *into* it, but still never adopts, changes or deletes anything in it
that is not tagged as the project's, nor the cluster itself.
"""
from __future__ import annotations


from ..errors import Location, UserError, diagnostic
from ..records import record
from .network import TAG_PROJECT

# resource kind → how to get out of the clash (the fix part of the message)
WAY_OUT = {
    "cluster": "pass --cluster {name} to deploy into that cluster on purpose, leaving its other services alone, "
               "or -p OTHER to give this project and its cluster another name",
    "service": "rename the compose service, or deploy into another cluster with --cluster OTHER",
    "log-group": "-p OTHER to give this project another name, or delete or tag the log group if it is yours",
    "role": "pass --execution-role-arn to use that role on purpose, or -p OTHER to give this project another name",
    "security-group": "-p OTHER to give this project another name, or delete the group if it is unused",
    "namespace": "-p OTHER to give this project another name",
    "stack": "-p OTHER to give this project (and its stack) another name",
    "secret": "-p OTHER to give this project another name, or set x-ecs.secrets.<key> to use that secret on purpose",
    "task-definition": "-p OTHER to give this project another name (task-definition families are <project>-<service>)",
}


def owner(tags: dict) -> str:
    """The project a resource's tags name ('' when untagged)."""
    return (tags or {}).get(TAG_PROJECT, "") or ""


def is_ours(tags: dict, project: str) -> bool:
    return owner(tags) == project


@record(slots=False)
class Clash:
    resource: str  # a key of WAY_OUT
    name: str
    owner: str  # the other project ('' = not made by compose2ecs)
    where: str = ""  # e.g. "in cluster shared"

    def finding(self, project: str):
        whose = (f"belongs to compose2ecs project {self.owner}" if self.owner
                 else f"is not tagged {TAG_PROJECT}={project}")
        where = f" {self.where}" if self.where else ""
        message = (f"already exists{where} but {whose}; deploy never takes over, changes or deletes "
                   f"what this project did not create")
        return diagnostic(Location(file=f"{self.resource} {self.name}"), message,
                          WAY_OUT[self.resource].format(name=self.name))


def refuse(project: str, clashes: list) -> None:
    """Raise one UserError listing every clash (sorted), or return when there is none."""
    if clashes:
        ordered = sorted(set(clashes), key=lambda c: (c.resource, c.name))
        raise UserError([c.finding(project) for c in ordered])
