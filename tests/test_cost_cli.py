"""`compose2ecs cost` as a user runs it: the table, --output json against its schema, --assume,
the price table's own integrity, and located errors (exit 2) instead of tracebacks."""
from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from compose2ecs.cli import app
from compose2ecs.cost.prices import load_table

REPO = Path(__file__).resolve().parent.parent
WEBAPP = str(REPO / "examples" / "webapp" / "compose.yaml")
HELLO = str(REPO / "examples" / "hello" / "compose.yaml")
CLEAN_ENV = {"AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_CONFIG_FILE": "/nonexistent", "AWS_PROFILE": ""}


def run(*args):
    return CliRunner().invoke(app, ["cost", *args], env=CLEAN_ENV, catch_exceptions=False)


def schema() -> dict:
    return json.loads(resources.files("compose2ecs").joinpath("cost", "estimate.schema.json").read_text("utf-8"))


def test_text_table_is_aligned_and_totals_the_webapp():
    result = run("-f", WEBAPP, "--region", "us-east-1")
    assert result.exit_code == 0, result.output
    out = result.stdout
    table = out.split("\n\n")[1].splitlines()
    header = table[0]
    assert header.split() == ["SERVICE", "ITEM", "QUANTITY", "USD/HOUR", "USD/MONTH"]
    # right-aligned figures: every row ends at the header's last column
    assert {len(row) for row in table} == {len(header)}
    assert table[-1].startswith("TOTAL") and table[-1].endswith("186.43")  # 167.047725 Fargate + 5 × 3.65 IPv4 + 0.60 EFS + 0.53 logs
    assert "Assumptions (change with --assume KEY=VALUE):" in out
    assert "fargate_x86_vcpu_hour = 0.04048 USD/vCPU-hour  [2026-06, confidence high]" in out
    assert "worker: rounding: 31.69  (" in out


def test_the_default_region_is_said():
    result = run("-f", HELLO)
    assert result.exit_code == 0, result.output
    assert "in us-east-1 (no Region configured: the us-east-1 default)" in result.stdout
    env_region = CliRunner().invoke(app, ["cost", "-f", HELLO], env={**CLEAN_ENV, "AWS_REGION": "eu-central-1"})
    assert "in eu-central-1 (AWS_REGION)" in env_region.stdout


def test_json_matches_its_schema_and_the_text():
    result = run("-f", WEBAPP, "--load-balancer", "alb", "--output", "json", "--assume", "lcu=3")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    jsonschema.validate(data, schema())
    assert data["total"]["monthly"] == {"low": 227.67, "high": 227.67}
    assert data["total"]["complete"] is True
    assert data["assumptions"]["lcu"] == 3
    web = next(s for s in data["services"] if s["name"] == "web")
    assert web["tasks"] == {"min": 2, "max": 2} and web["cpu_units"] == 1024
    assert {x["item"] for x in data["project_lines"]} >= {"load-balancer", "load-balancer-capacity"}
    assert data["prices"]["rates"]["fargate_x86_vcpu_hour"]["sources"]


def test_json_schema_rejects_a_wrong_document():
    data = json.loads(run("-f", HELLO, "--output", "json").stdout)
    data["total"]["monthly"]["low"] = "12"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema())


def test_json_of_an_unknown_region_lists_what_is_not_priced():
    data = json.loads(run("-f", HELLO, "--region", "eu-west-3", "--output", "json").stdout)
    jsonschema.validate(data, schema())
    assert data["total"]["complete"] is False
    assert "fargate-vcpu" in data["unpriced"]
    assert data["prices"]["region_known"] is False
    assert data["total"]["monthly"]["low"] == 3.65


def test_bad_assumptions_and_choices_are_located_errors():
    result = run("-f", HELLO, "--assume", "efs=3", "--assume", "lcu=-1")
    assert result.exit_code == 2
    assert "--assume efs=3: error: 'efs' is not an assumption the estimate uses (did you mean 'efs-gb'?)" in result.output
    assert "--assume lcu=-1: error:" in result.output
    assert "Traceback" not in result.output
    for flag, value in (("--prices", "cheap"), ("--output", "yaml")):
        bad = run("-f", HELLO, flag, value)
        assert bad.exit_code == 2 and f"{flag}: error: '{value}' is not one of" in bad.output


def test_bad_compose_input_is_exit_2():
    result = run("-f", str(REPO / "no-such-compose.yaml"))
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_the_offline_estimate_does_not_load_boto3():
    code = ("import sys; from compose2ecs.cli import main; sys.argv=['compose2ecs','cost','-f',%r]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('boto3' in sys.modules, 'botocore' in sys.modules, file=sys.stderr)") % HELLO
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stderr.strip().splitlines()[-1] == "False False"


# ----------------------------------------------------------------------------- the price table
def test_every_rate_has_a_source_a_date_and_a_confidence():
    table = load_table()
    assert table["hours_per_month"] == 730 and table["currency"] == "USD" and table["table_date"]
    entries = list(table["global"].items()) + [e for r in table["regions"].values() for e in r.items()]
    for key, entry in entries:
        assert entry["rate"] >= 0 and entry["unit"] and entry["date"] and entry["confidence"], key
        assert entry["sources"] and all(s in table["sources"] for s in entry["sources"]), key


def test_the_table_keeps_the_reference_figures():
    # /work/shared/reference/ecs-facts.md §7 (high confidence rows)
    use1 = load_table()["regions"]["us-east-1"]
    assert (use1["fargate_x86_vcpu_hour"]["rate"], use1["fargate_x86_gb_hour"]["rate"]) == (0.04048, 0.004445)
    assert (use1["fargate_arm_vcpu_hour"]["rate"], use1["fargate_arm_gb_hour"]["rate"]) == (0.03238, 0.00356)
    assert load_table()["global"]["public_ipv4_hour"]["rate"] == 0.005
    assert "us-west-2" not in load_table()["regions"]  # no sourced rate: not guessed


def test_the_table_and_schema_ship_as_package_data():
    text = (REPO / "pyproject.toml").read_text()
    assert '"cost/*.json"' in text


def test_docs_show_the_offline_table_as_shipped():
    from compose2ecs.cost.prices import rates_markdown

    doc = (REPO / "docs" / "cost.md").read_text()
    assert rates_markdown() in doc, "docs/cost.md's rate table differs from prices.json: paste rates_markdown()"


def test_docs_explain_every_line_item_and_assumption():
    from compose2ecs.cost.assume import ASSUMPTIONS

    doc = (REPO / "docs" / "cost.md").read_text()
    items = schema()["$defs"]["line"]["properties"]["item"]["enum"]
    for item in items:
        assert f"(`{item}`)" in doc, item
    for a in ASSUMPTIONS:
        assert f"| `{a.key}` | {a.default:g} |" in doc, a.key


def test_the_readme_tour_runs_the_cost_command():
    readme = (REPO / "README.md").read_text()
    tour = readme[readme.index("## A five-minute tour"):readme.index("Exit codes")]
    assert "compose2ecs cost -f examples/webapp/compose.yaml" in tour
    assert run("-f", WEBAPP).exit_code == 0


def test_ec2_services_are_not_priced_in_json_nor_counted_as_zero():
    result = run("-f", HELLO, "--launch-type", "EC2", "--output", "json")
    data = json.loads(result.stdout)
    jsonschema.validate(data, schema())
    web = data["services"][0]
    assert web["launch"] == "EC2" and web["monthly"] is None and web["lines"][0]["item"] == "ec2-instances"
    assert any("instance costs are not estimated" in n for n in data["notes"])
    text = run("-f", HELLO, "--launch-type", "EC2").stdout
    assert "EC2 container instances" in text and "not priced" in text


def test_docker_run_lines_are_estimated_too():
    result = run("--docker-run", "docker run -d -p 8080:80 --cpus 1 -m 2g nginx:1.27", "--output", "json")
    assert result.exit_code == 0, result.output
    svc = json.loads(result.stdout)["services"][0]
    assert (svc["cpu_units"], svc["memory_mib"]) == (1024, 2048)
