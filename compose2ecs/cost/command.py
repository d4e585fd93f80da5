"""``compose2ecs cost``: inputs → ECS model → estimate → text or JSON (what the CLI prints)."""
from __future__ import annotations

import json
import os
from typing import Callable, Optional

from ..errors import Location, UserError
from .assume import parse_assumptions

PRICE_SOURCES = ("offline", "live")
OUTPUTS = ("text", "json")


def region_note(options, environ) -> str:
    """Where the Region came from, as the lowering decided it (``ecs/lower.py`` resolve_region)."""
    from ..ecs.lower import LowerOptions, resolve_region
    from ..pipeline import aws_config_region

    _, source = resolve_region(LowerOptions(region=options.region), environ, lambda: aws_config_region(environ))
    return source or "no Region configured: the us-east-1 default"


def run(options, *, assume=(), prices: str = "offline", output: str = "text", environ=None, stdin=None,
        client_factory: Optional[Callable] = None) -> tuple:
    """(text to print, findings). ``client_factory()`` gives the pricing client for ``--prices live``."""
    for value, choices, flag in ((prices, PRICE_SOURCES, "--prices"), (output, OUTPUTS, "--output")):
        if value not in choices:
            raise UserError.at(Location(key_path=(flag,)), f"{value!r} is not one of: {', '.join(choices)}",
                               f"use {flag} {choices[0]} or {choices[1]}")
    assumptions = parse_assumptions(assume)
    from ..pipeline import convert_inputs
    from .estimate import estimate
    from .prices import offline_prices
    from .render import estimate_data, render_text

    env = dict(os.environ) if environ is None else environ
    conversion = convert_inputs(options, env, stdin)
    ecs = conversion.ecs
    table, differences = offline_prices(ecs.region), ()
    if prices == "live":
        table, differences = _live(client_factory or _default_client, ecs.region, table)
    est = estimate(ecs, table, assumptions, region_note(options, env))
    if output == "json":
        return json.dumps(estimate_data(est, differences), indent=2, sort_keys=True) + "\n", conversion.findings
    return render_text(est, differences), conversion.findings


def _live(factory, region: str, offline) -> tuple:
    """The live rates; botocore failures become one AwsError line (exit 4), a missing boto3 a hint."""
    try:
        import boto3  # noqa: F401  (only here: the offline estimate never loads it)

        from ..aws.errors import aws_errors
        from .live import live_prices
    except ImportError:  # pragma: no cover - boto3/botocore not installed
        raise UserError.at(Location(key_path=("--prices",)), "--prices live needs boto3",
                           "pip install 'compose2ecs[aws]', or use the offline table (--prices offline)") from None
    with aws_errors(f"pricing:GetProducts (AmazonECS, {region})"):
        return live_prices(factory(), region, offline)


def _default_client():
    from .live import pricing_client

    return pricing_client(os.environ.get("AWS_PROFILE") or None, os.environ.get("AWS_ENDPOINT_URL") or None)
