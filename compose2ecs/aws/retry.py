"""Throttling retries: exponential backoff with full jitter, through an injected sleep.

ECS, EC2 and IAM throttle per account and Region with token buckets (RegisterTaskDefinition:
burst 20, then ~1/s; see ../shared/reference/ecs-facts.md). A deploy of 200 services runs a
bounded pool of workers (apply.py), so some calls *will* be throttled. botocore's standard
mode would retry them too, but sleeps with ``time.sleep`` where nobody can see or fake it;
this handler, registered first on each client's ``needs-retry`` event, takes over the
throttling errors only: it sleeps ``random() × min(cap, base × 2^(attempt-1))`` ("full
jitter", so throttled workers do not retry in lock-step) with the injected ``sleep`` and
``random``, then tells botocore to retry at once. Any other error is left to botocore's
standard rules (transient 5xx, connection errors). After ``max_retries`` retries (botocore's
``retries.max_attempts`` has the same meaning) the error surfaces as one AwsError (errors.py
says "throttling … run the command again").
"""
from __future__ import annotations

import random as _random
import time
from dataclasses import field
from typing import Callable

from ..records import record

THROTTLING_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled", "SlowDown",
    "EC2ThrottledException", "ProvisionedThroughputExceededException"})
BASE_SECONDS = 1.0  # the first retry waits up to 1 s …
CAP_SECONDS = 20.0  # … and no wait is longer than 20 s (botocore's standard cap)


@record(frozen=False, slots=False)
class Backoff:
    """Decides and performs throttling retries for the clients of one command run."""

    max_retries: int
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = _random.random
    base: float = BASE_SECONDS
    cap: float = CAP_SECONDS
    retries: list = field(default_factory=list)  # (operation, attempt, delay): what the bench and tests read

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return self.random() * min(self.cap, self.base * 2 ** (attempt - 1))

    def attach(self, client) -> None:
        client.meta.events.register_first("needs-retry.*.*", self.needs_retry)

    def needs_retry(self, response=None, attempts: int = 1, operation=None, **_kwargs):
        """botocore's needs-retry hook: None = not ours (botocore decides), False = give up,
        0 = retry now (we slept already)."""
        if not response or throttling_code(response[1]) is None:
            return None
        if attempts > self.max_retries:  # ``attempts``: calls sent so far, the first included
            return False
        wait = self.delay(attempts)
        self.retries.append((getattr(operation, "name", "?"), attempts, wait))
        self.sleep(wait)
        return 0


def throttling_code(parsed) -> str | None:
    """The throttling error code of a parsed response, or None."""
    code = ((parsed or {}).get("Error") or {}).get("Code")
    return code if code in THROTTLING_CODES else None
