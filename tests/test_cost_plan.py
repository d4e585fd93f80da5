"""The estimate where it helps: the monthly delta `plan` shows, the report and the bundle README."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from compose2ecs.aws.plan import Live, Plan
from compose2ecs.cost.delta import plan_delta_data, plan_delta_lines, service_deltas
from compose2ecs.cost.prices import Prices, Rate
from tests.aws_fixtures import aws_env, make_clients, make_project, moto, renderer  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
H = 730
# us-east-1, as the offline table has them
TASK = (0.25 * 0.04048 + 0.5 * 0.004445 + 0.005) * H  # one 256/512 task with a public IP: 12.660025 a month
RATES = Prices("us-east-1", "test", {"fargate_x86_vcpu_hour": Rate(0.04048), "fargate_x86_gb_hour": Rate(0.004445),
                                     "public_ipv4_hour": Rate(0.005)})


def live_service(name: str, count: int, public: str = "ENABLED", **extra) -> dict:
    """What DescribeServices returns for a service (the fields the delta reads, plus noise)."""
    return {"serviceName": name, "status": "ACTIVE", "desiredCount": count, "runningCount": count,
            "launchType": "FARGATE", "taskDefinition": f"arn:aws:ecs:us-east-1:123456789012:task-definition/shop-{name}:1",
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": public}},
            **extra}


def live_td(family: str, cpu="256", memory="512", **extra) -> dict:
    return {"family": family, "revision": 1, "cpu": cpu, "memory": memory, "status": "ACTIVE",
            "requiresCompatibilities": ["FARGATE"], **extra}


def test_scaling_a_service_up_is_the_difference_of_its_tasks():
    project = make_project(count=3)
    rows = {r.name: r for r in service_deltas(
        project, {"web": live_service("web", 1)}, {"shop-web": live_td("shop-web")}, RATES)}
    assert rows["web"].before == pytest.approx((TASK, TASK))
    assert rows["web"].after == pytest.approx((3 * TASK, 3 * TASK))
    assert rows["web"].delta == pytest.approx((2 * TASK, 2 * TASK))  # +25.32005
    assert rows["db"].before == (0.0, 0.0)  # not live yet: all of it is new


def test_a_bigger_live_revision_and_a_private_service_are_priced_as_they_run():
    project = make_project()
    rows = {r.name: r for r in service_deltas(
        project, {"api": live_service("api", 1, "DISABLED")},
        {"shop-api": live_td("shop-api", cpu="1024", memory="2048", runtimePlatform={"cpuArchitecture": "X86_64"})},
        RATES)}
    before = (1 * 0.04048 + 2 * 0.004445) * H  # no public IP live
    assert rows["api"].before == pytest.approx((before, before))
    assert rows["api"].delta == pytest.approx((TASK - before, TASK - before))  # the change saves money


def _plan(project, services=None, taskdefs=None):
    return Plan(project, [], Live(services=services or {}, taskdefs=taskdefs or {}))


def test_plan_lines_and_json():
    project = make_project(count=2)
    plan = _plan(project, {"web": live_service("web", 1)}, {"shop-web": live_td("shop-web")})
    data = plan_delta_data(plan)
    assert data["before"] == {"low": 12.66, "high": 12.66}
    assert data["after"] == {"low": 75.96, "high": 75.96}  # 3 services × 2 tasks × 12.660025
    assert data["delta"] == {"low": 63.3, "high": 63.3}
    assert data["complete"] is True
    text = "\n".join(plan_delta_lines(plan))
    assert "12.66 → 75.96 USD (+63.30)" in text
    assert "  web: 12.66 → 25.32 (+12.66)" in text


def test_plan_in_an_unpriced_region_says_so():
    plan = _plan(replace(make_project(), region="eu-west-3"))
    assert plan_delta_data(plan)["complete"] is False
    assert "not estimated: the offline price table has no Fargate rates for eu-west-3" in "\n".join(plan_delta_lines(plan))


def test_the_first_plan_shows_the_whole_monthly_cost(moto):
    from compose2ecs.aws.plan import make_plan, plan_data, render_plan

    plan = make_plan(make_project(), make_clients(), renderer())
    text = render_plan(plan)
    assert "Monthly cost (Fargate tasks and their public IPv4 addresses; us-east-1" in text
    assert "0.00 → 37.98 USD (+37.98)" in text  # 3 services × 12.660025
    assert text.index("Monthly cost") < text.index("Plan: ")
    assert plan_data(plan)["monthly_cost"]["delta"] == {"low": 37.98, "high": 37.98}


# ----------------------------------------------------------------------------- report and bundle
def test_report_and_bundle_readme_carry_the_estimate(tmp_path):
    from compose2ecs import convert
    from compose2ecs.pipeline import InputOptions

    options = InputOptions(files=(str(REPO / "examples" / "webapp" / "compose.yaml"),), region="us-east-1")
    convert.run(options, fmt="cloudformation", output=str(tmp_path / "b") + "/", environ={})
    readme = (tmp_path / "b" / "README.md").read_text()
    assert "About **186.43 USD a month** in `us-east-1`" in readme
    report = (tmp_path / "b" / "report.md").read_text()
    assert "## Estimated monthly cost" in report
    assert "| `web` | 2 × 1 vCPU / 2 GB, FARGATE | 79.38 |" in report
    assert "| **total** | | **186.43** |" in report
    # the saving sits in the service's section, after the rounding finding it comes from
    web = report[report.index("### web"):report.index("### worker")]
    assert web.index("task size rounded up") < web.index("- rounding: about 24.10 USD/month")


def test_report_of_an_unpriced_region_says_what_is_missing(tmp_path):
    from compose2ecs import convert
    from compose2ecs.pipeline import InputOptions

    options = InputOptions(files=(str(REPO / "examples" / "hello" / "compose.yaml"),), region="ap-south-1")
    convert.run(options, fmt="taskdef", output=str(tmp_path / "t"), report=str(tmp_path / "r.md"), environ={})
    report = (tmp_path / "r.md").read_text()
    assert "| **total (incomplete)** | | **3.65** |" in report
    assert "Not priced (no sourced rate for this Region" in report
