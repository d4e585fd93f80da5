"""`deploy --via cloudformation`: the generated template, applied through a change set.

Create or update always goes through a change set, which is shown before it runs. "No
changes" is success. Stack events are streamed per resource with their reasons. A failed
stack is *never* deleted here (the evidence stays; `down` removes it when asked), and
``--no-rollback`` keeps even the half-created resources. Templates over 51,200 bytes cannot
be sent inline and are uploaded to ``--s3-bucket`` first; so are the nested templates of a
project past CloudFormation's limits (what ``aws cloudformation package`` does for the bundle):
each under a key named by its content, and the root's ``TemplateURL``s point there.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from dataclasses import field
from typing import Callable, Optional

from ..errors import AwsError
from .errors import aws_errors, error_code
from .plan import project_tags
from .progress import NullProgress, Progress
from ..records import record

INLINE_LIMIT = 51_200
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
OK_STATES = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"}
FAILED_STATES = {"CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "UPDATE_ROLLBACK_COMPLETE",
                 "UPDATE_ROLLBACK_FAILED", "UPDATE_FAILED", "DELETE_FAILED", "IMPORT_ROLLBACK_COMPLETE"}
# A stack that never got created: it cannot be updated, only inspected and deleted.
DEAD_STATES = {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", "DELETE_FAILED"}
NO_CHANGES = ("didn't contain changes", "No updates are to be performed", "no changes")


@record(slots=False)
class StackOptions:
    dry_run: bool = False
    no_rollback: bool = False
    s3_bucket: Optional[str] = None
    timeout: float = 3600.0
    poll_seconds: float = 5.0


@record(frozen=False, slots=False)
class StackResult:
    stack: str
    changed: bool
    changes: list = field(default_factory=list)  # (action, logical id, type, replacement)
    status: str = ""
    outputs: dict = field(default_factory=dict)

    def data(self) -> dict:
        return {"stack": self.stack, "changed": self.changed, "status": self.status,
                "changes": [dict(zip(("action", "logical_id", "type", "replacement"), c)) for c in self.changes],
                "outputs": self.outputs}


def stack_name(project_name: str) -> str:
    """A valid stack name: letters, digits, hyphens, starting with a letter."""
    name = re.sub(r"[^A-Za-z0-9-]", "-", project_name)
    return name if name[:1].isalpha() else f"c2e-{name}"


def templates_for(ecs) -> tuple:
    """``(root template, {relative file name: nested template})`` from the CloudFormation emitter."""
    from ..emit.cloudformation import build_templates, root_file

    templates = build_templates(ecs, fmt="json")
    return templates.pop(root_file("json")), templates


def with_uploaded_nested(root: dict, urls: dict) -> dict:
    """``root`` with each nested stack's local ``TemplateURL`` replaced by its uploaded URL."""
    resources = dict(root.get("Resources", {}))
    for rid, resource in resources.items():
        url = (resource.get("Properties") or {}).get("TemplateURL") if resource.get("Type") == \
            "AWS::CloudFormation::Stack" else None
        if url in urls:
            resources[rid] = dict(resource, Properties=dict(resource["Properties"], TemplateURL=urls[url]))
    return dict(root, Resources=resources)


def dump(template: dict) -> str:
    from ..emit.cloudformation import dump_template

    return dump_template(template, "json")


def stack_parameters(template: dict, known: dict) -> list:
    """Parameters for the stack: ``known`` values for the template's parameters; a required
    parameter (no Default) we cannot fill is an error naming it."""
    declared = template.get("Parameters", {})
    missing = sorted(k for k, v in declared.items() if "Default" not in v and k not in known)
    if missing:
        hints = "; ".join(f"{k}: {declared[k].get('Description', '')}".rstrip(": ") for k in missing)
        raise AwsError("stack parameters", f"no value for {', '.join(missing)}",
                       f"set them in the compose file's x-ecs settings ({hints})")
    return [{"ParameterKey": k, "ParameterValue": str(v)} for k, v in sorted(known.items()) if k in declared]


def refuse_placeholders(ecs, template: dict, known: dict) -> None:
    """A placeholder left as a parameter's default (a ``<timezone>`` copied from a README, the
    image of a build-only service) stands for a value only the user knows: refuse, as the api
    path does, before any call."""
    from ..errors import Location, UserError

    holders = {p.value: p for p in ecs.placeholders}
    declared = template.get("Parameters", {})
    for name in sorted(declared):
        holder = holders.get(declared[name].get("Default"))
        if holder is not None and name not in known:
            raise UserError.at(Location(key_path=("stack parameter", name)),
                               f"{holder.what} is still the placeholder {holder.value}; deploy needs the real value",
                               holder.how)


@record(frozen=False, slots=False)
class StackDeployer:
    cfn: object
    s3: object = None
    progress: Progress = field(default_factory=NullProgress)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time

    def deploy(self, project, body: str, options: StackOptions = StackOptions(),
               parameters: tuple = ()) -> StackResult:
        """Create/update the stack of ``project`` with template ``body`` via a change set."""
        name = stack_name(project.name)
        status = self._status(name)
        if status in DEAD_STATES:
            raise AwsError(f"stack {name}", f"the stack is {status} from an earlier failed deploy; it was kept for inspection",
                           f"inspect: aws cloudformation describe-stack-events --stack-name {name}; "
                           f"remove it with `compose2ecs down -p {project.name}`, then deploy again", code=status)
        if status and status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
            raise AwsError(f"stack {name}", f"another operation is running ({status})",
                           "wait for it to finish and run deploy again", code=status)
        if status:
            self._refuse_foreign(project, name)
        kind = "UPDATE" if status and status != "REVIEW_IN_PROGRESS" else "CREATE"
        change_set = f"compose2ecs-{hashlib.sha256(body.encode()).hexdigest()[:12]}-{uuid.uuid4().hex[:8]}"
        self._create_change_set(project, name, change_set, kind, body, options, list(parameters))
        described = self._wait_change_set(name, change_set)
        if described is None:
            self.progress.note(f"stack {name}: no changes")
            return StackResult(name, False, status=status or "")
        changes = [_change(c) for c in described.get("Changes", [])]
        for action, logical, rtype, replace in changes:
            self.progress.event(rtype, logical, f"will {action.lower()}", "replacement" if replace == "True" else "")
        if options.dry_run:
            self._discard(name, change_set, kind)
            return StackResult(name, True, changes, status or "")
        seen = {e["EventId"] for e in self._events(name)}  # show only what this deploy causes
        with aws_errors(f"stack {name}"):
            self.cfn.execute_change_set(ChangeSetName=change_set, StackName=name,
                                        DisableRollback=options.no_rollback)
        final = self._follow(name, seen, options)
        return StackResult(name, True, changes, final["StackStatus"],
                           {o["OutputKey"]: o["OutputValue"] for o in final.get("Outputs", [])})

    def _refuse_foreign(self, project, name: str) -> None:
        """A live stack with the project's stack name but not its tag is never updated (exit 2)."""
        from .ownership import Clash, is_ours, owner, refuse

        tags = getattr(self, "_tags", {})
        if not is_ours(tags, project.name):
            refuse(project.name, [Clash("stack", name, owner(tags))])

    def _status(self, name: str) -> Optional[str]:
        try:
            stacks = self.cfn.describe_stacks(StackName=name)["Stacks"]
        except Exception as error:
            if error_code(error) == "ValidationError":
                return None  # "Stack with id … does not exist"
            with aws_errors(f"stack {name}"):
                raise
        status = stacks[0]["StackStatus"] if stacks else None
        from .discover import tags_of

        self._tags = tags_of(stacks[0]) if stacks else {}
        return None if status == "DELETE_COMPLETE" else status

    def _create_change_set(self, project, name, change_set, kind, body, options, parameters) -> None:
        kwargs = {"StackName": name, "ChangeSetName": change_set, "ChangeSetType": kind,
                  "Parameters": parameters,
                  "Capabilities": CAPABILITIES, "Tags": project_tags(project),
                  "Description": f"compose2ecs deploy of {project.name}"}
        kwargs.update(self._template(name, body, options.s3_bucket))
        with aws_errors(f"stack {name}"):
            self.cfn.create_change_set(**kwargs)

    def _template(self, name: str, body: str, bucket: Optional[str]) -> dict:
        if len(body.encode()) <= INLINE_LIMIT:
            return {"TemplateBody": body}
        if not bucket:
            raise AwsError(f"stack {name}", f"the template is {len(body.encode())} bytes, over the "
                           f"{INLINE_LIMIT}-byte limit for inline templates", "pass --s3-bucket BUCKET to upload it")
        return {"TemplateURL": self._upload(bucket, name, body)}

    def _upload(self, bucket: str, name: str, body: str) -> str:
        """Put ``body`` under a key named by its content (a re-deploy re-uses it); its URL."""
        key = f"compose2ecs/{name}/{hashlib.sha256(body.encode()).hexdigest()}.json"
        with aws_errors(f"s3 bucket {bucket}"):
            self.s3.put_object(Bucket=bucket, Key=key, Body=body.encode())
        return f"{self.s3.meta.endpoint_url}/{bucket}/{key}"

    def upload_nested(self, project, nested: dict, bucket: Optional[str]) -> dict:
        """Upload the nested templates; ``{local TemplateURL: S3 URL}`` (nothing to do: {})."""
        if not nested:
            return {}
        name = stack_name(project.name)
        if not bucket:
            raise AwsError(f"stack {name}", f"the project needs {len(nested)} nested templates, which "
                           "CloudFormation reads from S3", "pass --s3-bucket BUCKET to upload them")
        return {local: self._upload(bucket, name, dump(template)) for local, template in sorted(nested.items())}

    def _wait_change_set(self, name: str, change_set: str) -> Optional[dict]:
        """The described change set, or None when it holds no changes."""
        while True:
            with aws_errors(f"stack {name}"):
                described = self.cfn.describe_change_set(StackName=name, ChangeSetName=change_set)
            status = described.get("Status")
            if status == "CREATE_COMPLETE":
                return described
            if status == "FAILED":
                reason = described.get("StatusReason", "")
                if any(text in reason for text in NO_CHANGES):
                    self._discard(name, change_set, None)
                    return None
                raise AwsError(f"stack {name}", f"the change set failed: {reason}",
                               "fix the template or parameters named in the reason", code="ChangeSetFailed")
            self.sleep(2)

    def _discard(self, name: str, change_set: str, kind: Optional[str]) -> None:
        with aws_errors(f"stack {name}"):
            self.cfn.delete_change_set(StackName=name, ChangeSetName=change_set)
            if kind == "CREATE":  # the empty REVIEW_IN_PROGRESS stack the change set made
                self.cfn.delete_stack(StackName=name)

    def _follow(self, name: str, seen: set, options: StackOptions) -> dict:
        """Stream stack events until the stack settles; raise with the reasons on failure."""
        failures: list = []
        deadline = self.clock() + options.timeout
        while True:
            for event in self._new_events(name, seen):
                reason = event.get("ResourceStatusReason", "")
                self.progress.event(event.get("ResourceType", ""), event["LogicalResourceId"],
                                    event["ResourceStatus"], reason)
                if event["ResourceStatus"].endswith("FAILED") and reason:
                    failures.append(f"{event['LogicalResourceId']}: {reason}")
            with aws_errors(f"stack {name}"):
                stack = self.cfn.describe_stacks(StackName=name)["Stacks"][0]
            status = stack["StackStatus"]
            if status in OK_STATES:
                return stack
            if status in FAILED_STATES:
                self._report_failure(name, status, failures)
            if self.clock() >= deadline:
                raise AwsError(f"stack {name}", f"still {status} after {int(options.timeout)} s",
                               f"watch it: aws cloudformation describe-stack-events --stack-name {name}", code="Timeout")
            # the last poll falls on the deadline, so --timeout 20 gives up after 20 s, not 25
            self.sleep(max(0.0, min(options.poll_seconds, deadline - self.clock())))

    def _events(self, name: str, seen: frozenset = frozenset()) -> list:
        """Stack events, newest first, reading pages only until one holds an event seen before."""
        out = []
        with aws_errors(f"stack {name}"):
            for page in self.cfn.get_paginator("describe_stack_events").paginate(StackName=name):
                out += page["StackEvents"]
                if not seen or any(e["EventId"] in seen for e in page["StackEvents"]):
                    break  # older history is already known (or not wanted)
        return out

    def _new_events(self, name: str, seen: set) -> list:
        fresh = [e for e in self._events(name, frozenset(seen)) if e["EventId"] not in seen]
        seen.update(e["EventId"] for e in fresh)
        return sorted(fresh, key=lambda e: (_epoch(e["Timestamp"]), e["EventId"]))

    def _report_failure(self, name: str, status: str, failures: list) -> None:
        for line in failures:
            self.progress.note(f"  failed: {line}")
        self.progress.note(f"The stack {name} was kept as it is ({status}); nothing was deleted.\n"
                           f"  inspect:  aws cloudformation describe-stack-events --stack-name {name}\n"
                           f"  clean up: compose2ecs down -p {name}")
        first = failures[0] if failures else "see the stack events"
        raise AwsError(f"stack {name}", f"deploy failed ({status}): {first}",
                       "fix the cause and run deploy again", code=status)


def _change(change: dict) -> tuple:
    rc = change.get("ResourceChange", {})
    return (rc.get("Action", ""), rc.get("LogicalResourceId", ""), rc.get("ResourceType", ""),
            str(rc.get("Replacement", "")))


def _epoch(stamp) -> float:
    return stamp.timestamp() if hasattr(stamp, "timestamp") else float(stamp)


def render_changes(result: StackResult) -> str:
    """The change set for people."""
    if not result.changed:
        return f"stack {result.stack}: no changes\n"
    lines = [f"stack {result.stack}: change set"]
    lines += [f"  {a.lower():<7} {t:<40} {lid}" + ("  (replacement)" if r == "True" else "")
              for a, lid, t, r in result.changes]
    lines += [f"  output {k}: {v}" for k, v in sorted(result.outputs.items())]
    return "\n".join(lines) + "\n"


def as_json(template: dict) -> str:
    return json.dumps(template, indent=2, sort_keys=True)
