"""Deploy stores the values of the project's secrets and configs (issue 16), both paths.

Each compose secret with a ``file:`` or ``environment:`` source becomes a Secrets Manager
secret named ``compose2ecs/<project>/<key>``; each config an SSM parameter
``/compose2ecs/<project>/configs/<key>`` (Secrets Manager above SSM's 4 KiB). A value is
compared through a salted PBKDF2-SHA-256 fingerprint kept in the ``compose2ecs:sha256`` tag
(see :func:`digest`), never by reading it back:
an unchanged value costs describe calls only, so a no-op redeploy makes 0 mutating calls.
A changed value is written (``PutSecretValue``/``PutParameter``) and the services whose tasks
read it are redeployed (tasks read secrets only at start). ``external`` secrets and x-ecs
references are only referred to, never written.

No value is kept after use, and none reaches an action, a plan, progress or an exception:
actions name the store and the source file; AWS errors raised while writing are scrubbed.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import replace
from typing import Mapping, Optional

from ..errors import AwsError, Location, UserError
from .errors import aws_errors, error_code
from .ownership import Clash, is_ours, owner
from ..records import record

HASH_TAG = "compose2ecs:sha256"
PENDING_SUFFIX = "-??????"  # Secrets Manager appends "-" and 6 random characters to a new secret's ARN
LIMITS = {"secretsmanager": 65536, "ssm": 4096}  # bytes of one value
STORE_WORDS = {"secretsmanager": "Secrets Manager", "ssm": "SSM parameter"}


@record(frozen=False, slots=False)
class Stored:
    """What planning learned about one stored value (never the value itself)."""

    key: str  # SecretSpec.key
    name: str  # secret name / parameter name
    store: str  # secretsmanager | ssm
    digest: str
    arn: str = ""  # the live secret's ARN ('' until created)


def value_of(spec, environ: Optional[Mapping] = None) -> str:
    """The string to store for ``spec``: the file's text (base64 for binary, as the init
    container decodes), the named environment variable, or a config's inline content."""
    where = Location(key_path=("configs" if spec.kind == "config" else "secrets", spec.key.split(":", 1)[-1]))
    if spec.source_file:
        from ..compose.limits import read_input_file

        try:
            raw = read_input_file(str(spec.source_file), str(spec.source_file), f"{spec.kind} file")
        except FileNotFoundError:
            raise UserError.at(where, f"the {spec.kind} file {spec.source_file} does not exist",
                               "create it, or point file: at the file holding the value") from None
        return base64.b64encode(raw).decode("ascii") if spec.encoding == "base64" else raw.decode("utf-8")
    if spec.source_env:
        environ = os.environ if environ is None else environ
        if spec.source_env not in environ:
            raise UserError.at(where, f"the environment variable {spec.source_env} the {spec.kind} reads is not set",
                               f"export {spec.source_env} before deploying")
        return str(environ[spec.source_env])
    if spec.source_content is not None:
        return spec.source_content
    raise UserError.at(where, f"{spec.kind} {spec.key} has no file, environment or content to store",
                       "give it file:, environment: (or content: for a config), or mark it external: true")


# The tag is readable with secretsmanager:DescribeSecret / ssm:ListTagsForResource, far less than
# reading the value: a bare SHA-256 of a weak password would be guessed offline at billions per
# second. PBKDF2-HMAC-SHA-256, salted with the store name, costs a guesser (and a deploy) ~0.1 s
# per try; it still changes exactly when the value does.
DIGEST_ITERATIONS = 200_000
DIGEST_PREFIX = f"pbkdf2-sha256:{DIGEST_ITERATIONS}:"


def digest(value: str, name: str) -> str:
    """The fingerprint kept in the tag for ``value`` stored as ``name``."""
    key = hashlib.pbkdf2_hmac("sha256", value.encode("utf-8"), f"compose2ecs:{name}".encode("utf-8"),
                              DIGEST_ITERATIONS)
    return DIGEST_PREFIX + key.hex()


def stand_in_arn(name: str, region: str, account: str) -> str:
    """The ARN of a secret deploy is about to create, as an IAM pattern (the suffix is random)."""
    from ..emit.secret_policy import partition_of

    return f"arn:{partition_of(region)}:secretsmanager:{region}:{account}:secret:{name}{PENDING_SUFFIX}"


def plan_values(project, clients, live, make_action, kinds, environ=None) -> tuple:
    """``(project with real valueFroms, actions)``: one action per stored value (``kinds`` =
    (create, update, no change)); live.stored / live.clashes are filled in. Describe calls only."""
    specs = [s for s in project.secrets if s.create]
    if not specs:
        return project, []
    create, update, same = kinds
    with aws_errors("account"):
        account = clients.sts.get_caller_identity()["Account"]
    actions, arns = [], {}
    for spec in specs:
        value = value_of(spec, environ)
        _check_size(spec, value)
        found, tags = _find(clients, spec)
        item = Stored(spec.key, spec.store_name, spec.store, digest(value, spec.store_name))
        del value
        if found is not None and not is_ours(tags, project.name):
            live.clashes.append(Clash("secret", spec.store_name, owner(tags)))
        if spec.store == "secretsmanager":
            item.arn = (found or {}).get("ARN", "")
            arns[spec.value_from] = item.arn or stand_in_arn(spec.store_name, clients.region, account)
        else:
            arns[spec.value_from] = spec.store_name
        live.stored[spec.key] = item
        source = os.path.basename(spec.source_file) if spec.source_file else \
            (f"${spec.source_env}" if spec.source_env else "inline content")
        where = f"{STORE_WORDS[spec.store]}, {spec.kind} {spec.key.split(':', 1)[-1]} from {source}"
        if found is None:
            actions.append(make_action("secret", spec.store_name, create, where))
        elif tags.get(HASH_TAG) != item.digest:
            actions.append(make_action("secret", spec.store_name, update, f"{where}: value changed"))
        else:
            actions.append(make_action("secret", spec.store_name, same, f"{where}: value unchanged"))
    return resolve(project, arns), actions


def _check_size(spec, value: str) -> None:
    size, limit = len(value.encode("utf-8")), LIMITS[spec.store]
    if size > limit:
        raise UserError.at(Location(key_path=(spec.kind + "s", spec.key.split(":", 1)[-1])),
                           f"the {spec.kind}'s value is {size} bytes; {STORE_WORDS[spec.store]} holds at most {limit}",
                           "keep large files in the image or on a volume")


def _find(clients, spec) -> tuple:
    """(the live secret/parameter description or None, its tags)."""
    name = spec.store_name
    if spec.store == "ssm":
        with aws_errors(f"parameter {name}"):
            found = clients.ssm.describe_parameters(
                ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}])["Parameters"]
            if not found:
                return None, {}
            tags = clients.ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
        return found[0], {t["Key"]: t["Value"] for t in tags}
    try:
        found = clients.secretsmanager.describe_secret(SecretId=name)
    except Exception as error:  # botocore ClientError: ResourceNotFound means "absent", not failure
        if error_code(error) == "ResourceNotFoundException":
            return None, {}
        with aws_errors(f"secret {name}"):
            raise
    if found.get("DeletedDate"):
        raise AwsError(f"secret {name}", "the secret is scheduled for deletion (an earlier down --all)",
                       f"restore it: aws secretsmanager restore-secret --secret-id {name}, then deploy again")
    return found, {t["Key"]: t["Value"] for t in found.get("Tags") or []}


def resolve(project, arns: Mapping):
    """``project`` with each placeholder valueFrom in ``arns`` replaced (specs and containers)."""
    if not arns:
        return project

    def swap(ref):
        return replace(ref, value_from=arns.get(ref.value_from, ref.value_from))

    tds = []
    for td in project.task_definitions:
        containers = tuple(replace(c, secrets=tuple(swap(s) for s in c.secrets)) for c in td.containers)
        tds.append(replace(td, containers=containers))
    specs = tuple(replace(swap(s), create=False) if s.value_from in arns else s for s in project.secrets)
    holders = tuple(p for p in project.placeholders if p.value not in arns)
    return replace(project, task_definitions=tuple(tds), secrets=specs, placeholders=holders)


def readers(project, changed: set) -> dict:
    """ECS service name → sorted keys of the changed values its task reads."""
    out = {}
    for service in project.services:
        td = project.task_definition(service.task_definition)
        keys = sorted({s.secret for c in td.containers for s in c.secrets if s.secret in changed})
        if keys:
            out[service.name] = keys
    return out


@contextmanager
def _scrubbed(value: str, resource: str):
    """AWS errors while writing, with the value (should AWS echo it) replaced by <value>."""
    try:
        with aws_errors(resource):
            yield
    except AwsError as error:
        if value and (value in str(error) or value in (error.hint or "")):
            raise AwsError(resource, error.message.replace(value, "<value>"), error.hint.replace(value, "<value>"),
                           code=error.code) from None
        raise


def store(clients, project, action, item: Stored, spec, tags: list, environ=None) -> str:
    """Write one value (create or update); returns the secret's ARN or the parameter name."""
    value = value_of(spec, environ)
    item.digest = digest(value, item.name)
    hash_tag = [{"Key": HASH_TAG, "Value": item.digest}]
    with _scrubbed(value, f"{action.resource} {item.name}"):
        if item.store == "ssm":
            ssm = clients.ssm
            if action.kind == "create":
                ssm.put_parameter(Name=item.name, Value=value, Type="String", Tags=tags + hash_tag,
                                  Description=f"compose {spec.kind} of compose2ecs project {project.name}")
            else:
                ssm.put_parameter(Name=item.name, Value=value, Type="String", Overwrite=True)
                ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId=item.name, Tags=hash_tag)
            return item.name
        sm = clients.secretsmanager
        if action.kind == "create":
            item.arn = sm.create_secret(Name=item.name, SecretString=value, Tags=tags + hash_tag,
                                        Description=f"compose {spec.kind} {spec.key} of compose2ecs project "
                                                    f"{project.name}")["ARN"]
        else:
            sm.put_secret_value(SecretId=item.arn or item.name, SecretString=value)
            sm.tag_resource(SecretId=item.arn or item.name, Tags=hash_tag)
        return item.arn


def substitute(body, old: str, new: str):
    """``body`` (a request dict) with the string ``old`` replaced by ``new`` wherever it is a value."""
    return json.loads(json.dumps(body).replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1]))


def restarts(project, actions: list, live, update: str, same: str) -> None:
    """Services whose tasks read a changed value are redeployed (``live.force_new``)."""
    changed = {key for key, item in live.stored.items()
               if any(a.resource == "secret" and a.name == item.name and a.kind == update for a in actions)}
    for name, keys in readers(project, changed).items():
        live.force_new.add(name)
        for action in actions:
            if action.resource == "service" and action.name == name and action.kind == same:
                action.kind, action.reason = update, f"restart: reads changed {', '.join(keys)}"


def apply_values(deployer, plan, actions: list) -> None:
    """The apply step: write each created/changed value, then put the real ARNs of new
    secrets into the task definitions and the execution role's policy."""
    from .actions import project_tags

    live, swaps = plan.live, {}
    specs = {s.key: s for s in plan.project.secrets}
    by_name = {item.name: item for item in live.stored.values()}
    for action in (a for a in actions if a.kind in ("create", "update")):
        item = by_name[action.name]
        deployer.progress.event("secret", action.name, "storing", action.reason)
        old = next((s.value_from for s in plan.project.secrets if s.key == item.key), "")
        new = store(deployer.clients, plan.project, action, item, specs[item.key], project_tags(plan.project))
        if item.store == "secretsmanager" and old != new:
            swaps[old] = new
        deployer.progress.event("secret", action.name, "stored")
    if not swaps:
        return
    plan.project = resolve(plan.project, swaps)
    for old, new in swaps.items():
        live.desired = {family: substitute(body, old, new) for family, body in live.desired.items()}
    if live.secrets_policy:
        from ..emit.secret_policy import concrete, policy_document

        account = next(iter(swaps.values())).split(":")[4]
        live.secrets_policy = policy_document(plan.project, concrete(deployer.clients.region, account))


@record(frozen=False, slots=False)
class _Step:
    """What apply_values needs of a Deployer (clients, progress) on the CloudFormation path."""

    clients: object
    progress: object


def stack_values(ecs, clients, progress, dry_run: bool) -> tuple:
    """``deploy --via cloudformation``: store the values before the stack (same code as the api
    path), so the template refers to the real secrets and never creates placeholders.
    Returns ``(ecs with real valueFroms, services to restart after the stack)``."""
    from .ownership import refuse
    from .actions import CREATE, NO_CHANGE, UPDATE, Action, Live, Plan

    live = Live()
    resolved, actions = plan_values(ecs, clients, live, Action, (CREATE, UPDATE, NO_CHANGE))
    refuse(ecs.name, live.clashes)
    if dry_run or not actions:
        return resolved, []
    plan = Plan(resolved, actions, live)
    apply_values(_Step(clients, progress), plan, actions)
    changed = {k for k, item in live.stored.items() if any(a.name == item.name and a.kind == UPDATE for a in actions)}
    return plan.project, sorted(readers(plan.project, changed))


def restart_services(clients, cluster: str, names: list, progress) -> None:
    """Start a new deployment of ``names`` (their tasks read a value that changed)."""
    for name in names:
        progress.event("service", name, "restarting", "a secret or config value it reads changed")
        with aws_errors(f"service {name}"):
            clients.ecs.update_service(cluster=cluster, service=name, forceNewDeployment=True)
