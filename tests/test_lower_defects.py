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
    host_ip = messages(ecs, "loopback address 127.0.0.1")  # one finding per entry, not per port
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


# 2. names that collide after sanitising -----------------------------------------------------

def test_colliding_names_get_a_numbered_suffix(tmp_path):
    ecs, tds = convert(tmp_path, """
        name: p
        services:
          web.v2: {image: nginx, ports: ["80:80"]}
          web-v2: {image: nginx, ports: ["80:80"]}
          Web: {image: nginx}
          web: {image: nginx}
    """)
    assert set(tds) == {"p-Web", "p-web-2", "p-web-v2", "p-web-v2-2"}
    assert len({s.name.lower() for s in ecs.services}) == 4
    td = tds["p-web-v2-2"]["containerDefinitions"][0]
    assert td["name"] == "web-v2-2" and td["portMappings"][0]["name"] == "web-v2-2-80-tcp"
    assert td["logConfiguration"]["options"]["awslogs-stream-prefix"] == "web-v2-2"
    discovery = [e.discovery_name for s in ecs.services for e in s.service_connect]
    assert len(discovery) == len(set(discovery))
    assert len(messages(ecs, "get the same ECS name")) == 2


def test_colliding_names_render_as_cloudformation(tmp_path):
    from compose2ecs.emit.cloudformation import assemble

    ecs, _ = convert(tmp_path, """
        name: p
        services:
          web.v2: {image: nginx, ports: ["80:80"]}
          web-v2: {image: nginx, ports: ["80:80"]}
          Web: {image: nginx}
          web: {image: nginx}
    """)
    families = [r["Properties"].get("Family") for r in assemble(ecs)["Resources"].values()
                if r["Type"] == "AWS::ECS::TaskDefinition"]
    assert sorted(families) == ["p-Web", "p-web-2", "p-web-v2", "p-web-v2-2"]


# 3. dependency cycles inside one task -------------------------------------------------------

def test_a_container_dependency_cycle_is_a_located_error():
    from compose2ecs.compose.model import Dependency, Project, Service
    from compose2ecs.errors import Location

    at = Location("c.yaml", 3, 5, ("services", "app"))
    app = Service(name="app", image="x", at=at,
                  depends_on=(Dependency("init", "service_completed_successfully"),))
    init = Service(name="init", image="x", depends_on=(Dependency("app", "service_started"),),
                   extra=(("x-ecs", {"task": "app"}),))
    with pytest.raises(UserError) as err:
        lower(Project("p", "/", (app, init)), LowerOptions(region="us-east-1"))
    assert "app → init → app" in str(err.value)


# 9. > 10 containers: the error names the 11th service in file order ---------------------------

def test_too_many_containers_points_at_the_eleventh_in_file_order(tmp_path):
    services = "".join(f"  s{i}: {{image: busybox, x-ecs: {{task: pod}}}}\n" for i in range(1, 12))
    with pytest.raises(UserError) as err:
        convert(tmp_path, "name: p\nservices:\n" + services)
    assert "services.s11.x-ecs.task" in str(err.value)


# 10. x-ecs.task semantics -------------------------------------------------------------------

def test_task_naming_no_service_is_reported(tmp_path):
    ecs, tds = convert(tmp_path, """
        name: p
        services:
          a: {image: nginx, x-ecs: {task: zzz}}
    """)
    assert set(tds) == {"p-zzz"} and messages(ecs, "no compose service is called 'zzz'")


def test_tasks_pointing_at_each_other_are_an_error(tmp_path):
    with pytest.raises(UserError) as err:
        convert(tmp_path, """
            name: p
            services:
              a: {image: nginx, x-ecs: {task: b}}
              b: {image: nginx, x-ecs: {task: a}}
        """)
    text = str(err.value)
    assert "services.a.x-ecs.task" in text and "services.b.x-ecs.task" in text


# 4. awslogs-group must be a CloudWatch name; 9. log-driver wording ----------------------------

@pytest.mark.parametrize("group", ["aws/x", "bad name", "x" * 513])
def test_an_invalid_awslogs_group_is_a_located_error(tmp_path, group):
    with pytest.raises(UserError) as err:
        convert(tmp_path, f"""
            name: p
            services:
              web:
                image: nginx
                logging: {{driver: awslogs, options: {{awslogs-group: "{group}"}}}}
        """)
    assert "services.web.logging.options.awslogs-group" in str(err.value)


def test_a_valid_awslogs_group_is_kept(tmp_path):
    ecs, tds = convert(tmp_path, """
        name: p
        services:
          web: {image: nginx, logging: {driver: awslogs, options: {awslogs-group: "/my/aws/x"}}}
    """)
    assert tds["p-web"]["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-group"] == "/my/aws/x"


def test_splunk_is_kept_with_its_required_options_and_explained_without(tmp_path):
    ecs, tds = convert(tmp_path, """
        name: p
        services:
          a: {image: nginx, logging: {driver: splunk, options: {splunk-url: "https://s:8088", splunk-token: t}}}
          b: {image: nginx, logging: {driver: splunk, options: {splunk-url: "https://s:8088"}}}
          c: {image: nginx, logging: {driver: awsfirelens}}
          d: {image: nginx, logging: {driver: fluentd}}
    """)
    assert tds["p-a"]["containerDefinitions"][0]["logConfiguration"]["logDriver"] == "splunk"
    assert tds["p-b"]["containerDefinitions"][0]["logConfiguration"]["logDriver"] == "awslogs"
    assert messages(ecs, "splunk options splunk-token, which are missing")
    assert messages(ecs, "FireLens log-router container")
    assert messages(ecs, "support only the awslogs, splunk and awsfirelens drivers, not fluentd")
    assert not messages(ecs, "(Fargate supports awslogs, splunk and awsfirelens)")


# 5. task role ---------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["x-aws-policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]",
                                 "x-aws-role: {Version: '2012-10-17', Statement: []}",
                                 "x-ecs: {policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]}"])
def test_policies_without_a_role_arn_name_a_placeholder_role(tmp_path, key):
    ecs, tds = convert(tmp_path, f"""
        name: p
        services:
          web:
            image: nginx
            {key}
    """)
    role = tds["p-web"]["taskRoleArn"]
    assert role.startswith("REPLACE-ME-") and role in {p.value for p in ecs.placeholders}
    assert messages(ecs, f"placeholder role {role}")


def test_a_given_task_role_wins_and_the_policies_are_mentioned(tmp_path):
    ecs, tds = convert(tmp_path, """
        name: p
        services:
          web: {image: nginx, x-aws-policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]}
    """, task_role_arn="app-role")
    assert tds["p-web"]["taskRoleArn"] == "app-role" and not ecs.placeholders
    assert messages(ecs, "does not attach 1 policy")


def test_cloudformation_still_creates_the_task_role(tmp_path):
    from compose2ecs.emit.cloudformation import assemble

    ecs, _ = convert(tmp_path, """
        name: p
        services:
          web: {image: nginx, x-aws-policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]}
    """)
    td = next(r for r in assemble(ecs)["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition")
    assert "REPLACE-ME" not in json.dumps(td["Properties"]["TaskRoleArn"])


# 6. EFS placeholder finding; report wording ---------------------------------------------------

def test_efs_placeholder_is_a_finding_at_the_volume(tmp_path):
    from compose2ecs.report import render_report

    ecs, tds = convert(tmp_path, """
        name: p
        services:
          web: {image: nginx, volumes: ["data:/data"]}
        volumes:
          data: {}
    """)
    found = messages(ecs, "placeholder file system id fs-00000000000000001")
    assert len(found) == 1 and found[0].location.key_path == ("volumes", "data")
    assert "--efs data=fs-" in found[0].hint
    taskdef = render_report(_project(tmp_path), ecs,
                            "aws ecs register-task-definition --cli-input-json file://x.json")
    assert "a file system the stack creates" not in taskdef and "--efs data=fs-" in taskdef
    stack = render_report(_project(tmp_path), ecs, "aws cloudformation deploy --template-file t.yaml")
    assert "a file system the stack creates" in stack


def _project(tmp_path):
    return load_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path)), {}).project


# 7. silently lost values --------------------------------------------------------------------

def test_volume_subpath_becomes_an_efs_root_directory(tmp_path):
    ecs, tds = convert(tmp_path, """
        name: p
        services:
          web:
            image: nginx
            volumes:
              - data:/data
              - {type: volume, source: data, target: /sub, volume: {subpath: a/b}}
        volumes:
          data: {}
    """)
    volumes = {v["name"]: v["efsVolumeConfiguration"] for v in tds["p-web"]["volumes"]}
    assert volumes["data"].get("rootDirectory") is None and volumes["data-a-b"]["rootDirectory"] == "/a/b"
    mounts = tds["p-web"]["containerDefinitions"][0]["mountPoints"]
    assert {m["sourceVolume"] for m in mounts} == {"data", "data-a-b"}


def test_gpus_all_on_ec2_is_lossy(tmp_path):
    ecs, tds = convert(tmp_path, """
        name: p
        services:
          web: {image: nginx, gpus: all}
    """, launch_type="EC2")
    assert tds["p-web"]["containerDefinitions"][0]["resourceRequirements"] == [{"type": "GPU", "value": "1"}]
    assert messages(ecs, "gpus all cannot be expressed")


# 8. ipc on EC2 ---------------------------------------------------------------------------------

def test_ipc_host_is_lowered_on_ec2_and_unsupported_on_fargate(tmp_path):
    text = """
        name: p
        services:
          web: {image: nginx, ipc: host}
    """
    ecs, tds = convert(tmp_path, text, launch_type="EC2")
    assert tds["p-web"]["ipcMode"] == "host" and not messages(ecs, "ipc")
    ecs, tds = convert(tmp_path, text)
    assert "ipcMode" not in tds["p-web"] and messages(ecs, "ipc is not supported on Fargate")


# 9. x-aws-keys names the real variables --------------------------------------------------------

def test_x_aws_keys_finding_names_the_variables(tmp_path):
    ecs, tds = convert(tmp_path, """
        name: p
        services:
          web: {image: nginx, secrets: [jsonsec]}
        secrets:
          jsonsec:
            name: arn:aws:secretsmanager:us-east-1:123456789012:secret:j-AbCdEf
            external: true
            x-aws-keys: [user, pass]
    """)
    names = {s["name"] for s in tds["p-web"]["containerDefinitions"][0]["secrets"]}
    assert names == {"JSONSEC_USER", "JSONSEC_PASS"}
    found = messages(ecs, "injected as environment variables")
    assert found and "JSONSEC_PASS, JSONSEC_USER" in found[0].message or "JSONSEC_USER, JSONSEC_PASS" in found[0].message


# published ≠ container port behind a load balancer ---------------------------------------------

REMAP = """
    name: p
    {top}
    services:
      api:
        image: example/api
        ports: ["80:8080"]
"""


@pytest.mark.parametrize("top, options", [
    ("", {"load_balancer": "alb"}),
    ("x-ecs: {load_balancer: nlb}", {}),
    ("x-ecs: {load_balancer_arn: 'arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/a/b'}", {}),
])
def test_a_load_balancer_makes_the_published_port_its_listener_not_a_loss(tmp_path, top, options):
    ecs, _ = convert(tmp_path, REMAP.format(top=top), **options)
    (finding,) = messages(ecs, "published port 80")
    assert finding.severity == "info" and "listener port" in finding.message
    (svc,) = ecs.services
    assert [(t.listener_port, t.container_port) for t in svc.load_balancer] == [(80, 8080)]


@pytest.mark.parametrize("top, options", [("", {}), ("x-ecs: {load_balancer: none}", {}), ("", {"load_balancer": "none"})])
def test_without_a_load_balancer_the_remap_is_lossy(tmp_path, top, options):
    ecs, _ = convert(tmp_path, REMAP.format(top=top), **options)
    (finding,) = messages(ecs, "published port 80")
    assert finding.severity == "lossy" and "cannot remap" in finding.message
