"""Merging several compose files: one test per rule of the spec table, plus golden cases.

Golden cases live in tests/fixtures/merge/<case>/: the input files are merged in name order
(``1-compose.yaml``, ``2-...``); the expected output is ``merged.yaml`` (the merged document)
plus ``locations.txt`` (which file supplied each service key), or ``error.txt`` for bad cases.
"""
from __future__ import annotations

import pytest
import yaml

from compose2ecs.compose.merge import (EXTENDS_RULES, merge_documents, merge_service,
                                       strip_tags)
from compose2ecs.compose.source import LDict, LList, Override, Reset, parse_yaml, plain
from compose2ecs.errors import UserError

from .conftest import FIXTURES, corpus_dir
from .golden import cases, check_golden


# --- helpers shared with the other front-end tests ----------------------------------------

def render(doc) -> str:
    """Deterministic YAML of a located document (wrappers shown as plain values)."""
    return yaml.safe_dump(plain(doc), sort_keys=True, default_flow_style=False, width=100)


def render_locations(doc, depth: int = 3) -> str:
    """``services.web.image  2-compose.override.yaml:4:12`` for every node down to ``depth``
    levels below each service: shows which file supplied which value."""
    lines: list = []

    def walk(node, path, level):
        if level > depth:
            return
        if isinstance(node, LDict):
            for key, value in node.items():
                lines.append(f"{'.'.join(map(str, path + (key,)))}  {_short(node.loc(key))}")
                walk(value, path + (key,), level + 1)
        elif isinstance(node, LList):
            for i, value in enumerate(node):
                lines.append(f"{'.'.join(map(str, path))}[{i}]  {_short(node.loc(i))}")

    walk(doc.get("services") or LDict(), ("services",), 1)
    return "\n".join(lines) + "\n"


def _short(loc) -> str:
    return f"{loc.file}:{loc.line}:{loc.column}"


def error_text(exc: UserError) -> str:
    return "\n".join(str(d) for d in exc.diagnostics) + "\n"


def y(text: str, name: str = "f.yaml"):
    return parse_yaml(text, name)


def merged_service(*texts, service="web"):
    docs = [y(t, f"{i + 1}.yaml") for i, t in enumerate(texts)]
    return plain(merge_documents(docs))["services"][service]


# --- golden cases --------------------------------------------------------------------------

@pytest.mark.parametrize("case", cases(FIXTURES / "merge"), ids=lambda p: p.name)
def test_merge_golden(case, update_golden):
    files = sorted(p for p in case.glob("*.yaml") if p.name[0].isdigit())
    docs = [parse_yaml(p.read_text(), p.name) for p in files]
    if case.name.startswith("bad_"):
        with pytest.raises(UserError) as err:
            merge_documents(docs)
        check_golden(case / "error.txt", error_text(err.value), update_golden)
        return
    merged = merge_documents(docs)
    check_golden(case / "merged.yaml", render(merged), update_golden)
    check_golden(case / "locations.txt", render_locations(merged), update_golden)


# --- one test per rule -----------------------------------------------------------------------

def test_scalars_later_file_wins_and_null_keeps_earlier():
    web = merged_service("services: {web: {image: a, user: root, x-a: 1}}",
                         "services: {web: {image: b, user: null, x-a: 2}}")
    assert web == {"image": "b", "user": "root", "x-a": 2}


def test_mappings_merge_key_by_key():
    web = merged_service("services: {web: {deploy: {resources: {limits: {cpus: 1.0}}}}}",
                         "services: {web: {deploy: {resources: {limits: {memory: 1024}}, replicas: 2}}}")
    assert web == {"deploy": {"resources": {"limits": {"cpus": 1.0, "memory": 1024}}, "replicas": 2}}


@pytest.mark.parametrize("key", ["command", "entrypoint"])
def test_command_and_entrypoint_are_replaced_not_appended(key):
    web = merged_service(f"services: {{web: {{{key}: [a, b]}}}}", f"services: {{web: {{{key}: [c]}}}}")
    assert web[key] == ["c"]


def test_healthcheck_test_is_replaced_other_healthcheck_keys_merge():
    web = merged_service("services: {web: {healthcheck: {test: [CMD, a], interval: 5}}}",
                         "services: {web: {healthcheck: {test: [CMD, b], retries: 3}}}")
    assert web["healthcheck"] == {"test": ["CMD", "b"], "interval": 5, "retries": 3}


def test_ports_merge_by_ip_published_target_protocol():
    web = merged_service(
        "services: {web: {ports: [{target: 80, published: '8080', protocol: tcp, mode: ingress},"
        " {target: 53, protocol: udp}]}}",
        "services: {web: {ports: [{target: 80, published: '8080', protocol: tcp, mode: host},"
        " {target: 80, published: '8080', protocol: tcp, host_ip: 127.0.0.1},"
        " {target: 53, protocol: tcp}]}}")
    assert web["ports"] == [
        {"target": 80, "published": "8080", "protocol": "tcp", "mode": "host"},  # replaced in place
        {"target": 53, "protocol": "udp"},
        {"target": 80, "published": "8080", "protocol": "tcp", "host_ip": "127.0.0.1"},
        {"target": 53, "protocol": "tcp"},
    ]


def test_volumes_merge_by_target():
    web = merged_service(
        "services: {web: {volumes: [{type: volume, source: a, target: /data},"
        " {type: bind, source: /x, target: /x}]}}",
        "services: {web: {volumes: [{type: bind, source: /host, target: /data, read_only: true}]}}")
    assert web["volumes"] == [{"type": "bind", "source": "/host", "target": "/data", "read_only": True},
                              {"type": "bind", "source": "/x", "target": "/x"}]


@pytest.mark.parametrize("key,default", [("secrets", "/run/secrets/"), ("configs", "/")])
def test_secrets_and_configs_merge_by_target_with_default_target(key, default):
    web = merged_service(
        f"services: {{web: {{{key}: [{{source: s}}, {{source: t, target: /t}}]}}}}",
        f"services: {{web: {{{key}: [{{source: s, target: '{default}s', mode: 256}},"
        f" {{source: u, target: /t}}]}}}}")
    assert web[key] == [{"source": "s", "target": f"{default}s", "mode": 256},
                        {"source": "u", "target": "/t"}]


@pytest.mark.parametrize("key", ["environment", "labels", "annotations", "sysctls", "extra_hosts"])
def test_map_keys_merge_as_maps_later_value_wins_even_null(key):
    web = merged_service(f"services: {{web: {{{key}: {{A: '1', B: '2'}}}}}}",
                         f"services: {{web: {{{key}: {{B: null, C: '3'}}}}}}")
    assert web[key] == {"A": "1", "B": None, "C": "3"}


def test_environment_in_list_form_merges_like_a_map():
    web = merged_service("services: {web: {environment: {A: '1', B: '2'}}}",
                         "services: {web: {environment: ['B=3', C]}}")
    assert web["environment"] == {"A": "1", "B": "3", "C": None}


def test_build_args_and_labels_merge_as_maps():
    web = merged_service("services: {web: {build: {context: /a, args: {X: '1'}, labels: {l: a}}}}",
                         "services: {web: {build: {dockerfile: D, args: {Y: '2'}, labels: {l: b}}}}")
    assert web["build"] == {"context": "/a", "dockerfile": "D", "args": {"X": "1", "Y": "2"},
                            "labels": {"l": "b"}}


@pytest.mark.parametrize("key", ["dns", "dns_search", "dns_opt", "cap_add", "cap_drop", "tmpfs",
                                 "profiles", "links"])
def test_plain_lists_append_without_duplicates(key):
    web = merged_service(f"services: {{web: {{{key}: [a, b]}}}}", f"services: {{web: {{{key}: [b, c]}}}}")
    assert web[key] == ["a", "b", "c"]


def test_expose_dedupes_numbers_and_strings():
    web = merged_service("services: {web: {expose: [80, '443']}}", "services: {web: {expose: ['80', 8080]}}")
    assert web["expose"] == ["80", "443", 8080]


def test_other_lists_are_appended_even_with_duplicates():
    web = merged_service("services: {web: {security_opt: [a]}}", "services: {web: {security_opt: [a, b]}}")
    assert web["security_opt"] == ["a", "a", "b"]


def test_env_file_merges_by_path():
    web = merged_service("services: {web: {env_file: [{path: /a.env, required: true}]}}",
                         "services: {web: {env_file: [{path: /a.env, required: false}, {path: /b.env, required: true}]}}")
    assert web["env_file"] == [{"path": "/a.env", "required": False}, {"path": "/b.env", "required": True}]


def test_ulimits_entries_are_replaced_whole():
    web = merged_service("services: {web: {ulimits: {nofile: {soft: 1, hard: 2}, nproc: {soft: 5, hard: 5}}}}",
                         "services: {web: {ulimits: {nofile: {soft: 10, hard: 20}}}}")
    assert web["ulimits"] == {"nofile": {"soft": 10, "hard": 20}, "nproc": {"soft": 5, "hard": 5}}


def test_depends_on_and_networks_merge_per_name():
    web = merged_service(
        "services: {web: {depends_on: {db: {condition: service_started, required: true}},"
        " networks: {front: null, back: {aliases: [a]}}}}",
        "services: {web: {depends_on: {db: {condition: service_healthy}, cache: {condition: service_started}},"
        " networks: {front: {aliases: [www]}, back: {aliases: [a, b]}}}}")
    assert web["depends_on"] == {"db": {"condition": "service_healthy", "required": True},
                                 "cache": {"condition": "service_started"}}
    assert web["networks"] == {"front": {"aliases": ["www"]}, "back": {"aliases": ["a", "b"]}}


def test_logging_options_merge_when_the_driver_is_the_same():
    web = merged_service("services: {web: {logging: {driver: json-file, options: {a: '1'}}}}",
                         "services: {web: {logging: {driver: json-file, options: {b: '2'}}}}")
    assert web["logging"] == {"driver": "json-file", "options": {"a": "1", "b": "2"}}


def test_logging_options_merge_when_only_one_file_names_a_driver():
    web = merged_service("services: {web: {logging: {driver: syslog, options: {a: '1'}}}}",
                         "services: {web: {logging: {options: {b: '2'}}}}")
    assert web["logging"] == {"driver": "syslog", "options": {"a": "1", "b": "2"}}


def test_logging_with_another_driver_replaces_everything():
    web = merged_service("services: {web: {logging: {driver: json-file, options: {a: '1'}}}}",
                         "services: {web: {logging: {driver: awslogs, options: {b: '2'}}}}")
    assert web["logging"] == {"driver": "awslogs", "options": {"b": "2"}}


def test_reset_removes_the_key_whatever_its_value():
    web = merged_service("services: {web: {image: a, ports: [{target: 80}], command: [x]}}",
                         "services: {web: {ports: !reset [], command: !reset null}}")
    assert web == {"image": "a"}


def test_reset_of_a_key_the_base_lacks_leaves_nothing():
    assert merged_service("services: {web: {image: a}}", "services: {web: {dns: !reset []}}") == {"image": "a"}


def test_override_replaces_wholesale_bypassing_merge_rules():
    web = merged_service("services: {web: {environment: {A: '1'}, ports: [{target: 80}]}}",
                         "services: {web: {environment: !override {B: '2'}, ports: !override [{target: 81}]}}")
    assert web == {"environment": {"B": "2"}, "ports": [{"target": 81}]}


def test_tags_inside_a_new_value_are_stripped_too():
    web = merged_service("services: {web: {image: a}}",
                         "services: {web: {deploy: {labels: !override {a: b}, mode: !reset x}}}")
    assert web == {"image": "a", "deploy": {"labels": {"a": "b"}}}


def test_single_document_is_stripped_of_tags():
    doc = merge_documents([y("services: {web: {image: !override a, dns: !reset [x], cap_add: [A]}}")])
    assert plain(doc) == {"services": {"web": {"image": "a", "cap_add": ["A"]}}}
    assert not _has_wrappers(doc)


def _has_wrappers(value) -> bool:
    if isinstance(value, (Reset, Override)):
        return True
    if isinstance(value, dict):
        return any(_has_wrappers(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_wrappers(v) for v in value)
    return False


def test_inputs_are_not_modified():
    a = y("services: {web: {environment: {A: '1'}, dns: [x]}}")
    b = y("services: {web: {environment: {B: '2'}, dns: [y]}}")
    before = (plain(a), plain(b))
    merge_documents([a, b])
    assert (plain(a), plain(b)) == before


def test_empty_files_and_no_files():
    assert plain(merge_documents([])) == {}
    assert plain(merge_documents([y("services: {web: {image: a}}"), None])) == {"services": {"web": {"image": "a"}}}


def test_merged_values_keep_the_location_of_the_file_that_supplied_them():
    a = y("services:\n  web:\n    image: a\n    environment: {A: '1'}\n", "a.yaml")
    b = y("services:\n  web:\n    image: b\n    environment: {B: '2'}\n    user: me\n", "b.yaml")
    web = merge_documents([a, b])["services"]["web"]
    assert (web.loc("image").file, web.loc("image").line) == ("b.yaml", 3)
    assert web.loc("user").file == "b.yaml"
    assert web.loc("environment").file == "a.yaml"  # merged map: where it was first defined
    assert web["environment"].loc("A").file == "a.yaml"
    assert web["environment"].loc("B").file == "b.yaml"


def test_list_items_keep_their_own_file_location():
    a = y("services:\n  web:\n    dns: [a]\n", "a.yaml")
    b = y("services:\n  web:\n    dns: [b]\n", "b.yaml")
    dns = merge_documents([a, b])["services"]["web"]["dns"]
    assert [dns.loc(i).file for i in range(2)] == ["a.yaml", "b.yaml"]


def test_mapping_versus_list_is_a_located_error():
    a = y("services:\n  web:\n    deploy: {placement: {constraints: [a]}}\n", "a.yaml")
    b = y("services:\n  web:\n    deploy: {placement: [b]}\n", "b.yaml")
    with pytest.raises(UserError) as err:
        merge_documents([a, b])
    diag = err.value.diagnostics[0]
    assert diag.location.file == "b.yaml" and diag.location.line == 3
    assert diag.location.key_path == ("services", "web", "deploy", "placement")
    assert "a list here but a mapping in a.yaml:3" in diag.message
    assert "!override" in diag.hint


def test_extends_rules_concatenate_dns_without_dedupe_but_file_rules_dedupe():
    base, local = y("dns: [a, b]\ncap_add: [X]"), y("dns: [b]\ncap_add: [X, Y]")
    assert plain(merge_service(base, local, EXTENDS_RULES))["dns"] == ["a", "b", "b"]
    assert plain(merge_service(base, local))["dns"] == ["a", "b"]
    assert plain(merge_service(base, local, EXTENDS_RULES))["cap_add"] == ["X", "Y"]


def test_merge_service_keep_tags_preserves_markers_for_the_later_file_merge():
    merged = merge_service(y("ports: [{target: 80}]\nimage: a"), y("ports: !reset []"),
                           EXTENDS_RULES, keep_tags=True)
    assert isinstance(merged["ports"], Reset)
    assert strip_tags(merged) == {"image": "a"}


def test_corpus_docker_compose_override_files():
    folder = corpus_dir("real", "docker-compose-override-files")
    canonical = pytest.importorskip("compose2ecs.compose.canonical")
    docs = [canonical.canonicalise(parse_yaml((folder / n).read_text(), n), str(folder))
            for n in ("docker-compose.yml", "docker-compose.override.yml", "extra.yml")]
    services = plain(merge_documents(docs))["services"]
    assert services["web"]["command"] == ["top"]  # replaced, not appended
    assert list(services["web"]["depends_on"]) == ["db", "other"]
    assert list(services) == ["web", "db", "other"]


# --- property: any mix of shapes merges or fails with a located UserError, never a crash ---

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_KEYS = ["image", "command", "ports", "volumes", "secrets", "environment", "labels", "dns",
         "logging", "driver", "options", "build", "args", "depends_on", "networks", "ulimits",
         "nofile", "env_file", "path", "target", "source", "published", "healthcheck", "test",
         "expose", "extra_hosts", "deploy", "x-ext", "web", "db"]
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from(["a", "b=1", "/x", "80"]))


def _wrapped(children):
    plain_values = st.one_of(st.lists(children, max_size=3),
                             st.dictionaries(st.sampled_from(_KEYS), children, max_size=4))
    return st.one_of(plain_values, plain_values.map(Reset), plain_values.map(Override))


_VALUES = st.recursive(_SCALARS, _wrapped, max_leaves=12)
_DOCS = st.dictionaries(st.sampled_from(["services", "networks", "volumes", "name"]),
                        st.dictionaries(st.sampled_from(["web", "db"]),
                                        st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=5),
                                        max_size=2), max_size=3)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_DOCS, min_size=1, max_size=3))
def test_any_documents_merge_or_fail_with_a_located_error(docs):
    docs = [_locate(d, f"{i}.yaml") for i, d in enumerate(docs)]
    try:
        merged = merge_documents(docs)
    except UserError as err:
        assert all(d.location.file for d in err.diagnostics)
        return
    assert isinstance(merged, LDict) and not _has_wrappers(merged)


def _locate(value, name):
    """Plain generated data → LDict/LList carrying a file location."""
    from compose2ecs.errors import Location
    at = Location(name, 1, 1)
    if isinstance(value, (Reset, Override)):
        return type(value)(_locate(value.value, name))
    if isinstance(value, dict):
        return LDict({k: _locate(v, name) for k, v in value.items()}, at=at,
                     locs={k: at for k in value})
    if isinstance(value, list):
        return LList([_locate(v, name) for v in value], at)
    return value


def test_blkio_device_limits_merge_by_device_path():
    web = merged_service("services: {web: {blkio_config: {device_read_bps: [{path: /dev/a, rate: 1}, {path: /dev/b, rate: 2}]}}}",
                         "services: {web: {blkio_config: {device_read_bps: [{path: /dev/a, rate: 9}]}}}")
    assert web["blkio_config"]["device_read_bps"] == [{"path": "/dev/a", "rate": 9}, {"path": "/dev/b", "rate": 2}]


def test_extends_dedupes_security_opt_and_placement_constraints_file_merge_appends():
    base = y("security_opt: [a]\ndeploy: {placement: {constraints: [x]}}")
    local = y("security_opt: [a, b]\ndeploy: {placement: {constraints: [x, y]}}")
    extended = plain(merge_service(base, local, EXTENDS_RULES))
    assert extended["security_opt"] == ["a", "b"]
    assert extended["deploy"]["placement"]["constraints"] == ["x", "y"]
    assert plain(merge_service(base, local))["security_opt"] == ["a", "a", "b"]


def test_reset_of_one_environment_variable_removes_it():
    web = merged_service("services: {web: {environment: {A: '1', B: '2'}}}",
                         "services: {web: {environment: {A: !reset null, C: '3'}}}")
    assert web["environment"] == {"B": "2", "C": "3"}
