"""Deploy at scale (issue 12 item 4), asserted by the *shape* of the API calls against moto —
never by wall-clock time.

* calls grow linearly with the number of services: calls(200) / calls(20) ≤ 11, per shape
  (independent, star, chain: bench/shapes.py);
* a no-op redeploy makes 0 mutating calls, and its reads are batched where the API allows
  (DescribeServices: 10 names a call; DescribeTaskDefinition: one family a call);
* services of one dependency level, and task definitions of different families, are created
  concurrently in a bounded pool (never one family twice at once);
* throttled concurrent CreateService calls are retried with exponential backoff and jitter
  through the injected sleep, and the deploy succeeds.
"""
from __future__ import annotations

import math
import os
import threading
import time
from collections import Counter

import pytest

from bench.shapes import compose_text
from compose2ecs.aws.apply import MAX_WORKERS
from compose2ecs.aws.deploy import DeployOptions, deploy
from compose2ecs.aws.progress import NullProgress
from compose2ecs.aws.pace import Bucket
from compose2ecs.aws.retry import Backoff
from compose2ecs.aws.session import AwsOptions, CallRecorder, Clients
from compose2ecs.errors import AwsError
from tests.aws_fixtures import REGION, FakeClock, aws_env, moto  # noqa: F401
from tests.test_aws_failures import error_response, inject


def load(tmp_path, text: str):
    from compose2ecs.pipeline import InputOptions, convert_inputs

    path = tmp_path / "compose.yaml"
    path.write_text(text)
    return convert_inputs(InputOptions(files=(str(path),), region=REGION), dict(os.environ)).ecs


class Params:
    """The parameters of every call of the given operations (botocore ``before-call``)."""

    def __init__(self, *operations: str):
        self.operations, self.seen, self._lock = operations, [], threading.Lock()

    def attach(self, client) -> None:
        client.meta.events.register("before-parameter-build.*.*", self._record)

    def _record(self, model=None, params=None, **_kwargs) -> None:
        if model.name in self.operations:
            with self._lock:
                self.seen.append((model.name, dict(params)))

    def of(self, operation: str) -> list:
        return [p for name, p in self.seen if name == operation]


class InFlight:
    """Counts calls of ``operation`` in flight at once; each takes ``hold`` real seconds so
    the workers overlap (moto answers in microseconds)."""

    def __init__(self, operation: str, key: str, hold: float = 0.02):
        self.operation, self.key, self.hold = operation, key, hold
        self.now: list = []
        self.peak = 0
        self.overlaps: list = []  # a key seen twice in flight at once
        self._lock = threading.Lock()
        self._mine = threading.local()  # the key of the call this worker thread is making

    def attach(self, client) -> None:
        client.meta.events.register(f"before-parameter-build.*.{self.operation}", self._enter)
        client.meta.events.register(f"after-call.*.{self.operation}", self._leave)

    def _enter(self, params=None, **_kwargs) -> None:
        self._mine.key = key = params[self.key]
        with self._lock:
            if key in self.now:
                self.overlaps.append(key)
            self.now.append(key)
            self.peak = max(self.peak, len(self.now))
        time.sleep(self.hold)

    def _leave(self, **_kwargs) -> None:
        with self._lock:
            self.now.remove(self._mine.key)


def clients_for(clock, *hooks, random=None) -> Clients:
    import boto3

    return Clients(AwsOptions(region=REGION), {}, session=boto3.session.Session(region_name=REGION),
                   hooks=tuple(h.attach for h in hooks), sleep=clock.sleep, random=random, clock=clock)


def run(project, clients, clock):
    return deploy(project, clients, DeployOptions(), NullProgress(), clock.sleep, clock)


def measure(tmp_path, n: int, shape: str) -> dict:
    """Calls of a first deploy and of a no-op redeploy of ``n`` services in ``shape``."""
    from moto import mock_aws

    with mock_aws():
        recorder, params, clock = CallRecorder(), Params("DescribeServices", "DescribeTaskDefinition"), FakeClock()
        clients = clients_for(clock, recorder, params)
        project = load(tmp_path, compose_text(n, shape))
        run(project, clients, clock)
        first = list(recorder.calls)
        recorder.calls.clear()
        params.seen.clear()
        result = run(project, clients, clock)
        assert not result.changed
        return {"first": first, "noop": list(recorder.calls), "noop_params": params}


def _mutating(calls: list) -> list:
    recorder = CallRecorder(calls=list(calls))
    return recorder.mutating()


@pytest.mark.parametrize("shape", ["independent", "star", "chain"])
def test_calls_grow_linearly_and_a_noop_redeploy_only_reads(aws_env, tmp_path, shape):
    small, big = measure(tmp_path, 20, shape), measure(tmp_path, 200, shape)
    for phase in ("first", "noop"):
        ratio = len(big[phase]) / len(small[phase])
        assert ratio <= 11, f"{shape} {phase}: {len(small[phase])} → {len(big[phase])} calls"
    assert len(_mutating(big["first"])) / len(_mutating(small["first"])) <= 11
    for measured, n in ((small, 20), (big, 200)):
        assert _mutating(measured["noop"]) == [], f"{shape}: a no-op redeploy of {n} mutated"
        ops = Counter(op for _, op in measured["noop"])
        assert ops["DescribeTaskDefinition"] == n  # one family a call: the API takes no list
        described = measured["noop_params"].of("DescribeServices")
        assert all(1 <= len(p["services"]) <= 10 for p in described)
        full = [p for p in described if len(p["services"]) == 10]
        assert len(full) >= 2 * (n // 10), "plan and wait each describe services 10 at a time"
        assert ops["DescribeServices"] <= 3 * math.ceil(n / 10)  # plan, wait, endpoints
        # The rest does not grow with the project: one call each for VPC, cluster, groups …
        per_service = ops["DescribeTaskDefinition"] + ops["DescribeServices"] + ops["ListTasks"]
        assert len(measured["noop"]) - per_service <= 20


def test_first_deploy_creates_each_service_once_and_authorizes_each_group_once(aws_env, tmp_path):
    measured = measure(tmp_path, 200, "star")
    ops = Counter(op for _, op in measured["first"])
    assert ops["CreateService"] == ops["RegisterTaskDefinition"] == ops["CreateSecurityGroup"] == 200
    # every rule of a group goes in one AuthorizeSecurityGroupIngress (50 groups have a public port)
    assert ops["AuthorizeSecurityGroupIngress"] == 50


def test_services_of_a_level_are_created_concurrently_in_a_bounded_pool(moto, tmp_path):
    clock, flight = FakeClock(), InFlight("CreateService", "serviceName")
    clients = clients_for(clock, flight)
    run(load(tmp_path, compose_text(24, "independent")), clients, clock)
    assert flight.overlaps == []
    assert 2 <= flight.peak <= MAX_WORKERS


def test_task_definitions_of_different_families_register_concurrently_never_one_family_twice(moto, tmp_path):
    clock, flight = FakeClock(), InFlight("RegisterTaskDefinition", "family")
    clients = clients_for(clock, flight)
    run(load(tmp_path, compose_text(24, "chain")), clients, clock)
    assert flight.overlaps == [], "one family registered twice at once"
    assert 2 <= flight.peak <= MAX_WORKERS


def test_star_keeps_the_start_order_provider_steady_before_its_clients(moto, tmp_path):
    clock, recorder, params = FakeClock(), CallRecorder(), Params("CreateService", "DescribeServices")
    clients = clients_for(clock, recorder, params)
    run(load(tmp_path, compose_text(30, "star")), clients, clock)
    order = [(name, p.get("serviceName") or tuple(p.get("services", ()))) for name, p in params.seen]
    first_client = next(i for i, (name, what) in enumerate(order) if name == "CreateService" and what != "s000")
    hub_created = order.index(("CreateService", "s000"))
    waited = [i for i, (name, what) in enumerate(order) if name == "DescribeServices" and what == ("s000",)]
    assert any(hub_created < i < first_client for i in waited), "the provider was waited for first"


def test_throttled_concurrent_create_service_calls_are_retried_with_backoff_and_jitter(moto, tmp_path):
    clock, recorder = FakeClock(), CallRecorder()
    draws = iter([0.5, 0.25, 0.75, 1.0, 0.1, 0.9] * 10)
    clients = clients_for(clock, recorder, random=lambda: next(draws))
    throttle = error_response(400, "ThrottlingException", "Rate exceeded")
    left = inject(clients.ecs, "CreateService", [throttle] * 6)
    result = run(load(tmp_path, compose_text(16, "independent")), clients, clock)
    assert left == [] and result.applied
    assert [c for c in recorder.calls if c[1] == "CreateService"] == [("ecs", "CreateService")] * 16
    pages = clients.ecs.get_paginator("list_services").paginate(cluster="scale")
    arns = [arn for page in pages for arn in page["serviceArns"]]
    assert len(arns) == 16, "every throttled service was created in the end"
    retries = clients.backoff.retries
    assert len(retries) == 6 and {op for op, _, _ in retries} == {"CreateService"}
    for _op, attempt, delay in retries:  # full jitter: a random share of 1 s × 2^(attempt-1)
        assert 0 <= delay <= 2 ** (attempt - 1)
        assert delay in clock.sleeps, "the wait went through the injected sleep"
    assert len({delay for _, _, delay in retries}) > 1, "jittered, not lock-step"
    assert sum(1 for s in clock.sleeps if s in {d for _, _, d in retries}) >= 6


def test_backoff_doubles_up_to_the_cap_and_gives_up_after_max_retries():
    top = Backoff(max_retries=8, random=lambda: 1.0)
    assert [top.delay(a) for a in range(1, 8)] == [1, 2, 4, 8, 16, 20, 20]
    assert Backoff(max_retries=8, random=lambda: 0.5).delay(3) == 2.0
    sleeps: list = []
    backoff = Backoff(max_retries=2, sleep=sleeps.append, random=lambda: 1.0)
    throttled = (None, {"Error": {"Code": "ThrottlingException"}})
    assert backoff.needs_retry(response=throttled, attempts=1) == 0
    assert backoff.needs_retry(response=throttled, attempts=2) == 0
    assert backoff.needs_retry(response=throttled, attempts=3) is False
    assert sleeps == [1.0, 2.0]
    other = (None, {"Error": {"Code": "ServerException"}})
    assert backoff.needs_retry(response=other, attempts=1) is None, "left to botocore's standard rules"


def test_persistent_throttling_of_create_service_is_one_clear_error(moto, tmp_path):
    clock = FakeClock()
    clients = clients_for(clock)
    throttle = error_response(400, "ThrottlingException", "Rate exceeded")
    inject(clients.ecs, "CreateService", [throttle] * 100)
    with pytest.raises(AwsError) as caught:
        run(load(tmp_path, compose_text(3, "independent")), clients, clock)
    assert caught.value.code == "ThrottlingException" and str(caught.value).startswith("service s00")
    attempts = [a for _, a, _ in clients.backoff.retries]  # 3 services at once, each retried
    assert len(attempts) == 3 * AwsOptions().max_attempts and max(attempts) == AwsOptions().max_attempts


def test_plan_reads_task_definitions_concurrently_one_family_a_call(moto, tmp_path):
    clock = FakeClock()
    project = load(tmp_path, compose_text(24, "independent"))
    run(project, clients_for(clock), clock)
    flight = InFlight("DescribeTaskDefinition", "taskDefinition")
    clients = clients_for(clock, flight)
    assert not run(project, clients, clock).changed
    assert flight.overlaps == [] and 2 <= flight.peak <= MAX_WORKERS


def test_group_name_clash_check_sends_at_most_100_names_a_call():
    from types import SimpleNamespace

    from compose2ecs.aws.plan import Live, _check_groups

    class Ec2:
        def __init__(self):
            self.sizes = []

        def describe_security_groups(self, Filters):
            self.sizes.append(len(next(f["Values"] for f in Filters if f["Name"] == "group-name")))
            return {"SecurityGroups": []}

    project = SimpleNamespace(name="big", services=[SimpleNamespace(name=f"s{i:03d}") for i in range(250)])
    ec2 = Ec2()
    _check_groups(ec2, project, Live(vpc_id="vpc-1"))
    assert ec2.sizes == [100, 100, 50]


def test_plan_warns_when_a_group_needs_more_rules_than_ec2_allows_by_default(moto, tmp_path):
    # 70 services on the default network, each exposing a port: each group needs 69 peer rules
    text = "name: wide\nservices:\n" + "".join(
        f"  s{i:03d}:\n    image: example/app:1\n    expose: ['{8000 + i}']\n" for i in range(70))
    clock = FakeClock()
    result = deploy(load(tmp_path, text), clients_for(clock), DeployOptions(dry_run=True), NullProgress(),
                    clock.sleep, clock)
    groups = [a for a in result.plan.actions if a.resource == "security-group"]
    assert len(groups) == 70
    assert all("69 inbound rules, above EC2's default quota of 60 per group" in a.reason for a in groups)
    narrow = deploy(load(tmp_path, compose_text(20, "star")), clients_for(clock), DeployOptions(dry_run=True),
                    NullProgress(), clock.sleep, clock)
    assert not any("quota" in a.reason for a in narrow.plan.actions)


def test_bucket_lets_a_burst_through_then_one_call_a_second():
    clock = FakeClock(0.0)
    bucket = Bucket(burst=20, rate=1.0, clock=clock, sleep=clock.sleep)
    for _ in range(25):
        bucket.take()
    assert bucket.waits == [1.0] * 5 and clock.now == 5.0
    clock.sleep(100)  # a quiet spell fills the bucket again
    bucket.take()
    assert bucket.waits == [1.0] * 5


def test_registrations_beyond_the_burst_are_paced_not_throttled(moto, tmp_path):
    clock, recorder = FakeClock(), CallRecorder()
    clients = clients_for(clock, recorder)
    run(load(tmp_path, compose_text(30, "independent")), clients, clock)
    assert Counter(op for _, op in recorder.calls)["RegisterTaskDefinition"] == 30
    waits = clients.pacer.buckets[("ecs", "RegisterTaskDefinition")].waits
    assert waits and all(w <= 20 for w in waits), "the 21st registration on waited its turn"
    assert all(w in clock.sleeps for w in waits), "through the injected sleep"
    assert clients.backoff.retries == []


def test_run_all_finishes_every_read_then_raises_the_first_failure_in_order():
    from compose2ecs.aws.pool import run_all

    done = []

    def read(n):
        done.append(n)
        if n in (3, 5):
            raise AwsError(f"task definition f{n}", "failed")
        return n * 10

    assert run_all(lambda n: n * 10, list(range(4))) == [0, 10, 20, 30]
    with pytest.raises(AwsError) as caught:
        run_all(read, list(range(8)))
    assert str(caught.value).startswith("task definition f3") and sorted(done) == list(range(8))


def test_security_groups_are_created_concurrently_then_their_rules(moto, tmp_path):
    clock, recorder, flight = FakeClock(), CallRecorder(), InFlight("CreateSecurityGroup", "GroupName")
    clients = clients_for(clock, recorder, flight)
    run(load(tmp_path, compose_text(24, "star")), clients, clock)
    assert flight.overlaps == [] and 2 <= flight.peak <= MAX_WORKERS
    ops = [op for _, op in recorder.calls if "SecurityGroup" in op and not op.startswith("Describe")]
    last_create = max(i for i, op in enumerate(ops) if op == "CreateSecurityGroup")
    first_rule = ops.index("AuthorizeSecurityGroupIngress")
    assert ops.count("CreateSecurityGroup") == 24 and last_create < first_rule, "every group exists before rules"
