"""The typed compose model built from the canonical document (compose/build*.py)."""
from __future__ import annotations

import pytest

from compose2ecs.compose.build import SERVICE_FIELDS, build_project
from compose2ecs.compose.canonical import canonicalise
from compose2ecs.compose.model import (Dependency, FileReference, Port, ServiceNetwork, Ulimit,
                                       as_dict)
from compose2ecs.compose.source import parse_yaml
from compose2ecs.errors import UserError

BASE = "/project"


def project(text: str, name: str = "demo"):
    doc = canonicalise(parse_yaml(text, "compose.yaml"), BASE, home="/home/user")
    return build_project(doc, name=name, working_dir=BASE, files=["compose.yaml"])


def svc(body: str):
    """A project with one service ``s``; ``body`` is indented service YAML."""
    return project("services:\n  s:\n    image: x\n" + body).service("s")


def errors_of(text: str) -> list:
    with pytest.raises(UserError) as err:
        project(text)
    return err.value.diagnostics


def test_services_sorted_and_project_fields():
    p = project("services:\n  b: {image: x}\n  a: {image: y}\nx-ecs: {cluster: c}\n",
                name="shop")
    assert [s.name for s in p.services] == ["a", "b"]
    assert (p.name, p.working_dir, p.files) == ("shop", BASE, ("compose.yaml",))
    assert p.extension("x-ecs") == {"cluster": "c"}


def test_units_are_parsed_once():
    s = svc("    mem_limit: 512m\n    cpus: '1.5'\n    stop_grace_period: 1m30s\n"
            "    healthcheck: {test: 'true', interval: 30s, timeout: 500ms, retries: 3}\n")
    assert s.deploy.resources.memory_limit == 512 * 1024 ** 2
    assert s.deploy.resources.cpus_limit == 1.5
    assert s.stop_grace_period == 90.0
    hc = s.healthcheck
    assert (hc.test, hc.interval, hc.timeout, hc.retries) == (("CMD-SHELL", "true"), 30.0, 0.5, 3)


def test_deploy_resources_agreeing_with_service_keys():
    s = svc("    mem_limit: 1g\n    scale: 2\n    deploy:\n      replicas: 2\n"
            "      resources:\n        limits: {memory: 1024M, cpus: '0.25'}\n"
            "        reservations: {memory: 64m, cpus: '0.1'}\n")
    r = s.deploy.resources
    assert (r.memory_limit, r.cpus_limit, r.memory_reservation, r.cpus_reservation) == \
        (1024 ** 3, 0.25, 64 * 1024 ** 2, 0.1)
    assert s.deploy.replicas == 2


@pytest.mark.parametrize("body, first, second", [
    ("    cpus: 1\n    deploy: {resources: {limits: {cpus: '2'}}}\n", "cpus",
     "deploy.resources.limits.cpus"),
    ("    mem_limit: 1g\n    deploy: {resources: {limits: {memory: 2g}}}\n", "mem_limit",
     "deploy.resources.limits.memory"),
    ("    mem_reservation: 1m\n    deploy: {resources: {reservations: {memory: 2m}}}\n",
     "mem_reservation", "deploy.resources.reservations.memory"),
    ("    pids_limit: 5\n    deploy: {resources: {limits: {pids: 6}}}\n", "pids_limit",
     "deploy.resources.limits.pids"),
    ("    scale: 1\n    deploy: {replicas: 3}\n", "scale", "deploy.replicas"),
])
def test_disagreeing_settings_are_an_error_naming_both_keys(body, first, second):
    [diag] = errors_of("services:\n  s:\n    image: x\n" + body)
    assert first in diag.message and second in diag.message and "disagree" in diag.message
    assert diag.location.key_path == ("services", "s", first)
    assert diag.location.line == 4


def test_all_bad_values_reported_together_with_locations():
    diags = errors_of("services:\n  s:\n    image: x\n    mem_limit: lots\n"
                      "    stop_grace_period: soon\n  t:\n    image: x\n    cpus: many\n")
    assert [(d.location.key_path, d.location.line) for d in diags] == [
        (("services", "s", "mem_limit"), 4), (("services", "s", "stop_grace_period"), 5),
        (("services", "t", "cpus"), 8)]
    assert all(d.hint for d in diags)


def test_ports_typed_with_locations():
    s = svc("    ports:\n      - '8080:80'\n      - {target: 90, x-aws-protocol: http}\n")
    assert s.ports[0] == Port(target=80, published="8080", at=s.ports[0].at)
    assert s.ports[0].at.line == 5 and s.ports[0].at.key_path == ("services", "s", "ports", 0)
    assert s.ports[1].extensions == (("x-aws-protocol", "http"),)


def test_volumes_typed():
    s = svc("    volumes:\n      - ./d:/d:ro\n      - data:/data\n"
            "      - {type: tmpfs, target: /t, tmpfs: {size: 1m}}\n")
    bind, named, tmpfs = s.volumes
    assert (bind.type, bind.source, bind.read_only, as_dict(bind.bind)) == \
        ("bind", "/project/d", True, {"create_host_path": True})
    assert (named.type, named.source, named.target) == ("volume", "data", "/data")
    assert as_dict(tmpfs.tmpfs) == {"size": 1024 ** 2}


def test_environment_and_labels_are_sorted_pairs():
    s = svc("    environment: [B=2, A=1, C]\n    labels: {z: 1, a: true}\n")
    assert s.environment == (("A", "1"), ("B", "2"), ("C", None))
    assert s.labels == (("a", "true"), ("z", "1"))


def test_references_dependencies_ulimits():
    s = svc("    secrets: [a, {source: b, target: /x, mode: '0400'}]\n"
            "    depends_on: {z: {condition: service_healthy}, y: {required: false}}\n"
            "    ulimits: {nofile: 10}\n")
    assert [(r.source, r.target, r.mode) for r in s.secrets] == [("a", None, None),
                                                                  ("b", "/x", 0o400)]
    assert isinstance(s.secrets[0], FileReference)
    assert [(d.service, d.condition, d.required) for d in s.depends_on] == [
        ("y", "service_started", False), ("z", "service_healthy", True)]
    assert isinstance(s.depends_on[0], Dependency)
    assert s.ulimits == (Ulimit("nofile", 10, 10, at=s.ulimits[0].at),)


def test_command_unset_empty_and_split():
    assert svc("").command is None
    assert svc("    command: ''\n").command == ()
    assert svc("    command: a 'b c'\n").command == ("a", "b c")


def test_networks_and_the_implicit_default():
    p = project("services:\n  a: {image: x}\n  b: {image: x, networks: [front]}\n"
                "  c: {image: x, network_mode: host}\nnetworks:\n  front:\n")
    assert p.service("a").networks == (ServiceNetwork("default", at=p.service("a").at),)
    assert [n.name for n in p.service("b").networks] == ["front"]
    assert p.service("c").networks == ()
    assert [n.key for n in p.networks] == ["default", "front"]


def test_unknown_keys_go_to_extra_and_nothing_is_dropped():
    s = svc("    extra_hosts: [h=1.2.3.4]\n    x-ecs: {cpu: 256}\n    cpu_count: 2\n")
    assert s.get("extra_hosts") == {"h": "1.2.3.4"}
    assert s.get("x-ecs") == {"cpu": 256}
    assert [k for k, _ in s.extra] == ["cpu_count", "extra_hosts", "x-ecs"]
    assert not set(SERVICE_FIELDS) & {k for k, _ in s.extra}


def test_build_context_defaults_and_top_level_resources():
    p = project("services:\n  s:\n    build: {dockerfile: D, args: [A=1]}\n"
                "secrets:\n  k: {file: ./k}\nvolumes:\n  v:\n")
    b = p.service("s").build
    assert (b.context, b.dockerfile, b.args) == (BASE, "D", (("A", "1"),))
    assert p.resource("secrets", "k").get("file") == "/project/k"
    assert p.resource("volumes", "v").attrs == ()


def test_locator_points_into_the_document():
    p = project("services:\n  s:\n    image: x\n    privileged: true\n")
    loc = p.locate("services", "s", "privileged")
    assert (loc.file, loc.line, loc.key_path) == ("compose.yaml", 4, ("services", "s",
                                                                      "privileged"))
    assert p.service("s").privileged is True


def test_deploy_policies_typed():
    s = svc("    deploy:\n      restart_policy: {condition: on-failure, delay: 5s, window: 1m}\n"
            "      update_config: {parallelism: 2, max_failure_ratio: 0.5}\n"
            "      x-aws-autoscaling: {max: 3}\n")
    assert as_dict(s.deploy.restart_policy) == {"condition": "on-failure", "delay": 5.0,
                                                "window": 60.0}
    assert as_dict(s.deploy.update_config) == {"parallelism": 2, "max_failure_ratio": 0.5}
    assert s.deploy.extensions == (("x-aws-autoscaling", {"max": 3}),)


# --- robustness: any value under any service key gives a model or a UserError ---------------

import jsonschema  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from compose2ecs.compose.validate import compose_schema  # noqa: E402

VALIDATOR = jsonschema.Draft7Validator(compose_schema())
SERVICE_KEYS = sorted(compose_schema()["definitions"]["service"]["properties"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.floats(-1, 1e4),
                    st.sampled_from(["", "80", "a:b", "1g", "30s", "./x", "x=y", "0440", "no",
                                     "8080:80/udp", "${X}", "CMD", "/p:/q:ro"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(["target", "source", "soft", "test",
                                                         "limits", "memory", "a", "x-y"]),
                                        inner, max_size=3), max_leaves=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(SERVICE_KEYS), VALUES, max_size=4))
def test_arbitrary_service_values_never_crash(service):
    doc = {"services": {"s": service}}
    try:
        canonical = canonicalise(doc, BASE, home="/home/user")
        build_project(canonical, name="p", working_dir=BASE, files=[])
    except UserError as exc:
        assert exc.diagnostics
        if VALIDATOR.is_valid(doc):  # the shape safety net is for unvalidated input only
            assert not [d for d in exc.diagnostics if "unexpected value" in d.message], doc


@pytest.mark.parametrize("spec, message", [
    ("deploy: {replicas: -1}", "-1 is not a number of replicas"),
    ("deploy: {replicas: 99999999999999999999}", "is not a number of replicas"),
    ("scale: -2", "-2 is not a number of replicas"),
    ("ulimits: {nofile: {soft: 10, hard: 5}}", "the soft limit 10 is above the hard limit 5"),
    ("ulimits: {nofile: 9999999999}", "ulimit nofile 9999999999:9999999999 is out of range"),
])
def test_values_ecs_cannot_hold_are_located_errors(spec, message):
    from compose2ecs.compose.build import build_project
    from compose2ecs.compose.canonical import canonicalise
    from compose2ecs.compose.source import parse_yaml

    doc = canonicalise(parse_yaml(f"services:\n  web:\n    image: x\n    {spec}\n", "c.yaml"), "/b")
    with pytest.raises(UserError) as info:
        build_project(doc, name="p", working_dir="/b", files=("c.yaml",))
    (diag,) = info.value.diagnostics
    assert message in str(diag) and str(diag).startswith("c.yaml:4:")
