"""ECS limits per launch type, the 64 KiB task-definition size, and unique names (issue 17: 12, 14, 16)."""
from __future__ import annotations

import json
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
