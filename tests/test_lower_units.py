"""Unit tests of the lowering pieces: Fargate sizes, region resolution, names, x-ecs errors."""
from __future__ import annotations

import itertools

import pytest

from compose2ecs.compose.model import Deploy, Project, Resources, Service
from compose2ecs.ecs import fargate, ports, secrets
from compose2ecs.ecs.lower import LowerOptions, lower, resolve_region
from compose2ecs.emit.taskdef import task_definition_dict
from compose2ecs.errors import UserError
from tests.oracle import task_definition_problems

GIB = 1024 ** 3
PRICE_CPU, PRICE_GB = 0.04048, 0.004445  # us-east-1 x86 (ecs-facts.md §7)


def test_there_are_74_linux_sizes_and_12_windows_ones():
    assert len(fargate.valid_pairs()) == 74
    assert {c for c, _ in fargate.valid_pairs(windows=True)} == {1024, 2048, 4096}


@pytest.mark.parametrize("need_cpu,need_mem", list(itertools.product(
    [0, 1, 255, 256, 257, 700, 1024, 1500, 2048, 3000, 4096, 5000, 8192, 12000, 16384],
    [0, 1, 511, 512, 513, 2000, 4096, 9000, 16384, 30000, 30721, 61440, 70000, 122880])))
def test_first_fit_is_the_cheapest_size_that_holds_the_need(need_cpu, need_mem):
    fits = [(c, m) for c, m in fargate.valid_pairs() if c >= need_cpu and m >= need_mem]
    got = fargate.fit(need_cpu, need_mem)
    if not fits:
        assert got is None
        return
    cost = lambda p: p[0] / 1024 * PRICE_CPU + p[1] / 1024 * PRICE_GB  # noqa: E731
    assert got in fits and cost(got) == min(cost(p) for p in fits)


def test_nothing_fits_above_16_vcpu_or_120_gib():
    assert fargate.fit(16385, 0) is None and fargate.fit(0, 122881) is None


def test_region_resolution_order():
    opts = LowerOptions()
    assert resolve_region(LowerOptions(region="eu-west-3"), {"AWS_REGION": "x"}, None) == ("eu-west-3", "--region")
    assert resolve_region(opts, {"AWS_REGION": "a", "AWS_DEFAULT_REGION": "b"}, None)[0] == "a"
    assert resolve_region(opts, {"AWS_DEFAULT_REGION": "b"}, lambda: "c")[0] == "b"
    assert resolve_region(opts, {}, lambda: "c") == ("c", "AWS config")
    assert resolve_region(opts, {}, lambda: None) == ("us-east-1", "")


def test_broken_aws_config_does_not_stop_conversion():
    def broken():
        raise OSError("unreadable")
    assert resolve_region(LowerOptions(), {}, broken) == ("us-east-1", "")


def test_port_names_follow_the_discovery_pattern():
    import re

    pattern = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,63}$")
    for name in ("Web.App", "-x", "a" * 90, "db"):
        assert pattern.match(ports.port_name(name, 5432, "tcp"))
    assert ports.port_name("a" * 90, 80, "udp").endswith("-80-udp")


def test_secret_env_names():
    assert secrets.env_name("/run/secrets/db-password.txt") == "DB_PASSWORD_TXT"
    assert secrets.env_name("1key") == "_1KEY"


def _project(*services, **kw) -> Project:
    return Project(name="p", working_dir="/tmp", services=tuple(services), **kw)


def test_direct_model_lowering_without_files():
    svc = Service(name="api", image="busybox", deploy=Deploy(resources=Resources(cpus_limit=0.5, memory_limit=GIB)))
    ecs = lower(_project(svc), LowerOptions(region="eu-north-1"))
    td = task_definition_dict(ecs.task_definitions[0])
    assert (td["cpu"], td["memory"]) == ("512", "1024")
    assert td["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-region"] == "eu-north-1"
    assert td["executionRoleArn"] == "ecsTaskExecutionRole"
    assert task_definition_problems(td) == []


def test_cli_options_win_over_x_ecs():
    svc = Service(name="api", image="busybox", extra=(("x-ecs", {"launch_type": "EC2", "image": "a/b:1"}),))
    ecs = lower(_project(svc), LowerOptions(launch_type="FARGATE_SPOT", images={"api": "c/d:2"},
                                            execution_role_arn="arn:aws:iam::123456789012:role/exec"))
    td = task_definition_dict(ecs.task_definitions[0])
    assert td["containerDefinitions"][0]["image"] == "c/d:2"
    assert td["requiresCompatibilities"] == ["FARGATE"]
    assert ecs.services[0].capacity_provider_strategy == (("FARGATE_SPOT", 1, 0),)
    assert ecs.services[0].launch_type is None
    assert td["executionRoleArn"].endswith("role/exec")


def test_spot_with_arm64_is_an_error():
    svc = Service(name="api", image="busybox", platform="linux/arm64")
    with pytest.raises(UserError, match="Spot"):
        lower(_project(svc), LowerOptions(launch_type="FARGATE_SPOT"))


def test_bad_top_level_x_ecs_is_a_located_error():
    svc = Service(name="api", image="busybox")
    with pytest.raises(UserError) as err:
        lower(_project(svc, extensions=(("x-ecs", {"log_retention": 64}),)), LowerOptions())
    assert err.value.diagnostics[0].location.key_path == ("x-ecs", "log_retention")


def test_services_are_ordered_providers_first():
    from compose2ecs.compose.model import Dependency

    web = Service(name="a-web", image="w", depends_on=(Dependency("m-api"),))
    api = Service(name="m-api", image="a", depends_on=(Dependency("z-db"),))
    db = Service(name="z-db", image="postgres")
    ecs = lower(_project(web, api, db), LowerOptions())
    assert [s.name for s in ecs.services] == ["z-db", "m-api", "a-web"]
    assert ecs.services[2].depends_on == ("m-api",)


def test_service_connect_adds_headroom_only_with_two_services():
    one = lower(_project(Service(name="a", image="x", deploy=Deploy(resources=Resources(cpus_limit=0.25)))),
                LowerOptions())
    two = lower(_project(Service(name="a", image="x", deploy=Deploy(resources=Resources(cpus_limit=0.25))),
                         Service(name="b", image="y")), LowerOptions())
    assert one.task_definition("p-a").cpu == "256"
    assert two.task_definition("p-a").cpu == "512"
