"""Regression tests for defects acceptance testing found in the lowering (one section per defect)."""
from __future__ import annotations

import json
import textwrap

import pytest

from compose2ecs.ecs.lower import LowerOptions, lower
from compose2ecs.emit.taskdef import render_task_definitions
from compose2ecs.errors import UserError
from compose2ecs.pipeline import InputOptions, load_inputs
from tests.oracle import task_definition_problems


def convert(tmp_path, text: str, **options):
    """(EcsProject, {family: task definition dict}) for an inline compose file; oracle-checked."""
    path = tmp_path / "compose.yaml"
    path.write_text(textwrap.dedent(text))
    project = load_inputs(InputOptions(files=(str(path),), cwd=str(tmp_path)), {}).project
    ecs = lower(project, LowerOptions(region="us-east-1", **options), {})
    tds = {k: json.loads(v) for k, v in render_task_definitions(ecs).items()}
    for family, td in tds.items():
        assert task_definition_problems(td) == [], family
    return ecs, tds


def messages(ecs, needle: str) -> list:
    return [f for f in ecs.findings if needle in f.message]


# 1. port ranges ------------------------------------------------------------------------------

def test_a_short_syntax_range_is_one_container_port_range(tmp_path):
    ecs, tds = convert(tmp_path, """
        name: p
        services:
          web:
            image: nginx
            ports: ["80:80", "8000-8200", "127.0.0.1:5000-5010:5000-5010"]
    """)
    mappings = tds["p-web"]["containerDefinitions"][0]["portMappings"]
    assert mappings == [{"containerPort": 80, "name": "web-80-tcp", "protocol": "tcp"},
                        {"containerPortRange": "8000-8200", "protocol": "tcp"},
                        {"containerPortRange": "5000-5010", "protocol": "tcp"}]
    host_ip = messages(ecs, "host_ip")
    assert len(host_ip) == 1 and host_ip[0].location.key_path == ("services", "web", "ports", 2)
    assert len(messages(ecs, "Service Connect")) == 1


def test_more_than_100_ranges_are_cut_with_a_finding(tmp_path):
    expose = ", ".join(f'"{20000 + 10 * i}-{20000 + 10 * i + 5}"' for i in range(101))
    ecs, tds = convert(tmp_path, f"""
        name: p
        services:
          web:
            image: nginx
            expose: [{expose}]
    """)
    assert len(tds["p-web"]["containerDefinitions"][0]["portMappings"]) == 100
    assert len(messages(ecs, "100 port ranges")) == 1


def test_published_zero_is_not_a_fixed_port(tmp_path):
    ecs, tds = convert(tmp_path, """
        name: p
        services:
          web: {image: nginx, ports: ["0:80"]}
    """)
    assert ecs.services[0].public_ports == ()
    assert messages(ecs, "random host port") and not messages(ecs, "listener 0")


def test_long_syntax_name_merges_into_the_short_port(tmp_path):
    ecs, tds = convert(tmp_path, """
        name: p
        services:
          web:
            image: nginx
            ports: ["80:80", {target: 80, name: http, app_protocol: http}]
    """)
    assert tds["p-web"]["containerDefinitions"][0]["portMappings"] == [
        {"appProtocol": "http", "containerPort": 80, "name": "http", "protocol": "tcp"}]
