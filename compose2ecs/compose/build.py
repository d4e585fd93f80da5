"""Last loader phase: the canonical (long-syntax, merged) document → typed :class:`Project`.

Units are parsed here once (bytes, seconds, float CPUs) so no later layer parses ``"512m"``
again. Service keys are read through :data:`SERVICE_FIELDS` (key → model field, builder);
keys without an entry (``devices``, ``extra_hosts``, ``x-*``, ...) go to ``Service.extra``
verbatim, so nothing is dropped before the lowering decides what it can carry. Every error
of the document is collected and raised together.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from ..errors import UserError
from .build_base import Builder, mapping_of, optional_strings, pairs, strings
from .build_deploy import CONSUMED_KEYS, build_deploy
from .build_parts import (build_build, build_depends_on, build_file_refs, build_healthcheck,
                          build_logging, build_networks, build_ports, build_ulimits,
                          build_volumes)
from .canonical_base import go_string
from .model import Deploy, Project, Service, ServiceNetwork, TopLevelResource
from .source import locate, plain


def _text(b: Builder, value: Any, path: tuple) -> Any:
    return go_string(value)


def _flag(b: Builder, value: Any, path: tuple) -> Any:
    return b.bool(value, path)


def _strings(b: Builder, value: Any, path: tuple) -> tuple:
    return strings(value)


def _command(b: Builder, value: Any, path: tuple) -> Any:
    return optional_strings(value)


def _pairs(b: Builder, value: Any, path: tuple) -> tuple:
    return pairs(value)


def _grace(b: Builder, value: Any, path: tuple) -> Any:
    return b.duration(value, path)


# service key → (Service field, builder(b, plain value, key path) → typed value)
SERVICE_FIELDS: dict = {
    "image": ("image", _text),
    "command": ("command", _command),
    "entrypoint": ("entrypoint", _command),
    "environment": ("environment", _pairs),
    "working_dir": ("working_dir", _text),
    "user": ("user", _text),
    "labels": ("labels", _pairs),
    "ports": ("ports", build_ports),
    "expose": ("expose", _strings),
    "volumes": ("volumes", build_volumes),
    "tmpfs": ("tmpfs", _strings),
    "secrets": ("secrets", build_file_refs),
    "configs": ("configs", build_file_refs),
    "depends_on": ("depends_on", build_depends_on),
    "healthcheck": ("healthcheck", build_healthcheck),
    "logging": ("logging", build_logging),
    "ulimits": ("ulimits", build_ulimits),
    "sysctls": ("sysctls", _pairs),
    "cap_add": ("cap_add", _strings),
    "cap_drop": ("cap_drop", _strings),
    "networks": ("networks", build_networks),
    "network_mode": ("network_mode", _text),
    "platform": ("platform", _text),
    "stop_grace_period": ("stop_grace_period", _grace),
    "stop_signal": ("stop_signal", _text),
    "init": ("init", _flag),
    "read_only": ("read_only", _flag),
    "tty": ("tty", _flag),
    "stdin_open": ("stdin_open", _flag),
    "privileged": ("privileged", _flag),
    "restart": ("restart", _text),
    "profiles": ("profiles", _strings),
}


def _service(b: Builder, name: str, svc: dict, working_dir: str) -> Service:
    path = ("services", name)
    fields: dict = {}
    extra = []
    for key, value in svc.items():
        entry = SERVICE_FIELDS.get(key)
        if entry is not None:
            field, build = entry
            fields[field] = b.guard(build, value, path + (key,))
        elif key == "build":
            fields["build"] = b.guard(lambda b_, v, p: build_build(b_, v, p, working_dir),
                                      value, path + (key,))
        elif key not in CONSUMED_KEYS:
            extra.append((key, value))
    if not svc.get("network_mode") and "networks" not in svc:
        # Compose attaches a service without networks to the project's implicit default.
        fields["networks"] = (ServiceNetwork(name="default", at=b.at(path)),)
    if svc.get("network_mode"):
        fields["networks"] = ()
    deploy = b.guard(lambda b_, value, p: build_deploy(b_, svc, p), svc, path) or Deploy()
    return Service(name=name, deploy=deploy, extra=tuple(sorted(extra, key=lambda kv: str(kv[0]))),
                   at=b.at(path), **fields)


def _resources(b: Builder, kind: str, section: Any) -> tuple:
    out = []
    for key, attrs in sorted(mapping_of(section).items()):
        if str(key).startswith("x-"):
            continue
        out.append(TopLevelResource(key=key, attrs=pairs(mapping_of(attrs), lambda v: v),
                                    at=b.at((kind, key))))
    return tuple(out)


def _uses_default_network(services: tuple) -> bool:
    return any(net.name == "default" for svc in services for net in svc.networks)


def _networks(b: Builder, data: dict, services: tuple) -> tuple:
    networks = _resources(b, "networks", data.get("networks"))
    if _uses_default_network(services) and not any(n.key == "default" for n in networks):
        implicit = TopLevelResource(key="default", at=b.at(("networks",)))
        networks = tuple(sorted(networks + (implicit,), key=lambda n: n.key))
    return networks


def build_project(doc: Any, *, name: str, working_dir: str, files: Sequence[str]) -> Project:
    """Build the typed :class:`Project` from the final canonical compose document.

    ``name`` is the project name, ``working_dir`` the project directory (default build
    context), ``files`` the compose files read, in order. Raises :class:`UserError` with
    every invalid value (bad units, disagreeing ``mem_limit``/``deploy`` settings, ...).
    """
    b = Builder(doc)
    data = plain(doc) if isinstance(doc, dict) else {}
    services = tuple(_service(b, svc_name, mapping_of(svc), working_dir)
                     for svc_name, svc in sorted(mapping_of(data.get("services")).items()))
    locator: Callable = lambda path: locate(doc, tuple(path))  # noqa: E731 - a closure on doc
    project = Project(
        name=name, working_dir=working_dir, services=services,
        volumes=_resources(b, "volumes", data.get("volumes")),
        networks=_networks(b, data, services),
        secrets=_resources(b, "secrets", data.get("secrets")),
        configs=_resources(b, "configs", data.get("configs")),
        extensions=tuple(sorted((k, v) for k, v in data.items() if str(k).startswith("x-"))),
        files=tuple(files), locator=locator)
    if b.errors:
        raise UserError(sorted(b.errors, key=lambda d: d.sort_key()))
    return project
