"""Read the ``x-ecs`` extension (top level and per service) and its ``x-aws-*`` aliases.

``x-ecs`` is validated against ``schemas/x-ecs.json`` with located errors. Docker's retired
ECS integration put its settings under ``x-aws-*`` keys in several places (top level, service,
``deploy``, ``deploy.update_config``, ports, secrets); each one is an alias of an ``x-ecs``
setting with the same meaning, so the rest of the lowering only ever reads :class:`Settings`.
When both spellings are given, ``x-ecs`` wins and an info finding says so.
"""
from __future__ import annotations

import difflib
import json
from dataclasses import field
from functools import lru_cache
from typing import Any, Callable

from .. import package_data
from ..compose.source import plain
from ..errors import FindingSink, Location, Severity, UserError, diagnostic
from ..records import record

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                  2192, 2557, 2922, 3288, 3653)


@lru_cache(maxsize=1)
def schema() -> dict:
    """The x-ecs JSON schema shipped in the package."""
    text = package_data.read_text("schemas", "x-ecs.json")
    return json.loads(text)


@record(frozen=False, slots=False)
class Settings:
    """Normalised x-ecs settings with the location each one came from."""

    values: dict = field(default_factory=dict)
    locs: dict = field(default_factory=dict)
    fallback: Location = Location()

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def loc(self, key: str) -> Location:
        return self.locs.get(key, self.fallback)

    def __contains__(self, key: str) -> bool:
        return key in self.values


def _validator(definition: str):
    import jsonschema

    sub = dict(schema())
    sub["$ref"] = f"#/definitions/{definition}"
    return jsonschema.Draft7Validator(sub)


def validate(data: Any, definition: str, path: tuple, locate: Callable) -> None:
    """Validate ``data`` against a schema definition; raise UserError with every problem."""
    errors = sorted(_validator(definition).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        return
    diags = []
    for err in errors:
        where = locate(*path, *err.absolute_path)
        diags.append(diagnostic(where, f"invalid x-ecs setting: {_plain_message(err)}",
                                "see docs/x-ecs.md for the keys x-ecs accepts"))
    raise UserError(diags)


def _plain_message(err) -> str:
    if err.validator == "additionalProperties":
        return err.message.replace("Additional properties are not allowed", "unknown key")
    if err.validator in ("oneOf", "anyOf"):
        return f"{json.dumps(err.instance)[:80]} is not one of the accepted forms"
    return err.message


def _validate_alias(key: str, value: Any, path: tuple, locate: Callable) -> None:
    import jsonschema

    sub = schema()["definitions"]["aws"].get(key)
    if sub is None:
        return
    diags = [diagnostic(locate(*path, *err.absolute_path), f"invalid {key}: {_plain_message(err)}",
                        "see docs/x-ecs.md (x-aws-* aliases)")
             for err in jsonschema.Draft7Validator(sub).iter_errors(value)]
    if diags:
        raise UserError(diags)


def _retention(value: int, at: Location, sink: FindingSink, service: str = "") -> int:
    """x-aws-logs_retention accepted any number (0 = keep forever); CloudWatch accepts a list."""
    if value in RETENTION_DAYS:
        return value
    chosen = next((d for d in RETENTION_DAYS if d >= value and value > 0), RETENTION_DAYS[-1])
    sink.add(Severity.LOSSY, at, f"log retention {value} days is not a CloudWatch value; using {chosen}",
             "use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, … 3653", service)
    return chosen


def _load_balancer(value: str, at: Location, sink: FindingSink) -> str:
    """Docker's integration also took a load balancer's name; offline only an ARN can be used."""
    if not value.startswith("arn:"):
        sink.add(Severity.INFO, at, f"x-aws-loadbalancer names load balancer {value!r}, not its ARN; the "
                 "CloudFormation parameter LoadBalancerArn gets no default",
                 "set x-ecs load_balancer_arn to the load balancer's ARN, or pass LoadBalancerArn when deploying")
    return value


# Top-level aliases: x-aws key → (x-ecs key, converter(value, at, sink)).
PROJECT_ALIASES = {
    "x-aws-cluster": ("cluster", lambda v, at, s: {"name": v, "existing": True}),
    "x-aws-vpc": ("vpc_id", lambda v, at, s: v),
    "x-aws-loadbalancer": ("load_balancer_arn", lambda v, at, s: _load_balancer(v, at, s)),
    "x-aws-logs_retention": ("log_retention", _retention),
    "x-aws-cloudformation": ("cloudformation", lambda v, at, s: v),
}


def _autoscaling(value: dict, at, sink) -> dict:
    out = {k: v for k, v in value.items() if k != "mem"}
    if "mem" in value:
        out["memory"] = value["mem"]
    return out


# Service aliases: x-aws key → (x-ecs key, converter). Policies accumulate (see _merge).
SERVICE_ALIASES = {
    "x-aws-role": ("policies", lambda v, at, s: [v]),
    "x-aws-policies": ("policies", lambda v, at, s: list(v)),
    "x-aws-pull_credentials": ("pull_credentials", lambda v, at, s: v),
    "x-aws-autoscaling": ("autoscaling", _autoscaling),
    "x-aws-min_percent": ("min_percent", lambda v, at, s: v),
    "x-aws-max_percent": ("max_percent", lambda v, at, s: v),
    "x-aws-protocol": ("protocol", lambda v, at, s: v),
}
ACCUMULATE = {"policies"}
# Every x-aws-* key read somewhere (x-aws-keys: by ecs/secrets.py, on a top-level secret).
KNOWN_AWS_KEYS = tuple(sorted({*PROJECT_ALIASES, *SERVICE_ALIASES, "x-aws-keys"}))


def _suffix(key: str) -> str:
    """Compare what follows ``x-aws`` (the shared prefix would make every key look close)."""
    return key.lower()[5:].lstrip("-_").replace("-", "_")


_SUFFIXES = {_suffix(k): k for k in KNOWN_AWS_KEYS}


def report_unknown_aws_keys(pairs, path: tuple, locate: Callable, sink: FindingSink,
                            service: str = "") -> None:
    """An ``x-aws-*`` key nobody reads (a typo: ``x-aws-vcp``) is an *unsupported* finding
    with a did-you-mean, so ``--strict`` fails on it; other ``x-*`` keys stay free-form."""
    for key, _value in pairs or ():
        key = str(key)
        if not key.lower().startswith("x-aws") or key in KNOWN_AWS_KEYS:
            continue
        close = difflib.get_close_matches(_suffix(key), _SUFFIXES, n=1, cutoff=0.6)
        hint = f"did you mean {_SUFFIXES[close[0]]}? " if close else ""
        sink.add(Severity.UNSUPPORTED, locate(*path, key), f"unknown key {key} is ignored",
                 hint + "docs/x-ecs.md lists the x-aws-* keys compose2ecs reads", service)


def project_settings(project, sink: FindingSink) -> Settings:
    """Top-level x-ecs plus the top-level x-aws-* aliases, validated."""
    raw = plain(project.extension("x-ecs"))
    settings = Settings(fallback=project.locate("x-ecs"))
    if raw is not None:
        validate(raw, "project", ("x-ecs",), project.locate)
        for key, value in raw.items():
            settings.values[key] = value
            settings.locs[key] = project.locate("x-ecs", key)
    report_unknown_aws_keys(project.extensions, (), project.locate, sink)
    for secret in project.secrets:
        report_unknown_aws_keys(secret.attrs, ("secrets", secret.key), project.locate, sink)
    for alias, (key, convert) in PROJECT_ALIASES.items():
        value = plain(project.extension(alias))
        if value is not None:
            _merge(settings, alias, key, value, convert, ("x-ecs",), (alias,), project.locate, sink, "")
    return settings


def service_settings(project, service, sink: FindingSink) -> Settings:
    """A service's x-ecs plus its x-aws-* aliases (service, deploy, deploy.update_config)."""
    base = ("services", service.name)
    settings = Settings(fallback=project.locate(*base))
    raw = plain(service.get("x-ecs"))
    if raw is not None:
        validate(raw, "service", base + ("x-ecs",), project.locate)
        for key, value in raw.items():
            settings.values[key] = value
            settings.locs[key] = project.locate(*base, "x-ecs", key)
    for i, port in enumerate(getattr(service, "ports", ()) or ()):
        report_unknown_aws_keys(getattr(port, "extensions", ()), base + ("ports", i),
                                project.locate, sink, service.name)
    for where, pairs in _alias_sources(service):
        report_unknown_aws_keys(pairs, base + where, project.locate, sink, service.name)
        for alias, value in pairs:
            if alias in SERVICE_ALIASES and value is not None:
                key, convert = SERVICE_ALIASES[alias]
                _merge(settings, alias, key, plain(value), convert, base + ("x-ecs",),
                       base + where + (alias,), project.locate, sink, service.name)
    return settings


def _alias_sources(service) -> list:
    deploy = service.deploy
    return [((), service.extra),
            (("deploy",), getattr(deploy, "extensions", ()) or ()),
            (("deploy", "update_config"), tuple(p for p in deploy.update_config if str(p[0]).startswith("x-")))]


def _merge(settings: Settings, alias: str, key: str, value: Any, convert: Callable,
           xecs_path: tuple, alias_path: tuple, locate: Callable, sink: FindingSink, service: str):
    at = locate(*alias_path)
    _validate_alias(alias, value, alias_path, locate)
    converted = convert(value, at, sink) if convert is not _retention else _retention(value, at, sink, service)
    if key in ACCUMULATE:
        settings.values[key] = list(settings.values.get(key, [])) + converted
        settings.locs.setdefault(key, at)
        return
    if key in settings.values:
        sink.add(Severity.INFO, at, f"{alias} is ignored because x-ecs.{key} is also set",
                 f"remove {alias}; x-ecs.{key} wins", service)
        return
    settings.values[key] = converted
    settings.locs[key] = at
