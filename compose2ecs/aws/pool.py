"""The bounded worker pool of deploy: concurrency where the API allows, within throttling.

ECS throttles per account and Region with token buckets (burst ~20, see
../shared/reference/ecs-facts.md); eight workers stay below the bursts, so a deploy of 200
services is throttled rarely, and retry.py absorbs what is.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable

MAX_WORKERS = 8


def bounded_map(work: Callable, items: list, workers: int = MAX_WORKERS) -> list:
    """``[work(item) for item in items]`` in at most ``workers`` threads, in ``items`` order.
    ``work`` should return its failure rather than raise, so every started call finishes
    before the caller reports the first failure in order."""
    if len(items) <= 1 or workers <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(work, items))


def run_all(work: Callable, items: list, workers: int = MAX_WORKERS) -> list:
    """``[work(item) …]`` for calls that may raise AwsError: every call finishes, then the
    first failure in ``items`` order is raised."""
    from ..errors import AwsError

    def attempt(item):
        try:
            return work(item), None
        except AwsError as error:
            return None, error

    found = bounded_map(attempt, items, workers)
    for _value, error in found:
        if error is not None:
            raise error
    return [value for value, _error in found]
