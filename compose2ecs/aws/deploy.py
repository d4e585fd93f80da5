"""`deploy` and `plan` for the api path: plan → (apply → wait) → where the app answers.

``--dry-run`` is the same code minus apply. A failed wait raises :class:`AwsError` (exit 4)
after printing the events and stopped-task reasons; nothing is ever deleted here.
"""
from __future__ import annotations

import time
from dataclasses import field
from typing import Callable, Optional

from ..errors import AwsError, Cancelled
from ..records import record
from . import endpoints
from .apply import Deployer
from .plan import Plan, make_plan, plan_data, render_plan
from .progress import NullProgress, Progress
from .services import live_services
from .wait import OK, Waiter, render_failures


@record(slots=False)
class DeployOptions:
    dry_run: bool = False
    wait: bool = True
    timeout: float = 900.0
    poll_seconds: float = 15.0
    iam_propagation_seconds: float = 10.0


@record(frozen=False, slots=False)
class DeployResult:
    plan: Plan
    applied: bool = False
    outcomes: list = field(default_factory=list)
    endpoints: dict = field(default_factory=dict)  # service → ["1.2.3.4:80", "http://lb…"]

    @property
    def changed(self) -> bool:
        return bool(self.plan.changes())

    def data(self) -> dict:
        out = plan_data(self.plan)
        out.update({"applied": self.applied, "endpoints": self.endpoints,
                    "services": [{"name": o.service, "state": o.state, "reason": o.reason}
                                 for o in self.outcomes]})
        return out


def deploy(project, clients, options: DeployOptions = DeployOptions(), progress: Optional[Progress] = None,
           sleep: Callable = time.sleep, clock: Callable = time.time, render=None,
           confirm: Optional[Callable[[str], bool]] = None) -> DeployResult:
    """Plan, and unless ``dry_run`` apply and wait. ``confirm`` (given the plan text) may
    cancel before anything changes. Raises AwsError on AWS failure."""
    progress = progress or NullProgress()
    plan = make_plan(project, clients, render)
    result = DeployResult(plan)
    if options.dry_run:
        return result
    if not plan.changes():
        progress.note("no changes: the live project already matches")
        if options.wait:  # "no changes" still means "and it is running": check, wait if need be
            result.outcomes = _wait(project, clients, options, progress, sleep, clock,
                                    {s.name: None for s in project.services if not s.job})
            _raise_on_failure(project, result, progress)
    else:
        text = render_plan(plan, diffs=False).rstrip("\n")
        progress.note(text)
        if confirm is not None and not confirm(text):
            raise Cancelled(f"deploy {project.name}", "cancelled; nothing was changed")
        waiter = Waiter(clients.ecs, project.cluster.name, progress, sleep, clock, options.poll_seconds)
        deadline = clock() + options.timeout

        def settle(deployments: dict) -> None:
            """Providers steady before their dependants start (compose's start order)."""
            result.outcomes += waiter.wait(deployments, max(0.0, deadline - clock()), options.timeout)
            _raise_on_failure(project, result, progress)

        deployer = Deployer(clients, progress, sleep, clock, options.iam_propagation_seconds,
                            settle=settle if options.wait else None)
        deployments = deployer.apply(plan)
        result.applied = True
        settled = {o.service for o in result.outcomes}
        remaining = {n: d for n, d in deployments.items() if n not in settled}
        if options.wait and remaining:
            result.outcomes += waiter.wait(remaining, max(0.0, deadline - clock()), options.timeout)
            _raise_on_failure(project, result, progress)
    if options.wait:
        result.endpoints = collect_endpoints(project, clients)
    return result


def _wait(project, clients, options: DeployOptions, progress, sleep, clock, deployments: dict) -> list:
    """Wait for ``deployments`` (service → the deployment id we started, or None: its PRIMARY)."""
    waiter = Waiter(clients.ecs, project.cluster.name, progress, sleep, clock, options.poll_seconds)
    return waiter.wait(deployments, options.timeout)


def _raise_on_failure(project, result: DeployResult, progress: Progress) -> None:
    bad = [o for o in result.outcomes if o.state != OK]
    if not bad:
        return
    progress.note(render_failures(result.outcomes, project.name, project.cluster.name).rstrip("\n"))
    names = ", ".join(o.service for o in bad)
    raise AwsError(f"deploy {project.name}", f"{len(bad)} service(s) did not deploy: {names}",
                   "see the events and stopped-task reasons above; nothing was deleted",
                   code=bad[0].state.upper() if bad[0].state == "timeout" else "DeploymentFailed",
                   details={"services": [{"name": o.service, "state": o.state, "reason": o.reason,
                                          "events": o.events, "stopped": o.stopped}
                                         for o in result.outcomes]})


def collect_endpoints(project, clients) -> dict:
    """service → addresses, for services with published ports or a load balancer."""
    wanted = [s for s in project.services if s.public_ports or s.load_balancer]
    if not wanted:
        return {}
    live = live_services(clients.ecs, project.cluster.name, [s.name for s in wanted])
    return {s.name: endpoints.service_endpoints(clients, project.cluster.name, s, live[s.name])
            for s in wanted if s.name in live}


def render_result(result: DeployResult) -> str:
    """The closing text: where each service answers, then the commands to go on with."""
    project = result.plan.project
    lines = []
    if not result.changed:
        running = " (every service is running)" if result.outcomes else ""
        lines.append(f"{project.name}: no changes{running}")
    elif result.applied:
        lines.append(f"{project.name}: deployed to cluster {project.cluster.name}")
    for service in project.services:
        addresses = result.endpoints.get(service.name)
        if addresses:
            lines.append(f"  {service.name}: {'  '.join(addresses)}")
        elif service.public_ports and result.endpoints is not None:
            lines.append(f"  {service.name}: no public address yet (see `compose2ecs status`)")
    lines += ["", "Next:", f"  compose2ecs status -p {project.name}",
              f"  compose2ecs logs -p {project.name} --follow",
              f"  compose2ecs down -p {project.name}"]
    return "\n".join(lines) + "\n"
