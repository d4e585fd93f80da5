"""`compose2ecs logs`: CloudWatch Logs of the project's services, one merged stream.

The awslogs driver writes each container to ``<group>/<prefix>/<container>/<task id>``, so
the running task definition tells us where to read, and the stream name tells us which task
a line came from. Every printed line is prefixed with the service (and container when the
task has several) and the short task id, like ``docker compose logs``.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Optional

from ..errors import AwsError
from .errors import aws_errors

FOLLOW_SECONDS = 2.0


@dataclass(frozen=True)
class LogSource:
    service: str
    container: str
    group: str
    prefix: str  # awslogs-stream-prefix

    @property
    def stream_prefix(self) -> str:
        return f"{self.prefix}/{self.container}/"

    def label(self, many: bool) -> str:
        return f"{self.service}/{self.container}" if many else self.service


@dataclass(frozen=True, order=True)
class Line:
    timestamp: int  # ms
    label: str
    task: str
    message: str
    event_id: str = ""

    def render(self) -> str:
        return f"{self.label} {self.task[:12]} | {self.message.rstrip()}"


def log_sources(ecs, services: list) -> list:
    """Where each container of each (live) service logs, from its running task definition."""
    sources = []
    for service in services:
        with aws_errors(f"service {service['serviceName']}"):
            td = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        for container in td.get("containerDefinitions", []):
            config = container.get("logConfiguration") or {}
            options = config.get("options") or {}
            if config.get("logDriver") == "awslogs" and "awslogs-group" in options:
                sources.append(LogSource(service["serviceName"], container["name"], options["awslogs-group"],
                                         options.get("awslogs-stream-prefix", "")))
    return sources


def fetch(logs, sources: list, start_ms: Optional[int], tail: Optional[int] = None) -> list:
    """Every event of ``sources`` since ``start_ms``, merged in time order (``tail``: last N per source)."""
    per_service = {}
    for source in sources:
        per_service.setdefault(source.service, []).append(source)
    lines = []
    for source in sources:
        many = len(per_service[source.service]) > 1
        events = _events(logs, source, start_ms)
        if tail is not None:
            events = events[-tail:] if tail > 0 else []
        for event in events:
            task = event.get("logStreamName", "").rsplit("/", 1)[-1]
            lines.append(Line(event["timestamp"], source.label(many), task, event.get("message", ""),
                              event.get("eventId", "")))
    return sorted(lines)


def _events(logs, source: LogSource, start_ms: Optional[int]) -> list:
    kwargs = {"logGroupName": source.group, "logStreamNamePrefix": source.stream_prefix}
    if start_ms is not None:
        kwargs["startTime"] = start_ms
    try:
        with aws_errors(f"log group {source.group}"):
            pages = logs.get_paginator("filter_log_events").paginate(**kwargs)
            # filter again: some emulators ignore logStreamNamePrefix
            events = [e for page in pages for e in page.get("events", [])
                      if e.get("logStreamName", "").startswith(source.stream_prefix)]
    except AwsError as error:
        if error.code == "ResourceNotFoundException":
            return []  # no group yet: nothing was logged
        raise
    return sorted(events, key=lambda e: (e["timestamp"], e.get("eventId", "")))


def stream(logs, sources: list, write: Callable[[str], None], since_ms: Optional[int] = None,
           tail: Optional[int] = None, follow: bool = False, sleep: Callable = time.sleep,
           clock: Callable = time.time, max_polls: Optional[int] = None) -> int:
    """Print the logs; with ``follow`` keep polling until interrupted. Returns lines printed."""
    lines = fetch(logs, sources, since_ms, tail)
    seen = {(ln.label, ln.task, ln.event_id) for ln in lines}
    for line in lines:
        write(line.render())
    count, polls = len(lines), 0
    last = max((ln.timestamp for ln in lines), default=int(clock() * 1000))
    while follow and (max_polls is None or polls < max_polls):
        sleep(FOLLOW_SECONDS)
        polls += 1
        for line in fetch(logs, sources, last):
            key = (line.label, line.task, line.event_id)
            if key not in seen:  # startTime is inclusive: the last second comes back again
                seen.add(key)
                write(line.render())
                count += 1
                last = max(last, line.timestamp)
    return count
