"""The template under construction: resources, parameters, conditions, outputs, logical IDs.

Every sub-module adds its part through :class:`Builder`, so all resources get the same
``Metadata`` (the compose service they come from and a one-line description), tags and
collision-safe logical IDs. Intrinsic functions are written in their long form
(``{"Ref": x}``, ``{"Fn::GetAtt": [r, a]}``): plain YAML/JSON that cfn-lint and
``aws cloudformation deploy`` accept without custom tags.
"""
from __future__ import annotations

import re
from dataclasses import field
from typing import Any, Optional

from ...ecs.model import EcsProject
from ...ecs.names import digest
from ...records import record

PROJECT_TAG = "compose2ecs:project"
SERVICE_TAG = "compose2ecs:service"
MAX_ID = 200  # CloudFormation allows 255; keep room for suffixes


def ref(name: str) -> dict:
    return {"Ref": name}


def getatt(resource: str, attribute: str) -> dict:
    return {"Fn::GetAtt": [resource, attribute]}


def sub(text: str) -> dict:
    return {"Fn::Sub": text}


def pascal(name: str) -> str:
    """``my-app_db.1`` → ``MyAppDb1``: the readable part of a logical ID."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", str(name)) if p]
    # ALL-CAPS words (placeholders like IMAGE_URI) read better as Image, Uri.
    text = "".join((p.capitalize() if p.isupper() else p[:1].upper() + p[1:]) for p in parts)
    return text or "X"


def short_hash(key: Any) -> str:
    return digest(repr(key), 6).upper()


class Ids:
    """Deterministic, collision-safe logical IDs derived from names.

    ``get(key, base)`` returns the same ID for the same key; a base already taken by
    another key gets a short hash of the key appended, so two names that sanitise alike
    (``web-1`` and ``web_1``) never share an ID.
    """

    def __init__(self) -> None:
        self._by_key: dict = {}
        self._taken: set = set()

    def get(self, key: Any, base: str) -> str:
        if key in self._by_key:
            return self._by_key[key]
        candidate = base[:MAX_ID]
        if candidate in self._taken:
            candidate = f"{base[:MAX_ID]}H{short_hash(key)}"
        self._by_key[key] = candidate
        self._taken.add(candidate)
        return candidate

    def reserve(self, name: str) -> None:
        self._taken.add(name)


def owner_bases(names) -> dict:
    """Readable ID prefixes for a set of names; names that sanitise alike all get a hash."""
    bases: dict = {}
    for name in names:
        bases.setdefault(pascal(name), []).append(name)
    out = {}
    for base, group in bases.items():
        for name in group:
            out[name] = base if len(group) == 1 else f"{base}H{short_hash(name)}"
    return out


@record(frozen=False, slots=False)
class Builder:
    """Mutable state of one template build (one per call; never shared)."""

    ecs: EcsProject
    with_defaults: bool = True
    parameters: dict = field(default_factory=dict)
    conditions: dict = field(default_factory=dict)
    resources: dict = field(default_factory=dict)
    outputs: dict = field(default_factory=dict)
    owners: dict = field(default_factory=dict)  # logical id → ECS service name ("" = shared)
    ids: Ids = field(default_factory=Ids)
    # Values other modules look up (execution role ref, SG ids, target groups, ...).
    refs: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.service_base = owner_bases([s.name for s in self.ecs.services])
        # Name indexes built once: EcsProject.service()/task_definition() scan a tuple, and
        # the emitter asks thousands of times (quadratic on big projects, issue 5).
        self._services = {}
        for svc in self.ecs.services:
            self._services.setdefault(svc.name, svc)  # first wins, as in EcsProject.service
        self._task_definitions = {}
        for td in self.ecs.task_definitions:
            self._task_definitions.setdefault(td.family, td)
        # one-shot jobs: a task definition and outputs, no AWS::ECS::Service (ecs/jobs.py)
        self.jobs = {s.name for s in self.ecs.services if s.job}

    # -- lookups ----------------------------------------------------------------
    def service(self, name: str):
        """The ECS service called ``name`` (KeyError when there is none)."""
        return self._services[name]

    def task_definition(self, family: str):
        """The task definition of ``family`` (KeyError when there is none)."""
        return self._task_definitions[family]

    # -- naming ---------------------------------------------------------------
    def sid(self, service: str, kind: str) -> str:
        """Logical ID of a per-service resource, e.g. ``WebSecurityGroup``."""
        base = self.service_base.get(service) or pascal(service)
        return self.ids.get(("service", service, kind), base + kind)

    def pid(self, key: Any, base: str) -> str:
        """Logical ID of any other resource/parameter/output."""
        return self.ids.get(key, base)

    # -- adding ---------------------------------------------------------------
    def resource(self, logical_id: str, type_: str, props: dict, *, owner: str = "",
                 description: str = "", about: Optional[dict] = None, **attributes) -> str:
        """Add a resource with Metadata naming where it comes from; returns its ID."""
        if logical_id in self.resources:
            raise ValueError(f"internal error: logical ID {logical_id} defined twice")
        meta: dict = {"description": description} if description else {}
        services = self.compose_services(owner)
        if services:
            meta["services"] = list(services)
        else:
            meta["project"] = self.ecs.name
        meta.update(about or {})
        body: dict = {"Type": type_}
        body.update({k: v for k, v in attributes.items() if v not in (None, [], {})})
        body["Metadata"] = {"compose2ecs": meta}
        if props:
            body["Properties"] = props
        self.resources[logical_id] = body
        self.owners[logical_id] = owner
        return logical_id

    def parameter(self, name: str, spec: dict) -> str:
        self.parameters[name] = spec
        return name

    def output(self, name: str, value: Any, description: str, owner: str = "") -> None:
        self.outputs[name] = {"Description": description, "Value": value}
        self.owners[("output", name)] = owner

    # -- helpers --------------------------------------------------------------
    def compose_services(self, ecs_service: str) -> tuple:
        if not ecs_service:
            return ()
        try:
            return tuple(self.service(ecs_service).compose_services) or (ecs_service,)
        except KeyError:
            return (ecs_service,)

    def tags(self, service: str = "", key: str = "Key", value: str = "Value", extra=()) -> list:
        """Project and service tags (sorted) in the Key/Value spelling the resource uses."""
        pairs = {PROJECT_TAG: self.ecs.name}
        pairs.update(dict(self.ecs.tags))
        if service:
            pairs[SERVICE_TAG] = service
            try:
                pairs.update(dict(self.service(service).tags))
            except KeyError:
                pass
        pairs.update(dict(extra))
        return [{key: k, value: str(v)} for k, v in sorted(pairs.items())]

    def cluster_ref(self) -> dict:
        return {"Fn::If": ["CreateCluster", ref("Cluster"), ref("ExistingClusterName")]}
