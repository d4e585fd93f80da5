"""``--assume KEY=VALUE``: the usage an estimate cannot read from the compose file.

Every assumption has a default that is printed with the estimate, so a figure is never based
on something the user cannot see or change.
"""
from __future__ import annotations

import difflib

from ..errors import Location, UserError, diagnostic
from ..records import record


@record
class Assumption:
    key: str
    default: float
    meaning: str


ASSUMPTIONS = (
    Assumption("logs-gb-per-month", 1.0, "GB of logs all tasks send to CloudWatch Logs per month"),
    Assumption("efs-gb", 1.0, "GB stored on each EFS file system (Standard storage class)"),
    Assumption("lcu", 1.0, "load-balancer capacity units used on average (LCU for an ALB, NLCU for an NLB)"),
    Assumption("load-balancer-azs", 2.0, "Availability Zones (subnets) of the load balancer: one public IPv4 each"),
)
BY_KEY = {a.key: a for a in ASSUMPTIONS}


def defaults() -> dict:
    return {a.key: a.default for a in ASSUMPTIONS}


def parse_assumptions(values) -> dict:
    """``["efs-gb=50"]`` → the full assumption dict (defaults for what was not given).

    Raises UserError naming every bad value: unknown key, not a number, negative.
    """
    out, errors = defaults(), []
    for value in values or ():
        key, sep, text = value.partition("=")
        where = Location(key_path=(f"--assume {value}",))
        if key not in BY_KEY:
            close = difflib.get_close_matches(key, list(BY_KEY), n=1)
            errors.append(diagnostic(where, f"{key!r} is not an assumption the estimate uses",
                                     f"did you mean {close[0]!r}?" if close else "use one of: " + ", ".join(BY_KEY)))
            continue
        try:
            number = float(text) if sep else None
        except ValueError:
            number = None
        if number is None or number != number or number in (float("inf"), float("-inf")) or number < 0:
            errors.append(diagnostic(where, f"{text!r} is not a number of {BY_KEY[key].meaning}",
                                     f"write --assume {key}=NUMBER (0 or more)"))
            continue
        out[key] = number
    if errors:
        raise UserError(errors)
    return out
