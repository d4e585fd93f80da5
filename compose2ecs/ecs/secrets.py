"""Compose secrets → container ``secrets`` (environment variables read from Secrets Manager/SSM).

Fargate cannot mount secret files under ``/run/secrets``; ECS injects a secret as an
environment variable at container start. The variable is named after the target file's
basename upper-cased (``/run/secrets/db_password`` → ``DB_PASSWORD``) unless
``x-ecs.secrets: {<secret>: NAME}`` says otherwise.

``valueFrom`` comes from, in order: top-level ``x-ecs.secrets.<key>``, an ``external`` secret's
``name`` (a Secrets Manager/SSM ARN, or an SSM parameter name), else a placeholder ARN the
CloudFormation stack replaces with a secret it creates. A file/environment secret's value is
never read: only its path is kept, for the report.
"""
from __future__ import annotations

import re

from .context import Ctx, Unit
from .model import SecretRef, SecretSpec

_ENV_BAD = re.compile(r"[^A-Za-z0-9_]+")


def env_name(target: str) -> str:
    """``/run/secrets/db-password.txt`` → ``DB_PASSWORD_TXT``."""
    base = target.rstrip("/").rsplit("/", 1)[-1]
    name = _ENV_BAD.sub("_", base).upper().strip("_") or "SECRET"
    return f"_{name}" if name[0].isdigit() else name


def container_secrets(ctx: Ctx, unit: Unit) -> tuple:
    """SecretRefs of one container; registers each SecretSpec on the context."""
    out = []
    overrides = unit.settings.get("secrets") or {}
    for i, ref in enumerate(unit.service.secrets):
        spec = secret_spec(ctx, ref.source)
        if spec is None:
            ctx.unsupported(unit, ("secrets", i), f"secret {ref.source!r} is not defined at the top level; dropped",
                            "declare it under secrets:")
            continue
        name = overrides.get(ref.source) or env_name(ref.target or ref.source)
        keys = _keys(ctx, ref.source)
        made = [SecretRef(f"{name}_{env_name(k)}", f"{spec.value_from}:{k}::", spec.key) for k in keys] \
            or [SecretRef(name, spec.value_from, spec.key)]
        out += made
        variables = ", ".join(r.name for r in made)
        target = ref.target or ref.source
        target = target if target.startswith("/") else f"/run/secrets/{target}"
        ctx.lossy(unit, ("secrets", i), f"secret {ref.source!r} is injected as environment variable"
                  f"{'s' if len(made) > 1 else ''} {variables}, "
                  f"not as the file {target} (ECS cannot mount secret files)",
                  f"read ${made[0].name} in the application, or set x-ecs.secrets.{ref.source} to another name")
    return tuple(sorted(out, key=lambda s: s.name))


def _keys(ctx: Ctx, key: str) -> list:
    resource = ctx.project.resource("secrets", key)
    keys = list(resource.get("x-aws-keys") or ()) if resource is not None else []
    if "*" in keys:
        ctx.info(None, ("secrets", key, "x-aws-keys"), "x-aws-keys '*' injects the whole JSON secret as one "
                 "variable: keys cannot be listed offline", "list the keys you need")
        return []
    return [str(k) for k in keys]


def secret_spec(ctx: Ctx, key: str):
    """The project-wide SecretSpec for compose secret ``key`` (None when undefined)."""
    if key in ctx.secrets:
        return ctx.secrets[key]
    resource = ctx.project.resource("secrets", key)
    if resource is None:
        return None
    configured = (ctx.top.get("secrets") or {}).get(key)
    name = resource.get("name")
    if configured:
        spec = SecretSpec(key, configured, _store(configured))
    elif resource.external:
        spec = _external(ctx, key, str(name or key))
    else:
        spec = _created(ctx, key, resource)
    ctx.secrets[key] = spec
    return spec


def _store(value_from: str) -> str:
    return "secretsmanager" if value_from.startswith("arn:") and ":secretsmanager:" in value_from else "ssm"


def _external(ctx: Ctx, key: str, name: str) -> SecretSpec:
    if not name.startswith("arn:"):
        ctx.info(None, ("secrets", key), f"external secret {name!r} is read as an SSM parameter name "
                 "(Secrets Manager needs a full ARN)", f"set x-ecs.secrets.{key} to the secret's ARN if it "
                 "lives in Secrets Manager")
    return SecretSpec(key, name, _store(name))


def _created(ctx: Ctx, key: str, resource) -> SecretSpec:
    region = ctx.region
    value = f"arn:aws:secretsmanager:{region}:000000000000:secret:REPLACE-ME-{_safe(ctx.project.name)}-{_safe(key)}"
    source = resource.get("file") or (f"environment variable {resource.get('environment')}"
                                      if resource.get("environment") else "inline content")
    ctx.placeholder(value, f"Secrets Manager secret for compose secret {key!r}",
                    f"create it (the CloudFormation format does) and set x-ecs.secrets.{key} to its ARN")
    ctx.info(None, ("secrets", key), f"secret {key!r} comes from {source}; convert never uploads secret values, "
             "the task definition refers to a placeholder ARN", f"create the secret and set x-ecs.secrets.{key}")
    return SecretSpec(key, value, "secretsmanager", True, resource.get("file"))


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9/_+=.@-]+", "-", text)
