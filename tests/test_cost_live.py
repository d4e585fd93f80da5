"""`--prices live`: GetProducts answers of the real shape, through botocore's Stubber (moto has
no Price List API), so the request parameters and the response are checked against the model."""
from __future__ import annotations

import json

import pytest

from compose2ecs.cost.live import live_prices, live_rates

boto3 = pytest.importorskip("boto3")
from botocore.stub import Stubber  # noqa: E402


def price_item(usagetype: str, usd: str, region: str = "eu-west-1") -> str:
    """One PriceList entry as AWS sends it: a JSON *string*."""
    return json.dumps({
        "product": {"productFamily": "Compute", "sku": "ABCDEFGHJKLMNPQR",
                    "attributes": {"regionCode": region, "servicecode": "AmazonECS", "usagetype": usagetype,
                                   "location": "EU (Ireland)", "locationType": "AWS Region",
                                   "servicename": "Amazon Elastic Container Service", "operation": ""}},
        "serviceCode": "AmazonECS",
        "terms": {"OnDemand": {"ABCDEFGHJKLMNPQR.JRTCKXETXF": {
            "offerTermCode": "JRTCKXETXF", "sku": "ABCDEFGHJKLMNPQR", "effectiveDate": "2026-06-01T00:00:00Z",
            "termAttributes": {},
            "priceDimensions": {"ABCDEFGHJKLMNPQR.JRTCKXETXF.6YS6EN2CT7": {
                "unit": "hours", "beginRange": "0", "endRange": "Inf", "appliesTo": [],
                "rateCode": "ABCDEFGHJKLMNPQR.JRTCKXETXF.6YS6EN2CT7",
                "description": f"AWS Fargate {usagetype}", "pricePerUnit": {"USD": usd}}}}}},
        "version": "20260601000000", "publicationDate": "2026-06-01T00:00:00Z"})


def request(token=None, region="eu-west-1"):
    params = {"ServiceCode": "AmazonECS", "FormatVersion": "aws_v1", "MaxResults": 100,
              "Filters": [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]}
    if token:
        params["NextToken"] = token
    return params


@pytest.fixture
def stubbed():
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def test_live_rates_replace_the_offline_ones_over_pages_and_differences_are_named(stubbed):
    client, stub = stubbed
    stub.add_response("get_products", {"FormatVersion": "aws_v1", "NextToken": "page-2", "PriceList": [
        price_item("EU-Fargate-vCPU-Hours:perCPU", "0.0404800000"),
        price_item("EU-SpotUsage:Fargate-vCPU-Hours:perCPU", "0.0133405300")]}, request())
    stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": [
        price_item("EU-Fargate-GB-Hours", "0.0044460000"),
        price_item("EU-Fargate-ARM-vCPU-Hours:perCPU", "0.0323800000")]}, request("page-2"))
    table, differences = live_prices(client, "eu-west-1")
    assert table.get("fargate_x86_vcpu_hour").rate == 0.04048
    assert table.get("fargate_x86_gb_hour").rate == 0.004446
    assert table.get("fargate_arm_vcpu_hour").confidence == "Price List API"
    assert table.get("public_ipv4_hour").rate == 0.005  # not an ECS price: from the offline table
    assert "Price List API for Fargate (3 rates)" in table.origin
    # the Spot usage type is not mistaken for the on-demand one; the equal rate is not a difference
    assert differences == [
        "fargate_arm_vcpu_hour: live 0.03238 USD/hours; the offline table has no rate",
        "fargate_x86_gb_hour: live 0.004446, offline 0.004445 (2021)"]


def test_live_prices_make_an_unknown_region_priced(stubbed):
    client, stub = stubbed
    stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": [
        price_item("EUW3-Fargate-vCPU-Hours:perCPU", "0.0471", "eu-west-3"),
        price_item("EUW3-Fargate-GB-Hours", "0.0051", "eu-west-3")]}, request(region="eu-west-3"))
    table, differences = live_prices(client, "eu-west-3")
    assert table.known_region and table.get("fargate_x86_vcpu_hour").rate == 0.0471
    assert len(differences) == 2


def test_us_east_1_usage_types_have_no_prefix():
    rates = live_rates([json.loads(price_item("Fargate-vCPU-Hours:perCPU", "0.04048", "us-east-1")),
                        json.loads(price_item("USE1-Fargate-EphemeralStorage-GB-Hours", "0.000111", "us-east-1"))])
    assert set(rates) == {"fargate_x86_vcpu_hour", "fargate_storage_gb_hour"}


def test_an_access_denied_is_one_aws_error_line(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from compose2ecs.cli import app
    from compose2ecs.cost import command

    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    stub.add_client_error("get_products", "AccessDeniedException", "User is not authorized to perform: "
                          "pricing:GetProducts", 400)
    stub.activate()
    monkeypatch.setattr(command, "_default_client", lambda: client)
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    result = CliRunner().invoke(app, ["cost", "-f", str(tmp_path / "compose.yaml"), "--prices", "live"])
    assert result.exit_code == 4, result.output
    assert "pricing" in result.output and "AccessDenied" in result.output
    assert "Traceback" not in result.output
