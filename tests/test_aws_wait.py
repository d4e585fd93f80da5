"""Waiting for a deployment: success only when *our* deployment completed; rollbacks,
failed rollouts, stopped tasks and timeouts are failures that name their reasons.

botocore's Stubber plays recorded-shape responses (and checks them against the API model),
so the order and parameters of the calls are asserted too.
"""
from __future__ import annotations

import io

import boto3
import pytest
from botocore.stub import Stubber

from compose2ecs.aws.progress import PlainProgress
from compose2ecs.aws.wait import FAILED, OK, PENDING, Waiter, judge, render_failures
from tests.aws_fixtures import FakeClock, recorded

CLUSTER = "shop"


def _ecs():
    return boto3.client("ecs", region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def service(name="api", deployments=None, running=1, desired=1, events=()):
    return {"serviceName": name, "status": "ACTIVE", "runningCount": running, "desiredCount": desired,
            "deployments": deployments if deployments is not None else [deployment()],
            "events": [{"id": str(i), "message": m} for i, m in enumerate(events)]}


def deployment(dep_id="ecs-svc/2", status="PRIMARY", rollout="COMPLETED", reason=""):
    d = {"id": dep_id, "status": status, "rolloutState": rollout}
    if reason:
        d["rolloutStateReason"] = reason
    return d


def test_judge_needs_our_deployment_completed_and_alone():
    assert judge(service(), "ecs-svc/2")[0] == OK
    both = service(deployments=[deployment(rollout="IN_PROGRESS"), deployment("ecs-svc/1", "ACTIVE")])
    assert judge(both, "ecs-svc/2")[0] == PENDING
    assert judge(service(running=0), "ecs-svc/2")[0] == PENDING


def test_judge_sees_a_circuit_breaker_rollback_that_services_stable_would_accept():
    # After a rollback the service is "stable" (one deployment, running == desired) — but it
    # runs the OLD deployment; ours is gone.
    rolled_back = service(deployments=[deployment("ecs-svc/1")])
    state, reason = judge(rolled_back, "ecs-svc/2")
    assert state == FAILED and "rolled back" in reason


def test_judge_reports_a_failed_rollout_with_its_reason():
    failed = service(deployments=[deployment(rollout="FAILED", reason="ECS deployment circuit breaker: tasks failed to start.")])
    assert judge(failed, "ecs-svc/2") == (FAILED, "ECS deployment circuit breaker: tasks failed to start.")


def _describe(stub, *services_):
    stub.add_response("describe_services", {"services": list(services_), "failures": []},
                      {"cluster": CLUSTER, "services": [s["serviceName"] for s in services_]})


def test_wait_polls_until_completed_without_real_sleeping():
    ecs, clock = _ecs(), FakeClock()
    with Stubber(ecs) as stub:
        _describe(stub, service(deployments=[deployment(rollout="IN_PROGRESS")], running=0))
        _describe(stub, service())
        outcomes = Waiter(ecs, CLUSTER, sleep=clock.sleep, clock=clock).wait({"api": "ecs-svc/2"}, 600)
        stub.assert_no_pending_responses()
    assert [(o.service, o.state) for o in outcomes] == [("api", OK)]
    assert sum(clock.sleeps) == 15 and max(clock.sleeps) <= 1, "ticks of 1 s between polls"


def _stopped_tasks(stub):
    stub.add_response("list_tasks", {"taskArns": [t["taskArn"] for t in recorded("describe_tasks_stopped")["tasks"]]},
                      {"cluster": CLUSTER, "serviceName": "api", "desiredStatus": "STOPPED"})
    stub.add_response("describe_tasks", recorded("describe_tasks_stopped"))


def test_a_stopped_task_and_rollback_are_explained_with_events_and_stopped_reasons():
    ecs, clock = _ecs(), FakeClock()
    rolled = service(deployments=[deployment("ecs-svc/1")],
                     events=["(service api) has started 1 tasks: (task 0c1d).",
                             "(service api) rolling back to deployment ecs-svc/1."])
    with Stubber(ecs) as stub:
        _describe(stub, rolled)
        _stopped_tasks(stub)
        outcomes = Waiter(ecs, CLUSTER, sleep=clock.sleep, clock=clock).wait({"api": "ecs-svc/2"}, 600)
    (outcome,) = outcomes
    assert outcome.state == FAILED
    assert "rolling back" in " ".join(outcome.events)
    assert any("Essential container in task exited" in s and "api: exit 1" in s for s in outcome.stopped)
    assert any("CannotPullContainerError" in s for s in outcome.stopped)
    text = render_failures(outcomes, "shop", CLUSTER)
    assert "Nothing was deleted" in text and "compose2ecs down -p shop" in text
    assert "stopped: task 0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f: Essential container in task exited" in text


def test_timeout_gives_up_with_the_reasons_so_far():
    ecs, clock = _ecs(), FakeClock()
    slow = service(deployments=[deployment(rollout="IN_PROGRESS")], running=0, events=["(service api) is unable to place a task"])
    with Stubber(ecs) as stub:
        for _ in range(3):
            _describe(stub, slow)
        stub.add_response("list_tasks", {"taskArns": []}, {"cluster": CLUSTER, "serviceName": "api", "desiredStatus": "STOPPED"})
        outcomes = Waiter(ecs, CLUSTER, sleep=clock.sleep, clock=clock, poll_seconds=15).wait({"api": "ecs-svc/2"}, 30)
    (outcome,) = outcomes
    assert outcome.state == "timeout" and "30 s" in outcome.reason
    assert outcome.events == ["(service api) is unable to place a task"]


def test_services_are_polled_together_in_name_order():
    ecs, clock = _ecs(), FakeClock()
    out = io.StringIO()
    with Stubber(ecs) as stub:
        # one DescribeServices call for both, names sorted (the Stubber checks the parameters)
        stub.add_response("describe_services", {"services": [service("api"), service("web")], "failures": []},
                          {"cluster": CLUSTER, "services": ["api", "web"]})
        Waiter(ecs, CLUSTER, PlainProgress(out, clock), clock.sleep, clock).wait(
            {"web": "ecs-svc/2", "api": "ecs-svc/2"}, 60)
    lines = out.getvalue().splitlines()
    assert [line.split()[2] for line in lines] == ["api:", "web:"]


@pytest.mark.parametrize("state", ["DRAINING", "INACTIVE"])
def test_a_service_deleted_meanwhile_fails(state):
    svc = service()
    svc["status"] = state
    svc["deployments"] = [deployment()]
    assert judge(svc, "ecs-svc/2")[0] == FAILED


class _StuckEcs:
    """A service that never gets its task running; new events arrive as time passes."""

    def __init__(self, clock, events_every: float = 0):
        self.clock, self.events_every, self.calls = clock, events_every, []
        self.start = clock()

    def describe_services(self, cluster, services):
        self.calls.append(self.clock() - self.start)
        count = int((self.clock() - self.start) // self.events_every) if self.events_every else 0
        events = [{"id": str(i), "message": f"(service api) is unable to place a task ({i})"}
                  for i in range(count, -1, -1)]  # newest first, like ECS
        stuck = service(deployments=[deployment(rollout="IN_PROGRESS")], running=0)
        return {"services": [{**stuck, "events": events}]}

    def list_tasks(self, **_kwargs):
        return {"taskArns": []}


def test_the_timeout_is_honest_the_last_poll_is_at_the_deadline():
    # issue 15.5: --timeout 20 took ~30 s (the 15 s poll overshot the deadline)
    clock = FakeClock()
    ecs = _StuckEcs(clock)
    (outcome,) = Waiter(ecs, CLUSTER, sleep=clock.sleep, clock=clock).wait({"api": "ecs-svc/2"}, 20)
    assert outcome.state == "timeout"
    assert ecs.calls == [0, 15, 20]
    assert sum(clock.sleeps) == 20


def test_without_a_terminal_a_waiting_service_prints_a_line_at_a_steady_rhythm():
    # issue 15.5: in CI, 15 minutes of nothing after "waiting — 0/1 running"
    clock, out = FakeClock(), io.StringIO()
    ecs = _StuckEcs(clock, events_every=50)
    Waiter(ecs, CLUSTER, PlainProgress(out, clock), clock.sleep, clock).wait({"api": "ecs-svc/2"}, 300)
    lines = out.getvalue().splitlines()
    waiting = [line for line in lines if "service api: waiting" in line]
    assert waiting[0].endswith("waiting — 0/1 running")
    assert [w.rsplit(", ", 1)[-1] for w in waiting[1:]] == [f"{s} s elapsed" for s in range(30, 301, 30)]
    events = [line for line in lines if "event:" in line]
    assert events[0] == "service api: event: (service api) is unable to place a task (1)"  # history stays quiet
    assert len(events) == 6


def test_on_a_terminal_the_elapsed_column_moves_every_second():
    from compose2ecs.aws.progress import TtyProgress

    clock, out = FakeClock(), io.StringIO()
    Waiter(_StuckEcs(clock), CLUSTER, TtyProgress(out, clock), clock.sleep, clock).wait({"api": "ecs-svc/2"}, 5)
    shown = [int(part.split("s")[0]) for part in out.getvalue().split("waiting")[1:]
             for part in [part.strip()]]
    assert shown[:6] == [0, 1, 2, 3, 4, 5]
