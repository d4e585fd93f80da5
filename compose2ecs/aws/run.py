"""`compose2ecs run SERVICE [CMD…]`: a one-off task (``docker compose run``).

The task runs the service's deployed task definition (the revision its ECS service runs; for
a one-shot job, the family's latest) with the service's network and security group, and the
command of the service's container replaced by ``CMD`` when given. The run is a job of
aws/jobs.py: RunTask, then DescribeTasks until STOPPED. Meanwhile the container's log lines
are printed as they arrive (aws/logs.py), and the run ends with the container's exit code.
``--detach`` prints the task ARN and returns at once.
"""
from __future__ import annotations

import time
from dataclasses import field
from typing import Callable, Optional

from ..errors import AwsError, Location, UserError
from . import logs as cwlogs, network
from .actions import Live
from .errors import aws_errors, error_code
from .jobs import JobRunner, last_log_lines
from .progress import NullProgress, Progress
from ..records import record

TAG_RUN = "compose2ecs:run"


def find_service(project, name: str):
    """The model's service ``name`` (a compose service of a task counts too), or a user error."""
    for service in project.services:
        if name == service.name or name in service.compose_services:
            return service
    names = ", ".join(s.name for s in project.services) or "none"
    raise UserError.at(Location(key_path=("SERVICE",)), f"project {project.name} has no service named {name!r}",
                       f"services: {names}")


def main_container(project, service, name: str) -> str:
    """The container whose command ``run`` replaces: the one of compose service ``name``."""
    td = project.task_definition(service.task_definition)
    names = [c.name for c in td.containers]
    for container in td.containers:
        if name in (container.name, getattr(container, "source", None)):
            return container.name
    return service.name if service.name in names else names[0]


def live_network(clients, project, service, live_service: Optional[dict]) -> Live:
    """Subnets and the service's security group, as deploy made them (describe calls only):
    the ECS service's own network settings when it has one (a job has none)."""
    awsvpc = ((live_service or {}).get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if awsvpc and awsvpc.get("securityGroups"):
        return Live(subnets=list(awsvpc.get("subnets", [])),
                    default_vpc=awsvpc.get("assignPublicIp") == "ENABLED",
                    group_ids={service.name: awsvpc["securityGroups"][0]})
    vpc_id, subnets = network.resolve_network(clients.ec2, project.vpc_id, project.subnets)
    groups = network.live_groups(clients.ec2, project.name, vpc_id)
    if service.name not in groups:
        raise AwsError(f"service {service.name}", "it is not deployed (no security group tagged for it)",
                       "run `compose2ecs deploy` first", code="NotDeployed")
    return Live(vpc_id=vpc_id, subnets=subnets, default_vpc=not (project.vpc_id or project.subnets),
                group_ids={service.name: groups[service.name]["GroupId"]})


def live_service(ecs, project, service) -> Optional[dict]:
    """The ACTIVE ECS service of ``service`` (None for a job, or when not deployed)."""
    try:
        found = ecs.describe_services(cluster=project.cluster.name, services=[service.name]).get("services", [])
    except Exception as error:
        if error_code(error) == "ClusterNotFoundException":
            raise AwsError(f"project {project.name}", f"nothing is deployed (no cluster {project.cluster.name})",
                           "run `compose2ecs deploy` first", code="NotDeployed") from None
        with aws_errors(f"service {service.name}"):
            raise
    if service.job:
        return None
    return next((s for s in found if s.get("status") == "ACTIVE"), None)


def deployed_task_definition(ecs, service, current: Optional[dict]) -> str:
    """The ARN of the revision the ECS service runs, else the family's latest ACTIVE one."""
    if current is not None:
        return current["taskDefinition"]
    try:
        return ecs.describe_task_definition(taskDefinition=service.task_definition)["taskDefinition"]["taskDefinitionArn"]
    except Exception as error:
        if error_code(error) in ("ClientException", "InvalidParameterException"):
            raise AwsError(f"service {service.name}", f"task definition {service.task_definition} is not registered",
                           "run `compose2ecs deploy` first", code="NotDeployed") from None
        with aws_errors(f"task definition {service.task_definition}"):
            raise


@record(frozen=False, slots=False)
class LogPrinter:
    """Prints the task's new log lines at each poll (each line once)."""

    logs: object
    sources: list
    task_id: str
    write: Callable[[str], None]
    seen: set = field(default_factory=set)

    def __call__(self, _task: Optional[dict] = None) -> None:
        for line in cwlogs.fetch(self.logs, self.sources, None):
            key = (line.label, line.task, line.event_id, line.timestamp, line.message)
            if line.task == self.task_id and key not in self.seen:
                self.seen.add(key)
                self.write(line.message.rstrip("\n"))


@record(frozen=False, slots=False)
class RunOptions:
    command: tuple = ()  # replaces the container's command when given
    detach: bool = False
    timeout: float = 3600.0


def run_service(project, clients, name: str, options: RunOptions, write: Callable[[str], None] = print,
                progress: Progress = None, sleep: Callable = time.sleep, clock: Callable = time.time) -> tuple:
    """Run one task of service ``name``; ``(task ARN, exit code or None when detached)``."""
    from .plan import ecs_tags

    progress = progress or NullProgress()
    service = find_service(project, name)
    container = main_container(project, service, name)
    current = live_service(clients.ecs, project, service)
    td_arn = deployed_task_definition(clients.ecs, service, current)
    live = live_network(clients, project, service, current)
    overrides = {"containerOverrides": [{"name": container, "command": list(options.command)}]} \
        if options.command else None
    tags = ecs_tags(project) + [{"key": TAG_RUN, "value": name}]
    runner = JobRunner(clients, progress, sleep, clock, timeout=options.timeout)
    arn = runner.start(project, service, live, td_arn, tags, overrides)
    if options.detach:
        return arn, None
    task_id = arn.rsplit("/", 1)[-1]
    sources = [s for s in cwlogs.log_sources(clients.ecs, [{"serviceName": name, "taskDefinition": td_arn}])
               if s.container == container]
    printer = LogPrinter(clients.logs, sources, task_id, write)
    runner.on_poll = printer
    task = runner.wait_stopped(project, service, arn)
    printer()  # the last lines, written while the task stopped
    return arn, exit_code(project, service, task, container, clients)


def exit_code(project, service, task: dict, container: str, clients) -> int:
    """The container's exit code; AwsError (exit 4) when it never ran to one."""
    found = next((c for c in task.get("containers", []) if c.get("name") == container), {})
    code = found.get("exitCode")
    if code is not None:
        return int(code)
    short = task.get("taskArn", "").rsplit("/", 1)[-1]
    reason = found.get("reason") or task.get("stoppedReason") or "stopped"
    lines = last_log_lines(clients, project, service, short)
    raise AwsError(f"run {service.name}", f"task {short} stopped before {container} exited: {reason}"
                   + ("".join(f"\n  log: {line}" for line in lines)),
                   "check the image, the command and the stopped reason "
                   f"(`aws ecs describe-tasks --cluster {project.cluster.name} --tasks {short}`)", code="RunFailed")
