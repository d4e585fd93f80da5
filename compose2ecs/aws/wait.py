"""Wait for deployments to finish — really finish.

botocore's ``services_stable`` waiter passes when a service has one deployment and
``runningCount == desiredCount``, which is also true after the circuit breaker *rolled back*
to the old revision. So, like the fixed aws-actions deploy action, a service counts as done
only when the deployment our Create/UpdateService call started is still the PRIMARY one,
alone, with ``rolloutState == COMPLETED`` and every task running. A vanished or FAILED
deployment is a failure; on failure or timeout we collect the service events and the
reasons the tasks stopped, which is what a user needs to fix it.
"""
from __future__ import annotations

import time
from dataclasses import field
from typing import Callable

from .errors import aws_errors
from .progress import NullProgress, Progress
from ..records import record

POLL_SECONDS = 15  # the services_stable waiter's interval
TICK_SECONDS = 1.0  # the live view's elapsed column moves every second
HEARTBEAT_SECONDS = 30.0  # without a terminal, a line per waiting service at least this often
OK, FAILED, PENDING = "ok", "failed", "pending"


@record(frozen=False, slots=False)
class Outcome:
    service: str
    state: str  # ok | failed | timeout
    reason: str = ""
    events: list = field(default_factory=list)  # recent service event messages, oldest first
    stopped: list = field(default_factory=list)  # "task abc: reason (container: exit 1 reason)"


def judge(service: dict, deployment_id: str) -> tuple:
    """``(state, reason)`` of one described service for the deployment we started."""
    deployments = service.get("deployments", [])
    ours = next((d for d in deployments if d.get("id") == deployment_id), None) if deployment_id else None
    if deployment_id and ours is None:
        return FAILED, "the deployment was rolled back (circuit breaker): its tasks did not become healthy"
    ours = ours or next((d for d in deployments if d.get("status") == "PRIMARY"), {})
    rollout = ours.get("rolloutState")
    if rollout == "FAILED":
        return FAILED, ours.get("rolloutStateReason") or "the deployment failed"
    if ours.get("status") not in (None, "PRIMARY"):
        return FAILED, "a newer deployment replaced it (rolled back by the circuit breaker)"
    if service.get("status") in ("DRAINING", "INACTIVE"):
        return FAILED, f"the service is {service['status']}"
    done = (len(deployments) == 1 and service.get("runningCount") == service.get("desiredCount")
            and rollout in (None, "COMPLETED"))
    running = f"{service.get('runningCount', 0)}/{service.get('desiredCount', 0)} running"
    return (OK, running) if done else (PENDING, running)


@record(frozen=False, slots=False)
class Waiter:
    ecs: object
    cluster: str
    progress: Progress = field(default_factory=NullProgress)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    poll_seconds: float = POLL_SECONDS
    tick_seconds: float = TICK_SECONDS
    heartbeat_seconds: float = HEARTBEAT_SECONDS

    def wait(self, deployments: dict, timeout: float, stated: float = None) -> list:
        """Poll until every service in ``deployments`` (name → id, or None for its PRIMARY
        deployment) is done; returns Outcomes in name order. Never raises for a failed
        deployment: the caller reports them all. The last poll happens at the deadline, not
        a poll interval after it; between polls the view is refreshed every ``tick_seconds``
        and a line is printed per waiting service every ``heartbeat_seconds``. ``stated``: the
        --timeout the message names when ``timeout`` is what is left of it (main's signature)."""
        start = self.clock()
        deadline = start + timeout
        stated = timeout if stated is None else stated
        pending = dict(sorted(deployments.items()))
        outcomes: dict = {}
        latest: dict = {}
        self._said, self._seen = {}, None
        while pending:
            self._poll(pending, outcomes, latest, start)
            if pending and self.clock() >= deadline:
                for name in pending:
                    outcomes[name] = self._outcome(name, "timeout", f"not stable after {int(stated)} s",
                                                   latest.get(name))
                break
            if pending:
                self._pause(min(self.clock() + self.poll_seconds, deadline))
        return [outcomes[n] for n in sorted(outcomes)]

    def _poll(self, pending: dict, outcomes: dict, latest: dict, start: float) -> None:
        described = self._describe(list(pending))
        self._new_events(described)
        for service in described:
            name = service["serviceName"]
            latest[name] = service
            state, reason = judge(service, pending[name])
            self._say(name, state, reason, start)
            if state != PENDING:
                outcomes[name] = self._outcome(name, state, reason, service)
                pending.pop(name)

    def _say(self, name: str, state: str, reason: str, start: float) -> None:
        """A line when the state changes, and again every heartbeat while it does not."""
        now = self.clock()
        said, at = self._said.get(name, (None, None))
        if reason == said and now - at < self.heartbeat_seconds:
            return
        status = "waiting" if state == PENDING else ("running" if state == OK else "failed")
        text = reason if state != PENDING or reason != said else f"{reason}, {int(now - start)} s elapsed"
        self.progress.event("service", name, status, text)
        self._said[name] = (reason, now)

    def _new_events(self, described: list) -> None:
        """Service events that arrived since the wait began, oldest first (history stays quiet)."""
        current = [(s["serviceName"], e.get("id"), e.get("message", "")) for s in described
                   for e in s.get("events", [])]
        if self._seen is not None:
            fresh = [(name, message) for name, key, message in current if (name, key) not in self._seen]
            for name, message in reversed(fresh):  # ECS lists events newest first
                self.progress.note(f"service {name}: event: {message}")
        self._seen = (self._seen or set()) | {(name, key) for name, key, _ in current}

    def _pause(self, until: float) -> None:
        """Sleep until ``until`` in ticks, redrawing the live view (elapsed times) each tick."""
        while True:
            left = until - self.clock()
            if left <= 0:
                return
            self.sleep(min(self.tick_seconds, left))
            self.progress.tick()

    def _describe(self, names: list) -> list:
        found = []
        for start in range(0, len(names), 10):
            with aws_errors(f"cluster {self.cluster}"):
                found += self.ecs.describe_services(cluster=self.cluster,
                                                    services=names[start:start + 10])["services"]
        return found

    def _outcome(self, name: str, state: str, reason: str, service) -> Outcome:
        if state == OK:
            return Outcome(name, OK, reason)
        if service is None:
            service = (self._describe([name]) or [{}])[0]
        events = [e.get("message", "") for e in service.get("events", [])[:5]][::-1]
        return Outcome(name, state, reason, events, stopped_reasons(self.ecs, self.cluster, name))


def stopped_reasons(ecs, cluster: str, service: str, limit: int = 5) -> list:
    """Why the service's recent tasks stopped: task reason plus each container's exit."""
    with aws_errors(f"service {service}"):
        arns = ecs.list_tasks(cluster=cluster, serviceName=service, desiredStatus="STOPPED")["taskArns"]
        if not arns:
            return []
        tasks = ecs.describe_tasks(cluster=cluster, tasks=arns[:limit])["tasks"]
    lines = []
    for task in sorted(tasks, key=lambda t: t["taskArn"]):
        parts = [f"task {task['taskArn'].rsplit('/', 1)[-1]}: {task.get('stoppedReason', 'stopped')}"]
        for container in task.get("containers", []):
            detail = container.get("reason") or ""
            if container.get("exitCode") is not None:
                detail = f"exit {container['exitCode']}" + (f", {detail}" if detail else "")
            if detail:
                parts.append(f"{container['name']}: {detail}")
        lines.append(" — ".join(parts))
    return lines


def render_failures(outcomes: list, project: str, cluster: str) -> str:
    """What went wrong and how to look closer / clean up (nothing was deleted)."""
    lines = []
    for o in outcomes:
        if o.state == OK:
            continue
        lines.append(f"service {o.service}: {o.state}: {o.reason}")
        lines += [f"  event: {e}" for e in o.events]
        lines += [f"  stopped: {s}" for s in o.stopped]
    bad = [o.service for o in outcomes if o.state != OK]
    lines += ["", "Nothing was deleted; the resources stay in place for inspection.",
              f"  inspect:  compose2ecs status -p {project}    compose2ecs logs -p {project} {' '.join(bad)}",
              f"            aws ecs describe-services --cluster {cluster} --services {' '.join(bad)}",
              "  retry:    fix the cause and run `compose2ecs deploy` again (it continues)",
              f"  clean up: compose2ecs down -p {project}"]
    return "\n".join(lines) + "\n"
