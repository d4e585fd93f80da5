"""Compose secrets → container ``secrets`` (environment variables read from Secrets Manager/SSM).

ECS injects a secret only as an environment variable at container start, so a compose
secret becomes a *file* through the task's init container (ecs/files.py). Only a secret the
service maps to a variable (``x-ecs.secrets: {<secret>: NAME}``) or one listing
``x-aws-keys`` is injected as environment variables here: the variable is named after the
target's basename upper-cased (``/run/secrets/db_password`` → ``DB_PASSWORD``) unless named.

``valueFrom`` comes from, in order: top-level ``x-ecs.secrets.<key>``, an ``external`` secret's
``name`` (a Secrets Manager/SSM ARN, or an SSM parameter name), else a placeholder ARN the
deployer replaces with the secret it stores (aws/secrets.py). A file secret is read only to
tell text from binary (``encoding``); its value is never kept.
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


def as_environment(ctx: Ctx, unit: Unit, key: str) -> bool:
    """True when ``key`` is injected as environment variables rather than written as a file:
    the service names a variable for it (x-ecs.secrets) or it lists JSON keys (x-aws-keys)."""
    if key in (unit.settings.get("secrets") or {}):
        return True
    resource = ctx.project.resource("secrets", key)
    return bool(resource is not None and resource.get("x-aws-keys"))


def container_secrets(ctx: Ctx, unit: Unit) -> tuple:
    """SecretRefs injected as environment variables into the container (x-ecs.secrets names a
    variable, or the secret lists x-aws-keys); every other secret is a file (ecs/files.py)."""
    out = []
    overrides = unit.settings.get("secrets") or {}
    for i, ref in enumerate(unit.service.secrets):
        if not as_environment(ctx, unit, ref.source):
            continue
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
        ctx.info(unit, ("secrets", i), f"secret {ref.source!r} is injected as environment variable"
                 f"{'s' if len(made) > 1 else ''} {variables} (x-ecs), not as a file",
                 f"remove x-ecs.secrets.{ref.source} (and x-aws-keys) to get the file instead")
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
        value_from = reference(configured)
        spec = SecretSpec(key, value_from, _store(value_from))
    elif resource.external:
        spec = _external(ctx, key, str(name or key))
    else:
        spec = _created(ctx, key, resource)
    ctx.secrets[key] = spec
    return spec


def reference(configured) -> str:
    """x-ecs ``secrets.<key>``: a valueFrom string, or ``{arn|ssm, json_key, version_stage,
    version_id}`` → ``arn:…:secret:NAME-AbCdEf:json-key:version-stage:version-id``."""
    if isinstance(configured, str):
        return configured
    if "ssm" in configured:
        return str(configured["ssm"])
    suffix = [str(configured.get(k) or "") for k in ("json_key", "version_stage", "version_id")]
    return str(configured["arn"]) + (":" + ":".join(suffix) if any(suffix) else "")


def store_name(project: str, kind: str, key: str) -> str:
    """The name deploy gives a value it stores: ``compose2ecs/<project>/<key>`` (Secrets Manager)
    or ``/compose2ecs/<project>/configs/<key>`` (SSM)."""
    if kind == "secret":
        return f"compose2ecs/{_safe(project)}/{_safe(key)}"
    def part(text: str) -> str:  # SSM names allow letters, digits and . - _ / only
        return re.sub(r"[^A-Za-z0-9_.-]+", "-", text)

    return f"/compose2ecs/{part(project)}/configs/{part(key)}"


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
                    f"deploy stores it, or create it and set x-ecs.secrets.{key} to its ARN")
    ctx.info(None, ("secrets", key), f"secret {key!r} comes from {source}; deploy stores its value in Secrets "
             f"Manager as {store_name(ctx.project.name, 'secret', key)}; convert never uploads values (the task "
             "definition refers to a placeholder ARN)", f"deploy the project, or set x-ecs.secrets.{key}")
    return SecretSpec(key, value, "secretsmanager", True, resource.get("file"), resource.get("environment"),
                      "secret", encoding(resource.get("file")), store_name(ctx.project.name, "secret", key))


def encoding(path) -> str:
    """``base64`` for a file that is not UTF-8 text without NUL (ECS secrets are strings), else
    ``text``. Reads the file only to decide this; the value is not kept."""
    if not path:
        return "text"
    from ..compose.limits import read_input_file

    try:
        raw = read_input_file(str(path), str(path), "secret file")
    except FileNotFoundError:
        return "text"  # deploy says the file is missing
    return "text" if is_text(raw) else "base64"


def is_text(raw: bytes) -> bool:
    """True when ``raw`` can be an ECS secret string as it is (UTF-8, no NUL)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\0" not in raw


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9/_+=.@-]+", "-", text)
