"""`compose2ecs cost`: the arithmetic, checked against figures computed by hand in each test.

Every test states the rates it uses (RATES below, the us-east-1 figures of the offline table),
so a change of the shipped table does not silently change what these tests prove.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from compose2ecs.cost.assume import defaults
from compose2ecs.cost.estimate import estimate
from compose2ecs.cost.prices import Prices, Rate
from compose2ecs.pipeline import InputOptions, convert_inputs

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
H = 730  # hours per month

RATES = {
    "fargate_x86_vcpu_hour": 0.04048, "fargate_x86_gb_hour": 0.004445,
    "fargate_arm_vcpu_hour": 0.03238, "fargate_arm_gb_hour": 0.00356,
    "fargate_storage_gb_hour": 0.000111, "public_ipv4_hour": 0.005,
    "alb_hour": 0.0225, "alb_lcu_hour": 0.008, "nlb_hour": 0.0225, "nlb_lcu_hour": 0.006,
    "logs_ingest_gb": 0.50, "logs_storage_gb_month": 0.03, "efs_gb_month": 0.30,
    "spot_discount_min": 0.5, "spot_discount_max": 0.7,
}


def prices(region="us-east-1", rates=RATES, known=True):
    return Prices(region, "test rates", {k: Rate(v) for k, v in rates.items()}, known)


def ecs_of(path, **options):
    options.setdefault("region", "us-east-1")
    return convert_inputs(InputOptions(files=(str(path),), **options), environ={}).ecs


def project(tmp_path, text, **options):
    path = tmp_path / "compose.yaml"
    path.write_text(text)
    return ecs_of(path, **options)


def lines(est, service=None):
    """item → (low, high) monthly, of one service or (service=None) of the project lines."""
    src = est.project_lines if service is None else next(s for s in est.services if s.name == service).lines
    return {line.item: line.monthly for line in src}


def approx(low, high=None):
    return pytest.approx((low, low if high is None else high), abs=1e-9)


# ----------------------------------------------------------------------------- the examples
def test_hello_by_hand():
    # nginx, no limits: the smallest Fargate size 256 units / 512 MiB; one task; a public IP
    # (default ENABLED); one log group (1 GB/month assumed, 30-day retention → 1 GB kept).
    est = estimate(ecs_of(EXAMPLES / "hello" / "compose.yaml"), prices(), defaults())
    web = lines(est, "web")
    assert web["fargate-vcpu"] == approx(0.25 * 0.04048 * H)  # 7.3876
    assert web["fargate-memory"] == approx(0.5 * 0.004445 * H)  # 1.622425
    assert web["public-ipv4"] == approx(0.005 * H)  # 3.65
    assert lines(est)["logs-ingestion"] == approx(0.50)
    assert lines(est)["logs-storage"] == approx(0.03)
    assert "load-balancer" not in lines(est) and "efs-storage" not in lines(est)
    assert est.monthly == approx(7.3876 + 1.622425 + 3.65 + 0.50 + 0.03)  # 13.190025
    assert est.hourly == approx(13.190025 / H)


def test_webapp_by_hand():
    # web 2 × (1024 units / 2048 MiB), worker 1 × (2048 / 4096), db 1 × (256 / 2048), cache 1 × (256 / 512);
    # every task has a public IP; two EFS volumes (1 GB each assumed); one log group.
    est = estimate(ecs_of(EXAMPLES / "webapp" / "compose.yaml"), prices(), defaults())
    assert lines(est, "web")["fargate-vcpu"] == approx(2 * 1 * 0.04048 * H)  # 59.1008
    assert lines(est, "web")["fargate-memory"] == approx(2 * 2 * 0.004445 * H)  # 12.9794
    assert lines(est, "web")["public-ipv4"] == approx(2 * 0.005 * H)  # 7.30
    assert lines(est, "worker")["fargate-vcpu"] == approx(2 * 0.04048 * H)
    assert lines(est, "worker")["fargate-memory"] == approx(4 * 0.004445 * H)
    assert lines(est, "db")["fargate-memory"] == approx(2 * 0.004445 * H)
    assert lines(est, "cache")["fargate-memory"] == approx(0.5 * 0.004445 * H)
    assert lines(est)["efs-storage"] == approx(2 * 1 * 0.30)
    fargate = (0.25 + 0.25 + 2 * 1 + 2) * 0.04048 * H + (0.5 + 2 + 2 * 2 + 4) * 0.004445 * H  # 4.5 vCPU, 10.5 GB: 167.047725
    assert est.monthly == approx(fargate + 5 * 3.65 + 0.60 + 0.50 + 0.03)  # 186.427725
    assert est.unpriced() == []


def test_webapp_with_a_load_balancer_adds_its_lines():
    est = estimate(ecs_of(EXAMPLES / "webapp" / "compose.yaml", load_balancer="alb"), prices(),
                   {**defaults(), "lcu": 2.0, "load-balancer-azs": 3.0})
    project_lines = lines(est)
    assert project_lines["load-balancer"] == approx(0.0225 * H)  # 16.425
    assert project_lines["load-balancer-capacity"] == approx(2 * 0.008 * H)  # 11.68
    assert project_lines["load-balancer-ipv4"] == approx(3 * 0.005 * H)  # 10.95


def test_nlb_uses_the_nlb_rates(tmp_path):
    ecs = project(tmp_path, "services:\n  dns:\n    image: coredns/coredns\n    ports: ['53:53/udp']\n",
                  load_balancer="nlb")
    project_lines = lines(estimate(ecs, prices(), defaults()))
    assert project_lines["load-balancer-capacity"] == approx(1 * 0.006 * H)


# ----------------------------------------------------------------------------- rounding and sizes
def test_the_rounded_up_size_is_what_is_billed_and_the_waste_is_a_saving():
    # web: containers need 512 units / 512 MiB + Service Connect 256 / 64 → 768 / 576, billed as 1024 / 2048.
    est = estimate(ecs_of(EXAMPLES / "webapp" / "compose.yaml"), prices(), defaults())
    web = next(s for s in est.services if s.name == "web")
    assert (web.cpu_units, web.memory_mib) == (1024, 2048)
    saving = next(s for s in est.savings if s.service == "web" and s.kind == "rounding")
    spare = 0.25 * 0.04048 + (2048 - 576) / 1024 * 0.004445  # per task-hour
    assert saving.monthly == approx(2 * spare * H)  # 24.10414375
    assert saving.at.endswith("services.web.deploy.resources")  # next to the lossy rounding finding
    assert "0.25 vCPU and 1.44 GB" in saving.message


def test_an_exact_fargate_size_has_no_rounding_saving(tmp_path):
    ecs = project(tmp_path, "services:\n  app:\n    image: nginx\n    deploy:\n      resources:\n"
                            "        limits: {cpus: '0.5', memory: 1G}\n")
    est = estimate(ecs, prices(), defaults())
    assert [s.kind for s in est.savings if s.kind == "rounding"] == []
    assert lines(est, "app")["fargate-vcpu"] == approx(0.5 * 0.04048 * H)


def test_ephemeral_storage_over_20_gb(tmp_path):
    ecs = project(tmp_path, "services:\n  app:\n    image: nginx\n    x-ecs: {ephemeral_storage: 50}\n")
    assert lines(estimate(ecs, prices(), defaults()), "app")["fargate-storage"] == approx(30 * 0.000111 * H)


def test_arm64_uses_the_arm_rates_and_x86_shows_the_arm_saving(tmp_path):
    ecs = project(tmp_path, "services:\n  a:\n    image: nginx\n    platform: linux/arm64\n"
                            "  b:\n    image: nginx\n")
    est = estimate(ecs, prices(), defaults())
    assert lines(est, "a")["fargate-vcpu"] == approx(0.25 * 0.03238 * H)
    assert lines(est, "a")["fargate-memory"] == approx(0.5 * 0.00356 * H)
    kinds = {(s.service, s.kind): s for s in est.savings}
    assert ("a", "arm64") not in kinds
    # b: 0.25 vCPU / 0.5 GB on x86 versus arm (b takes Service Connect headroom: 256 / 512 still)
    assert kinds[("b", "arm64")].monthly == approx((0.25 * (0.04048 - 0.03238) + 0.5 * (0.004445 - 0.00356)) * H)


# ----------------------------------------------------------------------------- ranges
def test_fargate_spot_is_a_range(tmp_path):
    ecs = project(tmp_path, "services:\n  app:\n    image: nginx\n", launch_type="FARGATE_SPOT")
    est = estimate(ecs, prices(), defaults())
    vcpu = 0.25 * 0.04048 * H
    assert lines(est, "app")["fargate-vcpu"] == approx(vcpu * 0.3, vcpu * 0.5)
    assert lines(est, "app")["public-ipv4"] == approx(3.65)  # the address is not discounted
    assert est.monthly[0] < est.monthly[1]
    assert any("Spot" in n for n in est.notes)
    assert "arm64" not in {s.kind for s in est.savings}  # Spot runs on x86_64 only


def test_autoscaling_min_max_is_a_range(tmp_path):
    ecs = project(tmp_path, "services:\n  app:\n    image: nginx\n    x-ecs:\n"
                            "      autoscaling: {min: 2, max: 5, cpu: 70}\n")
    est = estimate(ecs, prices(), defaults())
    app = next(s for s in est.services if s.name == "app")
    assert app.tasks == (2, 5)
    assert lines(est, "app")["fargate-vcpu"] == approx(2 * 0.25 * 0.04048 * H, 5 * 0.25 * 0.04048 * H)
    assert lines(est, "app")["public-ipv4"] == approx(2 * 3.65, 5 * 3.65)


# ----------------------------------------------------------------------------- IPv4
def test_no_public_ip_no_ipv4_line(tmp_path):
    ecs = project(tmp_path, "services:\n  app:\n    image: nginx\n    x-ecs: {assign_public_ip: false}\n")
    est = estimate(ecs, prices(), defaults())
    assert "public-ipv4" not in lines(est, "app")
    assert "public-ipv4" not in {s.kind for s in est.savings}


def test_a_published_port_without_load_balancer_explains_the_public_ip(tmp_path):
    ecs = project(tmp_path, "services:\n  app:\n    image: nginx\n    ports: ['8080:80']\n")
    saving = next(s for s in estimate(ecs, prices(), defaults()).savings if s.kind == "public-ipv4")
    assert "because a port is published (80/tcp)" in saving.message
    assert saving.at.endswith("services.app.ports[0]")
    assert saving.monthly == approx(3.65)


# ----------------------------------------------------------------------------- Regions and launch types
def test_an_unknown_region_is_not_priced_never_guessed():
    from compose2ecs.cost.prices import offline_prices

    ecs = ecs_of(EXAMPLES / "hello" / "compose.yaml", region="eu-west-3")
    table = offline_prices("eu-west-3")
    assert not table.known_region
    est = estimate(ecs, table, defaults())
    web = lines(est, "web")
    assert web["fargate-vcpu"] is None and web["fargate-memory"] is None
    assert web["public-ipv4"] == approx(3.65)  # the IPv4 charge is the same everywhere
    assert {x.item for x in est.unpriced()} >= {"fargate-vcpu", "fargate-memory", "logs-ingestion"}
    assert any(n.startswith("eu-west-3: the offline price table has no sourced Fargate rates") for n in est.notes)
    assert est.monthly == approx(3.65)


def test_a_region_with_x86_rates_only_leaves_arm_unpriced(tmp_path):
    from compose2ecs.cost.prices import offline_prices

    ecs = project(tmp_path, "services:\n  a:\n    image: nginx\n    platform: linux/arm64\n", region="eu-central-1")
    est = estimate(ecs, offline_prices("eu-central-1"), defaults())
    assert lines(est, "a")["fargate-vcpu"] is None


def test_ec2_launch_type_says_instances_are_not_estimated(tmp_path):
    ecs = project(tmp_path, "services:\n  app:\n    image: nginx\n", launch_type="EC2")
    est = estimate(ecs, prices(), defaults())
    assert list(lines(est, "app")) == ["ec2-instances"]
    assert lines(est, "app")["ec2-instances"] is None
    assert any("instance costs are not estimated" in n for n in est.notes)
    assert est.savings == ()


def test_the_estimate_is_deterministic():
    from compose2ecs.cost.render import render_text

    ecs = ecs_of(EXAMPLES / "webapp" / "compose.yaml", load_balancer="alb")
    assert render_text(estimate(ecs, prices(), defaults())) == render_text(estimate(ecs, prices(), defaults()))


def test_windows_tasks_pay_the_windows_rates_and_the_licence(tmp_path):
    from dataclasses import replace

    ecs = project(tmp_path, "services:\n  app:\n    image: mcr.microsoft.com/windows/servercore:ltsc2022\n"
                            "    deploy:\n      resources:\n        limits: {cpus: '1', memory: 2G}\n")
    td = replace(ecs.task_definitions[0], operating_system_family="WINDOWS_SERVER_2022_CORE")
    ecs = replace(ecs, task_definitions=(td,))
    rates = {**RATES, "fargate_windows_vcpu_hour": 0.09148, "fargate_windows_os_vcpu_hour": 0.046,
             "fargate_windows_gb_hour": 0.01005}
    app = lines(estimate(ecs, prices(rates=rates), defaults()), "app")
    assert app["fargate-vcpu"] == approx(1 * 0.09148 * H)
    assert app["fargate-windows-os"] == approx(1 * 0.046 * H)
    assert app["fargate-memory"] == approx(2 * 0.01005 * H)


def test_a_strategy_mixing_on_demand_and_spot_runs_between_the_two(tmp_path):
    from dataclasses import replace

    ecs = project(tmp_path, "services:\n  app:\n    image: nginx\n")
    svc = replace(ecs.services[0], launch_type=None,
                  capacity_provider_strategy=(("FARGATE", 1, 1), ("FARGATE_SPOT", 3, 0)))
    ecs = replace(ecs, services=(svc,))
    vcpu = 0.25 * 0.04048 * H
    assert lines(estimate(ecs, prices(), defaults()), "app")["fargate-vcpu"] == approx(vcpu * 0.3, vcpu)
