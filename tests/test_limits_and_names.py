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
