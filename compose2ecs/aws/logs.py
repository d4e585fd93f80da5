"""`compose2ecs logs`: CloudWatch Logs of the project's services, one merged stream.

The awslogs driver writes each container to ``<group>/<prefix>/<container>/<task id>``, so
the running task definition tells us where to read, and the stream name tells us which task
a line came from. Every printed line is prefixed with the service (and container when the
task has several) and the short task id, like ``docker compose logs``.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Optional

from ..errors import AwsError, Location, UserError
from ..records import record
from .errors import aws_errors

FOLLOW_SECONDS = 2.0
_UNIX_TIME = re.compile(r"\d+(\.\d+)?")


def parse_since(value: str, now: float) -> int:
    """``--since`` as ``docker compose logs`` reads it → milliseconds since the epoch.

    A duration before ``now`` (``42m``, ``1h30m``, ``2.5s``), an RFC 3339 date or time
    (``2026-12-04``, ``2026-12-04T13:00:00Z``, ``…+01:00``; without a zone it is local time,
    as in Docker) or a Unix timestamp (``1733316000``). Anything else is a user error.
    """
    from ..units import parse_duration

    text = (value or "").strip()
    seconds = _since_seconds(text, now, parse_duration)
    if seconds is None:
        raise UserError.at(Location(key_path=("--since",)),
                           f"{value!r} is not a duration, an RFC 3339 time or a Unix timestamp",
                           "use e.g. --since 10m, --since 1h30m or --since 2026-12-04T13:00:00Z")
    return int(seconds * 1000)


def _since_seconds(text: str, now: float, parse_duration) -> Optional[float]:
    if _UNIX_TIME.fullmatch(text):
        return float(text)
    if text and text[0].isdigit() and not text[-1].isdigit() and "-" not in text and ":" not in text:
        try:
            return now - parse_duration(text)
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


@record(slots=False)
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
