"""Client-side pacing of the calls AWS throttles hardest, so a big deploy stays under the bucket.

RegisterTaskDefinition has a token bucket of burst 20, then about 1 call a second per account
and Region (../shared/reference/ecs-facts.md). A first deploy of 200 services registers 200
families: without pacing, eight workers would hit the empty bucket ~180 times and lean on
retry.py's backoff (which gives up after 8 retries). With it, the 21st registration waits its
turn instead — the same total time, no throttling errors. Clock and sleep are injected.
"""
from __future__ import annotations

import threading
import time
from dataclasses import field
from typing import Callable

from ..records import record

RATES = {  # (service, operation) → (burst, calls per second)
    ("ecs", "RegisterTaskDefinition"): (20, 1.0),
}


@record(frozen=False, slots=False)
class Bucket:
    """A token bucket (burst ``burst``, refilled at ``rate`` a second), shared by threads.
    Each caller reserves its slot under the lock and sleeps outside it."""

    burst: int
    rate: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    waits: list = field(default_factory=list)  # the waits it imposed (tests and bench read them)
    _next: float = 0.0  # when the bucket would be full again, as it is now reserved
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self) -> None:
        """Wait, if need be, until a call may go."""
        interval = 1.0 / self.rate
        with self._lock:
            now = self.clock()
            full_at = max(self._next, now)
            wait = max(0.0, full_at - now - (self.burst - 1) * interval)
            self._next = full_at + interval
        if wait > 0:
            self.waits.append(wait)
            self.sleep(wait)


@record(frozen=False, slots=False)
class Pacer:
    """One bucket per paced operation, attached to each client as it is created."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    buckets: dict = field(default_factory=dict)

    def __post_init__(self):
        self.buckets = {key: Bucket(burst, rate, self.clock, self.sleep) for key, (burst, rate) in RATES.items()}

    def attach(self, client) -> None:
        service = client.meta.service_model.service_name
        for (name, operation), bucket in self.buckets.items():
            if name == service:
                event = f"before-call.{client.meta.service_model.service_id.hyphenize()}.{operation}"
                client.meta.events.register(event, lambda bucket=bucket, **_kwargs: bucket.take())
