"""ECS limits per launch type, the 64 KiB task-definition size, and unique names (issue 17: 12, 14, 16)."""
from __future__ import annotations

import json
import re
import os
import textwrap

from typer.testing import CliRunner

from compose2ecs.cli import app


def convert(tmp_path, compose: str, *args, files=None):
    (tmp_path / "compose.yaml").write_text(textwrap.dedent(compose))
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text)
    old = os.getcwd()
    try:
        os.chdir(tmp_path)
        return CliRunner().invoke(app, ["convert", "-f", "compose.yaml", *args], catch_exceptions=False)
    finally:
        os.chdir(old)


def taskdefs(result) -> list:
    data = json.loads(result.stdout)
    return data if isinstance(data, list) else [data]


# --- 12. validate per launch type --------------------------------------------------------------

def test_invalid_shm_size_on_ec2_is_a_located_error(tmp_path):
    result = convert(tmp_path, """
        services:
          web:
            image: nginx
            shm_size: zzz
        """, "--launch-type", "EC2")
    assert result.exit_code == 2, result.output
    assert "compose.yaml:5:" in result.stderr and "services.web.shm_size" in result.stderr
    assert "'zzz' is not a byte size" in result.stderr
    assert "internal error" not in result.output and "Traceback" not in result.output


def test_invalid_shm_size_on_fargate_is_an_error_too(tmp_path):
    result = convert(tmp_path, """
        services:
          web:
            image: nginx
            shm_size: zzz
        """)
    assert result.exit_code == 2, result.output
    assert "services.web.shm_size" in result.stderr


def test_out_of_range_numbers_on_ec2_are_located_errors(tmp_path):
    result = convert(tmp_path, """
        services:
          web:
            image: nginx
            cpus: 1e26
            mem_limit: 900000000g
            shm_size: 1000000000g
        """, "--launch-type", "EC2")
    assert result.exit_code == 2, result.output
    err = result.stderr
    assert "services.web.deploy.resources: error: container web: CPU is 1.02e+29 CPU units, more than " \
           "196,608 CPU units" in err
    assert "memory limit is 921,600,000,000 MiB, more than 2,147,483,647 MiB" in err
    assert "services.web.shm_size: error: container web: shm_size is" in err
    assert result.stdout == ""


def test_ec2_task_cpu_above_192_vcpu_is_an_error(tmp_path):
    result = convert(tmp_path, """
        services:
          a: {image: nginx, cpus: 100, x-ecs: {task: t}}
          b: {image: nginx, cpus: 100, x-ecs: {task: t}}
        """, "--launch-type", "EC2")
    assert result.exit_code == 2, result.output
    assert "the task's CPU is 204,800 CPU units, more than 196,608 CPU units" in result.stderr


def test_large_but_valid_ec2_sizes_still_convert(tmp_path):
    result = convert(tmp_path, """
        services:
          web: {image: nginx, cpus: 64, mem_limit: 200g, shm_size: 2g, stop_grace_period: 10m}
        """, "--launch-type", "EC2")
    assert result.exit_code == 0, result.output
    (td,) = taskdefs(result)
    assert (td["cpu"], td["memory"]) == ("65536", "204800")
    container = td["containerDefinitions"][0]
    assert container["linuxParameters"]["sharedMemorySize"] == 2048
    assert container["stopTimeout"] == 600


# --- 14. ECS's 64 KiB task definition, CloudFormation's template size ----------------------------

def _env_lines(count: int, width: int = 90) -> str:
    return "".join(f"VAR_{i:04d}={'v' * width}\n" for i in range(count))


def test_a_70kb_environment_is_a_located_error_naming_the_env_file(tmp_path):
    result = convert(tmp_path, """
        services:
          web:
            image: nginx
            env_file: big.env
            environment:
              SMALL: x
        """, files={"big.env": _env_lines(600)})
    assert result.exit_code == 2, result.output
    err = result.stderr
    assert err.startswith("big.env:1:1: services.web.environment: error: ECS service web: task definition ")
    assert "more than ECS's limit of 65,536 bytes (64 KiB)" in err
    assert "big.env:1:1: services.web.environment: 600 variables, 72,600 bytes" in err
    assert "S3 environment file" in err and "Secrets Manager" in err
    assert result.stdout == ""


def test_one_huge_variable_is_named_with_its_line(tmp_path):
    result = convert(tmp_path, """
        services:
          web:
            image: nginx
            environment:
              SMALL: x
              HUGE: %s
        """ % ("h" * 70000), "--format", "cloudformation")
    assert result.exit_code == 2, result.output
    assert "compose.yaml:7:" in result.stderr
    assert "services.web.environment.HUGE: 70," in result.stderr


def test_just_under_64_kib_still_converts_and_is_measured_compactly(tmp_path):
    from compose2ecs.ecs.tdsize import MAX_BYTES, size_of

    result = convert(tmp_path, """
        services:
          web:
            image: nginx
            env_file: big.env
        """, files={"big.env": _env_lines(500)})
    assert result.exit_code == 0, result.output
    (td,) = taskdefs(result)
    assert 55_000 < size_of(td) <= MAX_BYTES
    assert len(result.stdout.encode()) > MAX_BYTES  # the pretty-printed file may be larger: not what ECS counts


def test_the_deploy_path_stops_before_calling_aws(tmp_path, monkeypatch):
    from compose2ecs import cli_aws

    def no_aws(*args, **kwargs):
        raise AssertionError("AWS clients must not be made for an oversized task definition")
    monkeypatch.setattr(cli_aws, "make_clients", no_aws)
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n    env_file: big.env\n")
    (tmp_path / "big.env").write_text(_env_lines(700))
    old = os.getcwd()
    try:
        os.chdir(tmp_path)
        result = CliRunner().invoke(app, ["deploy", "--region", "us-east-1"], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 2, result.output
    assert "more than ECS's limit of 65,536 bytes" in result.stderr


def test_a_template_too_big_for_cloudformation_is_a_located_user_error(tmp_path):
    code = "x" * 1_100_000
    result = convert(tmp_path, f"""
        services:
          web:
            image: nginx
        x-ecs:
          cloudformation:
            Resources:
              Fn:
                Type: AWS::Lambda::Function
                Properties:
                  Runtime: python3.12
                  Handler: index.handler
                  Role: arn:aws:iam::123456789012:role/x
                  Code:
                    ZipFile: "{code}"
        """, "--format", "cloudformation", "-o", "out.yaml")
    assert result.exit_code == 2, result.output
    err = result.stderr
    assert err.startswith("compose.yaml: x-ecs.cloudformation.Resources.Fn: error: the CloudFormation root "
                          "template is too large")
    assert "the limit is 1,000,000" in err and "overlay resource Fn 1,100,1" in err
    assert "internal error" not in err
    assert not (tmp_path / "out.yaml").exists()


# --- 16. names unique after truncation and case folding -----------------------------------------

LONG = "s" * 260


def _two_long_services(extra: str = "") -> str:
    return f"""
        services:
          {LONG}a:
            image: nginx
            ports: ["80:80"]{extra}
          {LONG}b:
            image: nginx
            ports: ["80:80"]{extra}
        """


def test_two_services_sharing_a_255_character_prefix_get_distinct_families(tmp_path):
    result = convert(tmp_path, _two_long_services())
    assert result.exit_code == 0, result.output
    tds = taskdefs(result)
    families = [td["family"] for td in tds]
    assert len(set(families)) == 2 and all(len(f) <= 255 for f in families)
    containers = [td["containerDefinitions"][0]["name"] for td in tds]
    assert len({c.lower() for c in containers}) == 2 and all(len(c) <= 255 for c in containers)
    ports = [td["containerDefinitions"][0]["portMappings"][0]["name"] for td in tds]
    assert len(set(ports)) == 2
    assert all(len(p) <= 64 and p.endswith("-80-tcp") for p in ports)
    # deterministic: the same input gives the same names
    again = convert(tmp_path, _two_long_services())
    assert again.stdout == result.stdout


def test_port_names_differing_only_in_case_or_shared_in_a_task_are_made_unique(tmp_path):
    result = convert(tmp_path, """
        services:
          web:
            image: nginx
            ports:
              - {name: Web, target: 80}
              - {name: web, target: 81}
            x-ecs: {task: t}
          api:
            image: nginx
            ports:
              - {name: http, target: 8080}
            x-ecs: {task: t}
          worker:
            image: nginx
            ports:
              - {name: http, target: 9090}
            x-ecs: {task: t}
          client:
            image: nginx
        """, "--format", "cloudformation", "--json")
    assert result.exit_code == 0, result.output
    template = json.loads(result.stdout)
    (td,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition"
             and r["Properties"]["Family"].endswith("-t")]
    names = [p["Name"] for c in td["Properties"]["ContainerDefinitions"] for p in c.get("PortMappings", [])]
    assert len(names) == 4 and len({n.lower() for n in names}) == 4, names
    assert "web" in names and "http" in names
    (service,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::ECS::Service"
                  and r["Properties"]["ServiceName"] == "t"]
    sc = service["Properties"]["ServiceConnectConfiguration"]["Services"]
    assert sorted(s["PortName"] for s in sc) == sorted(names)  # Service Connect names the renamed ports
    assert len({s["DiscoveryName"] for s in sc}) == len(sc)
    assert "port name web is already used in the task" in result.stderr
    assert "services.worker.ports[0]: info: port name http is already used" in result.stderr


def test_service_connect_names_of_long_services_stay_apart(tmp_path):
    result = convert(tmp_path, _two_long_services(), "--format", "cloudformation", "--json")
    assert result.exit_code == 0, result.output
    template = json.loads(result.stdout)
    services = [r for r in template["Resources"].values() if r["Type"] == "AWS::ECS::Service"]
    entries = [s for svc in services for s in svc["Properties"]["ServiceConnectConfiguration"]["Services"]]
    assert len(entries) == 2
    assert len({e["DiscoveryName"] for e in entries}) == 2
    assert len({e["PortName"] for e in entries}) == 2
    for e in entries:
        assert re.match(r"^[a-z0-9_][a-z0-9_-]{0,63}$", e["DiscoveryName"]), e


def test_the_name_helpers():
    from compose2ecs.ecs.names import NameSpace, shorten

    assert shorten("short", 10) == "short"
    a, b = shorten("x" * 300 + "a", 255), shorten("x" * 300 + "b", 255)
    assert a != b and len(a) == len(b) == 255
    assert shorten("y" * 100, 64, "-80-tcp").endswith("-80-tcp") and len(shorten("y" * 100, 64, "-80-tcp")) == 64
    space = NameSpace(64)
    assert space.claim("Web", "one") == "Web"
    second = space.claim("web", "two")
    assert second != "web" and second.startswith("web-") and len(second) <= 64
    assert space.claim("web", "two") == second  # an owner keeps its name
    assert NameSpace(64).claim("web", "two") == "web"


def test_security_group_names_of_long_services_stay_apart():
    from compose2ecs.aws.network import group_name

    first, second = group_name("p", LONG + "a"), group_name("p", LONG + "b")
    assert first != second and len(first) <= 255 and len(second) <= 255
    assert group_name("p", "web") == "p-web"


def test_an_x_ecs_task_memory_beyond_the_api_on_ec2_is_an_error_at_x_ecs_memory(tmp_path):
    result = convert(tmp_path, """
        services:
          web:
            image: nginx
            x-ecs: {cpu: 1024, memory: 9999999g}
        """, "--launch-type", "EC2")
    assert result.exit_code == 2, result.output
    assert "services.web.x-ecs.memory: error: the task's memory is 10,239,998,976 MiB" in result.stderr


def test_services_differing_only_in_case_do_not_share_a_service_connect_alias(tmp_path):
    result = convert(tmp_path, """
        services:
          Web:
            image: nginx
            ports: ["80:80"]
          web:
            image: nginx
            ports: ["80:80"]
        """, "--format", "cloudformation", "--json")
    assert result.exit_code == 0, result.output
    template = json.loads(result.stdout)
    aliases = [(a["DnsName"], a["Port"]) for r in template["Resources"].values() if r["Type"] == "AWS::ECS::Service"
               for s in r["Properties"]["ServiceConnectConfiguration"]["Services"] for a in s["ClientAliases"]]
    assert len(aliases) == 2 and len(set(aliases)) == 2 and ("web", 80) in aliases, aliases
    assert "services.web: lossy: Service Connect name web:80 is already taken" in result.stderr
