"""The estimate: a pure function of the ECS model, the rates and the assumptions.

Per ECS service: Fargate vCPU and memory at the task size the task definition declares (the
rounded-up Fargate size, which is what AWS bills), × the number of tasks (desired count, or
the autoscaling min–max as a range), at the rate of the task's CPU architecture and OS, Spot
as a discount range, ephemeral storage over the free 20 GB, and one public IPv4 address per
task that gets one. Project-wide: the load balancer (hour, capacity units, one public IPv4 per
AZ), EFS storage and CloudWatch Logs, the last three from explicit assumptions.

Every figure is an hourly (low, high) range in USD; per month = × 730 hours. A line whose rate
is not in the price table is kept with ``hourly=None`` so the output names what is missing.
"""
from __future__ import annotations

from dataclasses import field, replace
from typing import Optional

from .prices import HOURS_PER_MONTH, Prices
from .rates import ARCH_LABEL, COMPUTE_RATES, LB_RATES, priced, spot_multipliers
from ..records import record

FREE_STORAGE_GIB = 20  # Fargate includes 20 GB of ephemeral storage per task

EC2_NOTE = ("EC2 launch type: instance costs are not estimated. The tasks run on container instances you "
            "choose (instance type, count, On-Demand/Reserved/Spot), which the task definition does not decide; "
            "price those instances with the EC2 pricing page")


@record
class Line:
    """One billed item. ``hourly`` is (low, high) USD per hour, or None when it is not priced."""

    item: str  # machine key, e.g. fargate-vcpu, public-ipv4, load-balancer (docs/cost.md lists them)
    label: str
    quantity: str
    hourly: Optional[tuple]
    rate_key: str = ""
    note: str = ""

    @property
    def monthly(self) -> Optional[tuple]:
        return None if self.hourly is None else tuple(h * HOURS_PER_MONTH for h in self.hourly)


@record
class ServiceEstimate:
    name: str
    launch: str  # FARGATE | FARGATE_SPOT | EC2
    cpu_units: int
    memory_mib: int
    architecture: str  # x86_64 | arm64
    os: str  # LINUX | WINDOWS
    tasks: tuple  # (low, high)
    public_ip: bool
    lines: tuple  # Line

    @property
    def hourly(self) -> Optional[tuple]:
        """The service's (low, high) USD/h; None when none of its lines is priced (EC2, unknown Region)."""
        if all(line.hourly is None for line in self.lines):
            return None
        return add_ranges(line.hourly for line in self.lines)


@record(slots=False)
class Estimate:
    project: str
    region: str
    region_note: str  # where the Region came from ("--region", "default: no region configured", …)
    prices: Prices
    services: tuple  # ServiceEstimate
    project_lines: tuple  # Line
    assumptions: tuple  # (key, value) pairs, sorted
    notes: tuple = ()  # plain sentences printed under the table
    savings: tuple = field(default=())  # savings.Saving

    def lines(self) -> list:
        return [line for s in self.services for line in s.lines] + list(self.project_lines)

    @property
    def hourly(self) -> tuple:
        return add_ranges(line.hourly for line in self.lines())

    @property
    def monthly(self) -> tuple:
        return tuple(h * HOURS_PER_MONTH for h in self.hourly)

    def unpriced(self) -> list:
        """Lines left out of the total because the price table has no rate for them."""
        return [line for line in self.lines() if line.hourly is None]


def add_ranges(ranges) -> tuple:
    low = high = 0.0
    for r in ranges:
        if r is not None:
            low, high = low + r[0], high + r[1]
    return low, high


def estimate(ecs, prices: Prices, assumptions: dict, region_note: str = "") -> Estimate:
    """The estimate of ``ecs`` (an EcsProject) at ``prices`` under ``assumptions`` (assume.py)."""
    from .savings import savings

    services = tuple(service_estimate(ecs, svc, ecs.task_definition(svc.task_definition), prices)
                     for svc in ecs.services)
    notes = []
    if not prices.known_region:
        notes.append(f"{prices.region}: the offline price table has no sourced Fargate rates for this Region, so "
                     "its Fargate, load-balancer, EFS and log lines are not priced (never guessed); run with "
                     "--prices live, or see docs/cost.md for the Regions the table covers")
    if any(s.launch == "EC2" for s in services):
        notes.append(EC2_NOTE)
    if any(s.launch == "FARGATE_SPOT" for s in services):
        notes.append("Fargate Spot is shown as a range: its price moves with supply and demand "
                     f"({_pct(prices, 'spot_discount_min')}–{_pct(prices, 'spot_discount_max')} below on-demand is typical)")
    lines, lb_notes = project_lines(ecs, prices, assumptions)
    result = Estimate(ecs.name, ecs.region, region_note, prices, services, lines,
                      tuple(sorted(assumptions.items())), tuple(notes + lb_notes))
    return replace(result, savings=tuple(savings(ecs, result)))


def _pct(prices: Prices, key: str) -> str:
    rate = prices.get(key)
    return f"{rate.rate * 100:g} %" if rate else "?"


def launch_of(svc, td) -> str:
    if svc.launch_type == "EC2" or ("EC2" in td.requires_compatibilities
                                    and "FARGATE" not in td.requires_compatibilities):
        return "EC2"
    providers = {p[0] for p in svc.capacity_provider_strategy}
    return "FARGATE_SPOT" if "FARGATE_SPOT" in providers else "FARGATE"


def has_public_ip(ecs, svc, launch: str) -> bool:
    """As the emitters decide it: the service's x-ecs setting, else the project's, else ENABLED
    (tasks in the default VPC's public subnets need it to pull images)."""
    if launch == "EC2":
        return False
    if getattr(svc, "egress_public_ip", False):
        return True  # `compose2ecs deploy` into the default VPC (no NAT): a public IP to pull images
    if svc.assign_public_ip is not None:
        return bool(svc.assign_public_ip)
    return dict(ecs.extensions).get("assign_public_ip") is not False


def task_counts(svc) -> tuple:
    if svc.autoscaling is not None:
        return svc.autoscaling.min_capacity, svc.autoscaling.max_capacity
    return svc.desired_count, svc.desired_count


def _count(tasks: tuple, word: str = "task", plural: str = "") -> str:
    n = f"{tasks[0]}" if tasks[0] == tasks[1] else f"{tasks[0]}–{tasks[1]}"
    return f"{n} {word if tasks == (1, 1) else plural or word + 's'}"


def service_estimate(ecs, svc, td, prices: Prices) -> ServiceEstimate:
    """The lines of one ECS service."""
    launch = launch_of(svc, td)
    arch = td.cpu_architecture or "X86_64"
    os_family = "WINDOWS" if (td.operating_system_family or "").startswith("WINDOWS") else "LINUX"
    tasks = task_counts(svc)
    public = has_public_ip(ecs, svc, launch)
    cpu, mem = int(td.cpu), int(td.memory)
    base = dict(name=svc.name, launch=launch, cpu_units=cpu, memory_mib=mem, architecture=ARCH_LABEL.get(arch, arch),
                os=os_family, tasks=tasks, public_ip=public)
    if launch == "EC2":
        return ServiceEstimate(**base, lines=(Line("ec2-instances", "EC2 container instances", _count(tasks), None,
                                                   note="not estimated: EC2 launch type"),))
    vcpu, gb = cpu / 1024, mem / 1024
    mult = spot_multipliers(svc, prices)
    vcpu_key, gb_key, os_key = COMPUTE_RATES.get((os_family, arch), ("", "", ""))
    spot = " Spot" if launch == "FARGATE_SPOT" else ""
    label = f"{ARCH_LABEL.get(arch, arch)}{', Windows' if os_family == 'WINDOWS' else ''}{spot}"
    lines = [Line("fargate-vcpu", f"Fargate vCPU ({label})", f"{_count(tasks)} × {vcpu:g} vCPU",
                  priced(prices, vcpu_key, vcpu, tasks, mult), vcpu_key),
             Line("fargate-memory", f"Fargate memory ({label})", f"{_count(tasks)} × {gb:g} GB",
                  priced(prices, gb_key, gb, tasks, mult), gb_key)]
    if os_key:
        lines.append(Line("fargate-windows-os", "Windows licence", f"{_count(tasks)} × {vcpu:g} vCPU",
                          priced(prices, os_key, vcpu, tasks), os_key))
    extra = (td.ephemeral_storage_gib or FREE_STORAGE_GIB) - FREE_STORAGE_GIB
    if extra > 0:
        lines.append(Line("fargate-storage", "ephemeral storage over 20 GB", f"{_count(tasks)} × {extra} GB",
                          priced(prices, "fargate_storage_gb_hour", extra, tasks), "fargate_storage_gb_hour"))
    if public:
        lines.append(Line("public-ipv4", "public IPv4 address", _count(tasks, "address", "addresses"),
                          priced(prices, "public_ipv4_hour", 1, tasks), "public_ipv4_hour"))
    return ServiceEstimate(**base, lines=tuple(lines))


def project_lines(ecs, prices: Prices, a: dict) -> tuple:
    """(lines, notes) for what the project shares: load balancer, EFS, CloudWatch Logs."""
    lines, notes = [], []
    one = (1, 1)
    targets = any(s.load_balancer for s in ecs.services)
    if ecs.load_balancer in LB_RATES and targets:
        if dict(ecs.extensions).get("load_balancer_arn"):
            notes.append("the project reuses an existing load balancer (load_balancer_arn): its charges are "
                         "already being paid and are not counted here")
        else:
            hour_key, lcu_key, unit = LB_RATES[ecs.load_balancer]
            kind = ecs.load_balancer.upper()
            lcu, azs = a["lcu"], int(a["load-balancer-azs"])
            lines += [Line("load-balancer", f"{kind} (hourly charge)", "1 load balancer",
                           priced(prices, hour_key, 1, one), hour_key),
                      Line("load-balancer-capacity", f"{kind} capacity units", f"{lcu:g} {unit} (assumed: lcu)",
                           priced(prices, lcu_key, lcu, one), lcu_key),
                      Line("load-balancer-ipv4", f"{kind} public IPv4 (one per AZ)",
                           f"{azs} address{'es' if azs != 1 else ''} (assumed: load-balancer-azs)",
                           priced(prices, "public_ipv4_hour", azs, one), "public_ipv4_hour")]
    if ecs.efs_volumes:
        count, size = len(ecs.efs_volumes), a["efs-gb"]
        lines.append(Line("efs-storage", "EFS storage (Standard)",
                          f"{count} file system{'s' if count != 1 else ''} × {size:g} GB (assumed: efs-gb)",
                          _monthly(prices, "efs_gb_month", count * size), "efs_gb_month"))
    if ecs.log_groups:
        gb = a["logs-gb-per-month"]
        days = max(g.retention_days for g in ecs.log_groups)
        stored = gb * days / 30
        lines += [Line("logs-ingestion", "CloudWatch Logs ingestion", f"{gb:g} GB/month (assumed: logs-gb-per-month)",
                       _monthly(prices, "logs_ingest_gb", gb), "logs_ingest_gb"),
                  Line("logs-storage", "CloudWatch Logs storage",
                       f"{stored:g} GB kept ({days}-day retention)", _monthly(prices, "logs_storage_gb_month", stored),
                       "logs_storage_gb_month")]
    return tuple(lines), notes


def _monthly(prices: Prices, key: str, quantity: float) -> Optional[tuple]:
    """A monthly rate as an hourly range (the table keeps one unit: USD per hour)."""
    rate = prices.get(key)
    if rate is None:
        return None
    hourly = quantity * rate.rate / HOURS_PER_MONTH
    return hourly, hourly
