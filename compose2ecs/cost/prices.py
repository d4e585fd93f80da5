"""Rates: the offline table shipped in the package, looked up per Region.

The table is data (``prices.json``), not code: each rate carries its sources, the date it
was read and a confidence, and a Region or item that is not in it stays unpriced (the
estimate says so; it never borrows another Region's rate).
"""
from __future__ import annotations

import json
from dataclasses import field
from functools import lru_cache
from importlib import resources
from typing import Optional

from ..records import record

HOURS_PER_MONTH = 730


@record
class Rate:
    rate: float  # USD per unit
    unit: str = ""
    sources: tuple = ()  # source descriptions (resolved from the table's ``sources``)
    date: str = ""
    confidence: str = ""


@record(slots=False)
class Prices:
    """The rates an estimate uses for one Region. ``origin`` says where they came from."""

    region: str
    origin: str  # "offline table of 2026-07-07" | "AWS Price List API"
    rates: dict = field(default_factory=dict)  # key → Rate (Region rates and global ones)
    known_region: bool = True  # False: the table has no rate for this Region at all

    def get(self, key: str) -> Optional[Rate]:
        return self.rates.get(key)


@lru_cache(maxsize=1)
def load_table() -> dict:
    """The parsed offline table (``compose2ecs/cost/prices.json``)."""
    text = resources.files("compose2ecs").joinpath("cost", "prices.json").read_text("utf-8")
    return json.loads(text)


def _rate(entry: dict, sources: dict) -> Rate:
    return Rate(float(entry["rate"]), entry.get("unit", ""),
                tuple(sources.get(s, s) for s in entry.get("sources", ())),
                entry.get("date", ""), entry.get("confidence", ""))


def offline_prices(region: str, table: Optional[dict] = None) -> Prices:
    """The offline rates for ``region`` plus the Region-independent ones (public IPv4, Spot)."""
    table = load_table() if table is None else table
    sources = table.get("sources", {})
    rates = {key: _rate(entry, sources) for key, entry in table.get("global", {}).items()}
    regional = table.get("regions", {}).get(region)
    for key, entry in (regional or {}).items():
        rates[key] = _rate(entry, sources)
    return Prices(region, f"offline table of {table.get('table_date', '?')}", rates, regional is not None)


def offline_regions(table: Optional[dict] = None) -> tuple:
    """The Regions the offline table has rates for, sorted."""
    table = load_table() if table is None else table
    return tuple(sorted(table.get("regions", {})))


def rates_markdown(table: Optional[dict] = None) -> str:
    """The offline table as the Markdown docs/cost.md shows (a test keeps the two equal)."""
    table = load_table() if table is None else table
    rows = ["| Region | rate | USD | unit | date | confidence | sources |", "|---|---|---:|---|---|---|---|"]
    scopes = [("all", table.get("global", {}))] + sorted(table.get("regions", {}).items())
    for scope, entries in scopes:
        for key, e in sorted(entries.items()):
            rows.append(f"| {scope} | `{key}` | {e['rate']:g} | {e.get('unit', '')} | {e.get('date', '')} | "
                        f"{e.get('confidence', '')} | {', '.join(e.get('sources', ()))} |")
    rows += ["", "| source | what it is |", "|---|---|"]
    rows += [f"| {k} | {v} |" for k, v in sorted(table.get("sources", {}).items())]
    return "\n".join(rows) + "\n"
