"""``--prices live``: the Fargate rates from the AWS Price List API (``pricing:GetProducts``).

The Price List API lives in us-east-1 (and a few other Regions) whatever Region is priced; its
``GetProducts`` answer is pages of ``PriceList`` entries, each a JSON *string* with
``product.attributes.usagetype`` and ``terms.OnDemand.<offer>.priceDimensions.<rate>.pricePerUnit.USD``.
Only the ECS (Fargate) rates are read live; the load balancer, EFS, CloudWatch Logs and IPv4
keep the offline table's rates, and the output says which is which. boto3 is imported only
by :func:`pricing_client`, never at module level.
"""
from __future__ import annotations

import json
import re
from dataclasses import replace

from .prices import Prices, Rate, offline_prices

SERVICE_CODE = "AmazonECS"
PRICING_REGION = "us-east-1"
# usage type without its Region prefix (USE1-, EUC1-, EU-, …; none in us-east-1) → rate key
USAGE_TYPES = {
    "Fargate-vCPU-Hours:perCPU": "fargate_x86_vcpu_hour",
    "Fargate-GB-Hours": "fargate_x86_gb_hour",
    "Fargate-ARM-vCPU-Hours:perCPU": "fargate_arm_vcpu_hour",
    "Fargate-ARM-GB-Hours": "fargate_arm_gb_hour",
    "Fargate-EphemeralStorage-GB-Hours": "fargate_storage_gb_hour",
    "Fargate-Windows-OS-Hours:perCPU": "fargate_windows_os_vcpu_hour",
}
_PREFIX = re.compile(r"^(?:[A-Z]{2,4}[0-9]?-)?(.*)$")
LIVE = "Price List API"


def pricing_client(profile=None, endpoint_url=None):
    """A boto3 ``pricing`` client (imported here, lazily)."""
    import boto3

    session = boto3.session.Session(profile_name=profile)
    return session.client("pricing", region_name=PRICING_REGION, endpoint_url=endpoint_url)


def fetch_products(client, region: str) -> list:
    """Every AmazonECS product of ``region`` (the parsed ``PriceList`` documents of all pages)."""
    products, token = [], None
    while True:
        kwargs = {"ServiceCode": SERVICE_CODE, "FormatVersion": "aws_v1", "MaxResults": 100,
                  "Filters": [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]}
        if token:
            kwargs["NextToken"] = token
        page = client.get_products(**kwargs)
        products += [json.loads(doc) if isinstance(doc, str) else doc for doc in page.get("PriceList", ())]
        token = page.get("NextToken")
        if not token:
            return products


def _usd(product: dict):
    for offer in (product.get("terms", {}).get("OnDemand") or {}).values():
        for dim in (offer.get("priceDimensions") or {}).values():
            usd = (dim.get("pricePerUnit") or {}).get("USD")
            if usd is not None:
                return float(usd), dim.get("unit", "")
    return None


def live_rates(products) -> dict:
    """rate key → Rate for every product whose usage type is one the estimate uses."""
    rates = {}
    for product in products:
        usage = (product.get("product", {}).get("attributes") or {}).get("usagetype", "")
        key = USAGE_TYPES.get(_PREFIX.match(usage).group(1))
        price = _usd(product)
        if key and price is not None and price[0] > 0:
            rates[key] = Rate(price[0], price[1], (f"{LIVE}: {SERVICE_CODE} usagetype {usage}",), "live", LIVE)
    return rates


def live_prices(client, region: str, offline: Prices = None) -> tuple:
    """(Prices, differences): the offline rates of ``region`` with the Fargate ones replaced by
    the live ones, and one sentence per rate where live and offline disagree."""
    offline = offline_prices(region) if offline is None else offline
    live = live_rates(fetch_products(client, region))
    differences = []
    for key, rate in sorted(live.items()):
        old = offline.get(key)
        if old is None:
            differences.append(f"{key}: live {rate.rate:g} USD/{rate.unit or 'unit'}; the offline table has no rate")
        elif abs(old.rate - rate.rate) > 1e-9:
            differences.append(f"{key}: live {rate.rate:g}, offline {old.rate:g} ({old.date})")
    rates = dict(offline.rates)
    rates.update(live)
    origin = f"{LIVE} for Fargate ({len(live)} rates), {offline.origin} for the rest"
    return replace(offline, rates=rates, origin=origin, known_region=offline.known_region or bool(live)), differences
