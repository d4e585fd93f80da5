"""Which rate of the price table bills what, and pricing a quantity at a rate.

Shared by the estimate (estimate.py) and the savings it suggests (savings.py), which is why it is
its own module: savings.py reads the estimate, so estimate.py must not be what savings.py imports.
"""
from __future__ import annotations

from typing import Optional

from .prices import Prices

# (OS, architecture) → (vCPU rate key, GB rate key, OS licence rate key or "")
COMPUTE_RATES = {
    ("LINUX", "X86_64"): ("fargate_x86_vcpu_hour", "fargate_x86_gb_hour", ""),
    ("LINUX", "ARM64"): ("fargate_arm_vcpu_hour", "fargate_arm_gb_hour", ""),
    ("WINDOWS", "X86_64"): ("fargate_windows_vcpu_hour", "fargate_windows_gb_hour", "fargate_windows_os_vcpu_hour"),
}
ARCH_LABEL = {"X86_64": "x86_64", "ARM64": "arm64"}
LB_RATES = {"alb": ("alb_hour", "alb_lcu_hour", "LCU"), "nlb": ("nlb_hour", "nlb_lcu_hour", "NLCU")}


def spot_multipliers(svc, prices: Prices) -> tuple:
    """(low, high) multipliers of the on-demand price: (1, 1) unless the service uses Fargate Spot.
    A strategy that mixes FARGATE and FARGATE_SPOT runs between the two: high stays on-demand."""
    providers = {p[0] for p in svc.capacity_provider_strategy}
    if "FARGATE_SPOT" not in providers:
        return 1.0, 1.0
    most, least = prices.get("spot_discount_max"), prices.get("spot_discount_min")
    low = 1 - most.rate if most else 1.0
    high = 1.0 if "FARGATE" in providers or least is None else 1 - least.rate
    return low, high


def priced(prices: Prices, key: str, per_task: float, tasks: tuple, mult: tuple = (1.0, 1.0)) -> Optional[tuple]:
    rate = prices.get(key)
    if rate is None:
        return None
    return per_task * rate.rate * tasks[0] * mult[0], per_task * rate.rate * tasks[1] * mult[1]
