"""The monthly cost a ``plan`` changes: the live services (as DescribeServices and the latest
ACTIVE task-definition revision show them) against the ECS model, priced alike.

Scope: Fargate tasks and their public IPv4 addresses, per service the plan deploys — what
``deploy`` creates and changes. Services the plan does not touch are not in it, and the
load balancer, EFS and logs are not compared (the direct deployer creates none of them, or
their cost does not depend on the change). Offline table, default assumptions.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from .estimate import add_ranges, service_estimate
from .prices import HOURS_PER_MONTH, Prices, offline_prices
from .render import money
from ..records import record

SCOPE = "Fargate tasks and their public IPv4 addresses"


@record(slots=False)
class ServiceDelta:
    name: str
    before: tuple  # monthly (low, high) USD; (0, 0) when the service does not exist yet
    after: tuple

    @property
    def delta(self) -> tuple:
        return self.after[0] - self.before[0], self.after[1] - self.before[1]


def _monthly(service_est) -> tuple:
    return tuple(h * HOURS_PER_MONTH for h in add_ranges(line.hourly for line in service_est.lines))


def live_shape(svc, td, live_service: dict, live_td: Optional[dict]):
    """(Service, TaskDefinition) as they run now: the model's with the live count, capacity,
    public IP and the live revision's size, architecture and storage."""
    vpc = (live_service.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    strategy = tuple((p["capacityProvider"], p.get("weight", 0), p.get("base", 0))
                     for p in live_service.get("capacityProviderStrategy") or ())
    svc = replace(svc, desired_count=int(live_service.get("desiredCount", 0)), autoscaling=None,
                  launch_type=live_service.get("launchType") or (None if strategy else "FARGATE"),
                  capacity_provider_strategy=strategy, assign_public_ip=vpc.get("assignPublicIp") == "ENABLED")
    if live_td:
        platform = live_td.get("runtimePlatform") or {}
        td = replace(td, cpu=str(live_td.get("cpu") or td.cpu), memory=str(live_td.get("memory") or td.memory),
                     cpu_architecture=platform.get("cpuArchitecture"),
                     operating_system_family=platform.get("operatingSystemFamily"),
                     ephemeral_storage_gib=(live_td.get("ephemeralStorage") or {}).get("sizeInGiB"),
                     requires_compatibilities=tuple(live_td.get("requiresCompatibilities") or ("FARGATE",)))
    return svc, td


def service_deltas(project, live_services: dict, live_taskdefs: dict, prices: Prices) -> list:
    """One ServiceDelta per service of ``project`` (pure: the live dicts are passed in)."""
    out = []
    for svc in project.services:
        td = project.task_definition(svc.task_definition)
        after = _monthly(service_estimate(project, svc, td, prices))
        current = live_services.get(svc.name)
        before = (0.0, 0.0)
        if current:
            live_svc, live_td = live_shape(svc, td, current, live_taskdefs.get(td.family))
            before = _monthly(service_estimate(project, live_svc, live_td, prices))
        out.append(ServiceDelta(svc.name, before, after))
    return out


def _complete(project, prices: Prices) -> bool:
    return prices.known_region and prices.get("fargate_x86_vcpu_hour") is not None


def plan_delta_data(plan) -> dict:
    """``plan --output json``: ``monthly_cost`` (before, after, delta; USD a month, low/high)."""
    prices = offline_prices(plan.project.region)
    rows = service_deltas(plan.project, plan.live.services, plan.live.taskdefs, prices)
    before, after = add_ranges(r.before for r in rows), add_ranges(r.after for r in rows)
    rng = lambda r: {"low": round(r[0], 2), "high": round(r[1], 2)}  # noqa: E731
    return {"scope": SCOPE, "region": plan.project.region, "prices": prices.origin,
            "complete": _complete(plan.project, prices),
            "before": rng(before), "after": rng(after), "delta": rng((after[0] - before[0], after[1] - before[1])),
            "services": [{"name": r.name, "before": rng(r.before), "after": rng(r.after), "delta": rng(r.delta)}
                         for r in rows]}


def _signed(r: tuple) -> str:
    text = money(tuple(abs(x) for x in r)) if r[0] * r[1] >= 0 else money(r)
    return ("+" if r[1] >= 0 and r[0] >= 0 else "-" if r[0] <= 0 and r[1] <= 0 else "") + text


def plan_delta_lines(plan) -> list:
    """The lines ``plan`` prints under the actions."""
    data = plan_delta_data(plan)
    if not data["complete"]:
        return ["", f"Monthly cost: not estimated: the offline price table has no Fargate rates for "
                    f"{data['region']} (`compose2ecs cost --prices live` reads the AWS Price List API)"]
    pair = lambda r: (r["low"], r["high"])  # noqa: E731
    lines = ["", f"Monthly cost ({SCOPE}; {data['region']}, {data['prices']}): "
                 f"{money(pair(data['before']))} → {money(pair(data['after']))} USD "
                 f"({_signed(pair(data['delta']))})"]
    for row in data["services"]:
        if row["before"] != row["after"]:
            lines.append(f"  {row['name']}: {money(pair(row['before']))} → {money(pair(row['after']))} "
                         f"({_signed(pair(row['delta']))})")
    return lines
