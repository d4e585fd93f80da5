"""One-shot jobs on the deploy side (ecs/jobs.py says which services are jobs).

A ``run-task`` job has a task definition and no ECS service. The plan runs it when its task
definition changes or a service that depends on it is created or updated (once per rollout;
a no-op redeploy runs nothing). Apply runs it with RunTask in its place of the dependency
order, waits until the task STOPPED and checks that every essential container exited 0. A
failure stops the deploy with the exit code, the stopped reason and the job's last log lines;
the task and its logs stay for inspection (nothing is deleted or rolled back).
"""
from __future__ import annotations

import time
from dataclasses import field
from typing import Callable, Optional

from ..errors import AwsError
from ..records import record
from .errors import aws_errors
from .progress import NullProgress, Progress

RUN, NO_CHANGE = "run", "no change"
POLL_SECONDS = 5.0
LOG_LINES = 20


def job_actions(project, actions: list, action_type) -> list:
    """One ``job`` action per one-shot job: run it, or leave it (no change)."""
    changed = {(a.resource, a.name) for a in actions if a.kind != NO_CHANGE}
    dependants: dict = {}
    for service in project.services:
        for provider in service.depends_on:
            dependants.setdefault(provider, []).append(service.name)
    out = []
    for job in (s for s in project.services if s.job):
        why = []
        if ("task-definition", job.task_definition) in changed:
            why.append("its task definition changed")
        touched = sorted(d for d in dependants.get(job.name, ()) if ("service", d) in changed)
        if touched:
            why.append(f"{', '.join(touched)} will be updated")
        kind = RUN if why else NO_CHANGE
        out.append(action_type("job", job.name, kind, "; ".join(why) or "ran with this revision"))
    return out


def run_task_input(project, service, live, task_definition: str, tags: list, overrides=None) -> dict:
    """RunTask input: the job's network and launch settings, as its ECS service would have
    (``overrides``: RunTask's, e.g. another command for ``compose2ecs run``)."""
    from .services import network_configuration

    body = {"cluster": project.cluster.name, "taskDefinition": task_definition, "count": 1,
            "networkConfiguration": network_configuration(service, live),
            "startedBy": "compose2ecs", "propagateTags": "TASK_DEFINITION",
            "enableExecuteCommand": service.enable_execute_command,
            "tags": tags + [{"key": "compose2ecs:service", "value": service.name}]}
    if service.capacity_provider_strategy:
        body["capacityProviderStrategy"] = [{"capacityProvider": p, "weight": w, "base": b}
                                            for p, w, b in service.capacity_provider_strategy]
    else:
        body["launchType"] = service.launch_type or "FARGATE"
    if service.platform_version:
        body["platformVersion"] = service.platform_version
    if overrides:
        body["overrides"] = overrides
    return body


@record(frozen=False, slots=False)
class JobRunner:
    """Runs one job task to its end. Clock and sleep are injected (tests never really wait)."""

    clients: object
    progress: Progress = field(default_factory=NullProgress)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    timeout: float = 3600.0
    poll_seconds: float = POLL_SECONDS

    on_poll: Optional[Callable[[dict], None]] = None  # called with the task at each poll (run: print logs)

    def run(self, project, service, live, task_definition: str, tags: list) -> str:
        """Run ``service`` (a job) once; returns the task ARN. Raises AwsError on failure."""
        arn = self.start(project, service, live, task_definition, tags)
        task = self.wait_stopped(project, service, arn)
        failed = failed_containers(task, essential_names(project, service))
        if failed:
            self._fail(project, service, task, failed)
        self.progress.event("job", service.name, "completed", "exit 0")
        return arn

    def start(self, project, service, live, task_definition: str, tags: list, overrides=None) -> str:
        """RunTask; the ARN of the started task (AwsError when none started)."""
        ecs = self.clients.ecs
        self.progress.event("job", service.name, "running", "RunTask")
        with aws_errors(f"job {service.name}"):
            started = ecs.run_task(**run_task_input(project, service, live, task_definition, tags, overrides))
        if started.get("failures") or not started.get("tasks"):
            failure = (started.get("failures") or [{}])[0]
            raise AwsError(f"job {service.name}", f"RunTask started no task: "
                           f"{failure.get('reason', 'no reason given')} {failure.get('detail', '')}".strip(),
                           "check the cluster's capacity and the task definition", code="RunTaskFailed")
        return started["tasks"][0]["taskArn"]

    def wait_stopped(self, project, service, arn: str) -> dict:
        """Poll DescribeTasks until the task STOPPED (AwsError after ``timeout``)."""
        deadline = self.clock() + self.timeout
        while True:
            with aws_errors(f"job {service.name}"):
                tasks = self.clients.ecs.describe_tasks(cluster=project.cluster.name, tasks=[arn])["tasks"]
            task = tasks[0] if tasks else {"taskArn": arn, "lastStatus": "UNKNOWN"}
            if self.on_poll is not None:
                self.on_poll(task)
            if task.get("lastStatus") == "STOPPED":
                return task
            if self.clock() >= deadline:
                short = arn.rsplit("/", 1)[-1]
                raise AwsError(f"job {service.name}", f"task {short} still {task.get('lastStatus')} after "
                               f"{self.timeout:.0f} s", f"it keeps running; inspect with `aws ecs describe-tasks "
                               f"--cluster {project.cluster.name} --tasks {short}` or stop it with "
                               "`aws ecs stop-task`", code="Timeout")
            self.progress.event("job", service.name, "waiting", task.get("lastStatus", ""))
            self.sleep(self.poll_seconds)

    def _fail(self, project, service, task: dict, failed: list) -> None:
        short = task["taskArn"].rsplit("/", 1)[-1]
        lines = [f"job {service.name}: task {short} stopped: {task.get('stoppedReason', 'stopped')}"]
        lines += [f"  {name}: {detail}" for name, detail in failed]
        lines += [f"  log: {line}" for line in last_log_lines(self.clients, project, service, short)]
        lines += ["Nothing was deleted or rolled back; the services that wait for this job were not updated.",
                  f"  inspect:  compose2ecs logs -p {project.name} {service.name}",
                  f"  retry:    fix the cause and run `compose2ecs deploy` again"]
        self.progress.note("\n".join(lines))
        first = failed[0]
        raise AwsError(f"job {service.name}", f"{first[0]} {first[1]}",
                       "see the stopped reason and log lines above", code="JobFailed")


def essential_names(project, service) -> set:
    try:
        td = project.task_definition(service.task_definition)
    except KeyError:
        return set()
    return {c.name for c in td.containers if c.essential}


def failed_containers(task: dict, essential: set) -> list:
    """[(container, "exit 3 (reason)")] for essential containers that did not exit 0."""
    out = []
    for container in task.get("containers", []):
        if essential and container.get("name") not in essential:
            continue
        code = container.get("exitCode")
        if code == 0:
            continue
        reason = container.get("reason") or ""
        detail = f"exit {code}" if code is not None else "did not run to an exit code"
        out.append((container.get("name", "?"), detail + (f" ({reason})" if reason else "")))
    return out


def last_log_lines(clients, project, service, task_id: str, count: int = LOG_LINES) -> list:
    """The job's last log lines (awslogs), or [] when they cannot be read."""
    try:
        td = project.task_definition(service.task_definition)
    except KeyError:
        return []
    lines = []
    for container in td.containers:
        options = dict(container.log_configuration.options) if container.log_configuration else {}
        group, prefix = options.get("awslogs-group"), options.get("awslogs-stream-prefix")
        if not group or not prefix:
            continue
        stream = f"{prefix}/{container.name}/{task_id}"
        try:
            events = clients.logs.get_log_events(logGroupName=group, logStreamName=stream,
                                                 limit=count, startFromHead=False)["events"]
        except Exception:  # logs are a courtesy here: the failure itself is already known
            continue
        lines += [e.get("message", "").rstrip("\n") for e in events]
    return lines[-count:]
