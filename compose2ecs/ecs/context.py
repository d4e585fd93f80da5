"""State shared by the lowering modules while one project is lowered.

:class:`Ctx` carries the inputs (project, options, x-ecs settings), the findings sink and the
project-wide collections (placeholders, secrets, EFS volumes) that several modules add to.
:class:`Unit` is one compose service on its way to becoming one container.
"""
from __future__ import annotations

import re
from dataclasses import field
from typing import Any, Optional

from ..errors import FindingSink, Location, Severity, UserError
from .model import Placeholder
from .names import NameSpace, shorten
from .xecs import Settings
from ..records import record

_NAME_BAD = re.compile(r"[^A-Za-z0-9_-]+")


def ecs_name(text: str, limit: int = 255) -> str:
    """A name ECS accepts for families, containers, services, volumes: ``[A-Za-z0-9_-]{1,255}``."""
    cleaned = _NAME_BAD.sub("-", text).strip("-") or "x"
    return shorten(cleaned, limit)  # a cut name ends with a hash of the whole: no two collide


@record(frozen=False, slots=False)
class Unit:
    """One compose service being lowered to one container."""

    service: Any  # compose.model.Service
    settings: Settings
    launch_type: str  # FARGATE | FARGATE_SPOT | EC2
    group: str = ""  # ECS service / task name it belongs to
    container: str = ""  # container name

    @property
    def name(self) -> str:
        return self.service.name

    @property
    def fargate(self) -> bool:
        return self.launch_type != "EC2"


@record(frozen=False, slots=False)
class Ctx:
    project: Any  # compose.model.Project
    options: Any  # LowerOptions
    region: str
    top: Settings
    sink: FindingSink = field(default_factory=FindingSink)
    placeholders: dict = field(default_factory=dict)  # value → Placeholder
    secrets: dict = field(default_factory=dict)  # compose key → SecretSpec
    efs: dict = field(default_factory=dict)  # compose volume key → EfsVolume fields (dict)
    log_group: str = ""
    namespaces: dict = field(default_factory=dict)  # scope → names.NameSpace

    def names(self, scope, limit: int) -> NameSpace:
        """The NameSpace of ``scope`` (e.g. ``"discovery"``), created on first use."""
        return self.namespaces.setdefault(scope, NameSpace(limit))

    def at(self, *path) -> Location:
        return self.project.locate(*path)

    def svc_at(self, unit: Unit, *path) -> Location:
        return self.project.locate("services", unit.name, *path)

    def finding(self, severity: str, unit: Optional[Unit], path: tuple, message: str, hint: str = "") -> None:
        """Record a finding about ``services.<unit>.<path>`` (or a project path when unit is None)."""
        if unit is None:
            self.sink.add(severity, self.at(*path), message, hint)
        else:
            self.sink.add(severity, self.svc_at(unit, *path), message, hint, unit.name)

    def info(self, unit, path, message, hint=""):
        self.finding(Severity.INFO, unit, path, message, hint)

    def lossy(self, unit, path, message, hint=""):
        self.finding(Severity.LOSSY, unit, path, message, hint)

    def unsupported(self, unit, path, message, hint=""):
        self.finding(Severity.UNSUPPORTED, unit, path, message, hint)

    def error(self, location: Location, message: str, hint: str = "") -> UserError:
        return UserError.at(location, message, hint)

    def placeholder(self, value: str, what: str, how: str) -> str:
        """Register a placeholder value (listed in the report) and return it."""
        self.placeholders.setdefault(value, Placeholder(value, what, how))
        return value


LB_TYPES = ("alb", "nlb")


def load_balancer_type(ctx: Ctx, groups: list) -> Optional[str]:
    """alb | nlb | None: --load-balancer > x-ecs.load_balancer > inferred for an existing LB ARN."""
    chosen = ctx.options.load_balancer or ctx.top.get("load_balancer")
    if chosen:
        return chosen if chosen in LB_TYPES else None
    if not ctx.top.get("load_balancer_arn"):
        return None
    for group in groups:  # Docker's integration: ALB only when every published port is HTTP(S)
        for unit in group.units:
            proto = str(unit.settings.get("protocol", "")).lower()
            for port in unit.service.ports:
                port_proto = str(dict(port.extensions).get("x-aws-protocol", proto)).lower()
                if port_proto not in ("http", "https") and str(port.published) not in ("80", "443"):
                    return "nlb"
    return "alb"


def load_balancer_requested(ctx: Ctx) -> bool:
    """Whether the services are fronted by a load balancer (``--load-balancer``, x-ecs
    ``load_balancer``, or an existing one's ARN): published ports then become its listener ports."""
    return load_balancer_type(ctx, ()) is not None  # which kind does not matter here
