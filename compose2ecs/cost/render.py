"""The estimate for people (an aligned terminal table, a Markdown section) and for CI (JSON).

All three show the same figures: the JSON keeps hourly figures to 6 decimals and monthly ones
to cents; the text rounds hourly to 4 decimals. Ranges print as ``low–high``.
"""
from __future__ import annotations

from .assume import BY_KEY
from .prices import HOURS_PER_MONTH

SCHEMA = "compose2ecs.cost/1"


def money(r, digits: int = 2) -> str:
    if r is None:
        return "not priced"
    low, high = (f"{x:,.{digits}f}" for x in r)
    return low if low == high else f"{low}–{high}"


def monthly(hourly):
    return None if hourly is None else tuple(h * HOURS_PER_MONTH for h in hourly)


def _table(rows: list, right: set) -> list:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        out.append("  ".join(cells).rstrip())
    return out


def render_text(est, differences=()) -> str:
    """The terminal table, then assumptions, rates, notes and savings."""
    where = f" ({est.region_note})" if est.region_note else ""
    lines = [f"Cost estimate for {est.project} in {est.region}{where}; prices: {est.prices.origin}; "
             f"USD, {HOURS_PER_MONTH} hours a month", ""]
    rows = [("SERVICE", "ITEM", "QUANTITY", "USD/HOUR", "USD/MONTH")]
    for s in est.services:
        for line in s.lines:
            rows.append((s.name, line.label, line.quantity, money(line.hourly, 4), money(line.monthly)))
        if len(s.lines) > 1:
            rows.append((s.name, "subtotal", _size(s), money(s.hourly, 4), money(monthly(s.hourly))))
    for line in est.project_lines:
        rows.append(("(project)", line.label, line.quantity, money(line.hourly, 4), money(line.monthly)))
    incomplete = " (incomplete)" if est.unpriced() else ""
    rows.append(("TOTAL" + incomplete, "", "", money(est.hourly, 4), money(est.monthly)))
    lines += _table(rows, {3, 4})
    lines += ["", "Assumptions (change with --assume KEY=VALUE):"]
    lines += _table([(f"  {k}={v:g}", BY_KEY[k].meaning) for k, v in est.assumptions], set())
    lines += ["", f"Rates used ({est.prices.origin}):"]
    for key, rate in _used_rates(est):
        value = f"{rate.rate:g} ({rate.unit})" if rate.unit.startswith("fraction") else f"{rate.rate:g} USD/{rate.unit}"
        lines.append(f"  {key} = {value}" + (f"  [{rate.date}, confidence {rate.confidence}]" if rate.date else ""))
    unpriced = est.unpriced()
    if unpriced:
        lines += ["", "Not priced (left out of the total):"]
        lines += [f"  {line.label}: {line.note or 'no rate for ' + (line.rate_key or 'it') + ' in ' + est.region}"
                  for line in unpriced]
    if est.notes:
        lines += ["", "Notes:"] + [f"  - {n}" for n in est.notes]
    if differences:
        lines += ["", "Live prices differ from the offline table:"] + [f"  {d}" for d in differences]
    if est.savings:
        lines += ["", "Possible savings (USD/month, per service, next to the finding they come from):"]
        for s in est.savings:
            lines += [f"  {s.service}: {s.kind}: {money(s.monthly)}  ({s.at})", f"      {s.message}"]
    return "\n".join(lines) + "\n"


def _size(s) -> str:
    tasks = f"{s.tasks[0]}" if s.tasks[0] == s.tasks[1] else f"{s.tasks[0]}–{s.tasks[1]}"
    return f"{tasks} × {s.cpu_units / 1024:g} vCPU / {s.memory_mib / 1024:g} GB, {s.launch}"


def _used_rates(est) -> list:
    keys = sorted({line.rate_key for line in est.lines() if line.rate_key and line.hourly is not None})
    if any(s.launch == "FARGATE_SPOT" for s in est.services):
        keys += [k for k in ("spot_discount_min", "spot_discount_max") if est.prices.get(k)]
    return [(k, est.prices.get(k)) for k in keys]


def _range(r, digits: int) -> dict:
    return None if r is None else {"low": round(r[0], digits), "high": round(r[1], digits)}


def _line(line) -> dict:
    return {"item": line.item, "label": line.label, "quantity": line.quantity, "rate_key": line.rate_key,
            "priced": line.hourly is not None, "hourly": _range(line.hourly, 6),
            "monthly": _range(line.monthly, 2), "note": line.note}


def estimate_data(est, differences=()) -> dict:
    """The estimate as the ``--output json`` document (schema ``compose2ecs.cost/1``, docs/cost.md)."""
    return {
        "schema": SCHEMA, "project": est.project, "region": est.region, "region_source": est.region_note,
        "currency": "USD", "hours_per_month": HOURS_PER_MONTH,
        "prices": {"origin": est.prices.origin, "region_known": est.prices.known_region,
                   "rates": {k: {"rate": r.rate, "unit": r.unit, "date": r.date, "confidence": r.confidence,
                                 "sources": list(r.sources)} for k, r in _used_rates(est)}},
        "services": [{"name": s.name, "launch": s.launch, "cpu_units": s.cpu_units, "memory_mib": s.memory_mib,
                      "architecture": s.architecture, "os": s.os, "tasks": {"min": s.tasks[0], "max": s.tasks[1]},
                      "public_ip": s.public_ip, "lines": [_line(x) for x in s.lines],
                      "hourly": _range(s.hourly, 6), "monthly": _range(monthly(s.hourly), 2)}
                     for s in est.services],
        "project_lines": [_line(x) for x in est.project_lines],
        "total": {"hourly": _range(est.hourly, 6), "monthly": _range(est.monthly, 2),
                  "complete": not est.unpriced()},
        "unpriced": [x.item for x in est.unpriced()],
        "assumptions": dict(est.assumptions),
        "notes": list(est.notes),
        "savings": [{"service": s.service, "kind": s.kind, "monthly": _range(s.monthly, 2), "message": s.message,
                     "at": s.at} for s in est.savings],
        "live_differences": list(differences),
    }


def report_context(ecs) -> dict:
    """The estimate the report and the bundle README show: offline prices of the project's Region,
    the default assumptions (both pure: no network, no environment)."""
    from .assume import defaults
    from .estimate import estimate
    from .prices import offline_prices

    return markdown_rows(estimate(ecs, offline_prices(ecs.region), defaults()))


def markdown_rows(est) -> dict:
    """What the report and the bundle README templates show (plain strings, already formatted)."""
    return {
        "origin": est.prices.origin, "region": est.region,
        "services": [{"name": s.name, "size": _size(s), "public_ip": s.public_ip,
                      "hourly": money(s.hourly, 4), "monthly": money(monthly(s.hourly))} for s in est.services],
        "project_lines": [{"label": x.label, "quantity": x.quantity, "monthly": money(x.monthly)}
                          for x in est.project_lines],
        "by_service": {s.name: money(monthly(s.hourly)) for s in est.services},
        "total": money(est.monthly), "complete": not est.unpriced(),
        "unpriced": [x.label for x in est.unpriced()],
        "assumptions": ", ".join(f"`{k}={v:g}`" for k, v in est.assumptions),
        "notes": list(est.notes),
        "savings": _savings_by_service(est),
    }


def _savings_by_service(est) -> dict:
    out: dict = {}
    for s in est.savings:
        out.setdefault(s.service, []).append(f"{s.kind}: about {money(s.monthly)} USD/month: {s.message} (`{s.at}`)")
    return out
