"""What choosing differently would save, next to the finding (or the compose key) that implies it.

Three choices the lowering already knows about: a task size rounded up to a Fargate size
(the rounding finding), x86_64 where arm64 may do, and a public IPv4 address per task.
Each saving is a monthly (low, high) USD range for the whole service (all its tasks).
"""
from __future__ import annotations


from ..ecs import fargate
from ..ecs.resources import need
from .prices import HOURS_PER_MONTH
from .rates import COMPUTE_RATES, LB_RATES, priced, spot_multipliers
from ..records import record

ROUNDED = "task size rounded up"  # the lowering's finding (ecs/resources.py _report_rounding)


@record
class Saving:
    service: str
    kind: str  # rounding | arm64 | public-ipv4
    monthly: tuple  # (low, high) USD per month
    message: str
    at: str = ""  # the finding's location (or the compose key) this saving belongs to


def savings(ecs, est) -> list:
    """Every saving of the estimate ``est`` of ``ecs``, in service order (rounding, arm64, IPv4)."""
    out = []
    by_name = {s.name: s for s in est.services}
    for svc in ecs.services:
        item = by_name[svc.name]
        if item.launch == "EC2":
            continue
        td = ecs.task_definition(svc.task_definition)
        for rule in (_rounding, _arm64, _public_ipv4):
            saving = rule(ecs, svc, td, item, est.prices)
            if saving is not None and saving.monthly[1] > 0:
                out.append(saving)
    return out


def _month(hourly) -> tuple:
    return tuple(h * HOURS_PER_MONTH for h in hourly)


def _compute(prices, item, svc, vcpu: float, gb: float):
    """(low, high) USD/h of ``vcpu`` and ``gb`` per task for the service's tasks; None if unpriced."""
    keys = COMPUTE_RATES.get((item.os, "ARM64" if item.architecture == "arm64" else "X86_64"))
    if not keys:
        return None
    mult = spot_multipliers(svc, prices)
    cpu, mem = priced(prices, keys[0], vcpu, item.tasks, mult), priced(prices, keys[1], gb, item.tasks, mult)
    if cpu is None or mem is None:
        return None
    return cpu[0] + mem[0], cpu[1] + mem[1]


def _rounding(ecs, svc, td, item, prices):
    finding = next((f for f in ecs.findings if f.service in svc.compose_services and f.message.startswith(ROUNDED)),
                   None)
    if finding is None:
        return None
    need_cpu, need_mem = need(td.containers)
    if any(s.service_connect for s in ecs.services):  # the proxy's headroom is needed, not waste
        need_cpu, need_mem = need_cpu + fargate.SERVICE_CONNECT_CPU, need_mem + fargate.SERVICE_CONNECT_MEMORY
    spare_cpu, spare_mem = max(item.cpu_units - need_cpu, 0) / 1024, max(item.memory_mib - need_mem, 0) / 1024
    hourly = _compute(prices, item, svc, spare_cpu, spare_mem)
    if hourly is None:
        return None
    return Saving(svc.name, "rounding", _month(hourly),
                  f"{_spare(spare_cpu, spare_mem)} per task paid for but not requested "
                  f"(rounded up to {item.cpu_units / 1024:g} vCPU / {item.memory_mib / 1024:g} GB); limits that "
                  "match a Fargate size use or avoid them", str(finding.location))


def _spare(cpu: float, mem: float) -> str:
    parts = [f"{cpu:g} vCPU" if cpu else "", f"{mem:.3g} GB" if mem else ""]
    return " and ".join(p for p in parts if p)


def _arm64(ecs, svc, td, item, prices):
    if item.architecture != "x86_64" or item.os != "LINUX" or item.launch != "FARGATE":
        return None  # Fargate Spot and Windows run on x86_64 only
    vcpu, gb = item.cpu_units / 1024, item.memory_mib / 1024
    x86 = _compute(prices, item, svc, vcpu, gb)
    arm_cpu = priced(prices, "fargate_arm_vcpu_hour", vcpu, item.tasks)
    arm_mem = priced(prices, "fargate_arm_gb_hour", gb, item.tasks)
    if x86 is None or arm_cpu is None or arm_mem is None:
        return None
    hourly = (x86[0] - arm_cpu[0] - arm_mem[0], x86[1] - arm_cpu[1] - arm_mem[1])
    return Saving(svc.name, "arm64", _month(hourly),
                  "arm64 (Graviton) would cost this much less if every image of the task is published for "
                  "linux/arm64: set `platform: linux/arm64` on the compose service", str(svc.at))


def _public_ipv4(ecs, svc, td, item, prices):
    if not item.public_ip:
        return None
    hourly = priced(prices, "public_ipv4_hour", 1, item.tasks)
    if hourly is None:
        return None
    published = [m for c in td.containers for m in c.port_mappings if m.published]
    at = str(published[0].at) if published else str(svc.at)
    private = ("tasks in private subnets (NAT gateway or VPC endpoints for image pulls; "
               "x-ecs `assign_public_ip: false`) need none")
    if not published:
        why = "its tasks publish no port: the public IP only carries outbound traffic (image pulls); " + private
    elif svc.load_balancer and ecs.load_balancer in LB_RATES:
        why = "its published port is reached through the load balancer, not the task's address; " + private
    else:
        ports = ", ".join(f"{p}/{proto}" for p, proto in svc.public_ports)
        why = (f"its tasks have a public IP because a port is published ({ports}); behind a load balancer "
               f"(--load-balancer alb) the tasks need none, though the load balancer has its own charges")
    return Saving(svc.name, "public-ipv4", _month(hourly), why, at)
