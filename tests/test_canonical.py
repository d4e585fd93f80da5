"""Canonicalisation: short syntax → long syntax, with locations kept (compose/canonical*.py)."""
from __future__ import annotations

import copy

import pytest

from compose2ecs.compose.build import build_project
from compose2ecs.compose.canonical import SERVICE_CANONICALISERS, canonicalise
from compose2ecs.compose.canonical_ports import parse_port_spec
from compose2ecs.compose.canonical_volumes import parse_volume_spec
from compose2ecs.compose.render import render_config
from compose2ecs.compose.source import Override, Reset, parse_yaml, plain, read_yaml_file
from compose2ecs.errors import UserError
from tests.conftest import FIXTURES, corpus_dir
from tests.golden import cases, check_golden

BASE = "/project"
HOME = "/home/user"


def canon(text: str):
    return canonicalise(parse_yaml(text, "compose.yaml"), BASE, home=HOME)


def service(text: str, name: str = "s") -> dict:
    return plain(canon(text))["services"][name]


def one_key(key: str, value_yaml: str):
    return service(f"services:\n  s:\n    image: x\n    {key}: {value_yaml}\n")[key]


# --- ports -----------------------------------------------------------------------------

def _p(target, published=None, host_ip=None, protocol="tcp"):
    out = {"mode": "ingress", "target": target, "protocol": protocol}
    if published is not None:
        out["published"] = published
    if host_ip is not None:
        out["host_ip"] = host_ip
    return out


@pytest.mark.parametrize("spec, expected", [
    ("3000", [_p(3000)]),
    ("3000-3002", [_p(3000), _p(3001), _p(3002)]),
    ("8000:8000", [_p(8000, "8000")]),
    ("9090-9091:8080-8081", [_p(8080, "9090"), _p(8081, "9091")]),
    ("8000-9000:80", [_p(80, "8000-9000")]),
    ("127.0.0.1:8001:8001", [_p(8001, "8001", "127.0.0.1")]),
    ("127.0.0.1::5000", [_p(5000, None, "127.0.0.1")]),
    ("::1:6000:6000", [_p(6000, "6000", "::1")]),
    ("[::1]:6001:6001", [_p(6001, "6001", "::1")]),
    ("6060:6060/udp", [_p(6060, "6060", protocol="udp")]),
    ("53:53/UDP", [_p(53, "53", protocol="udp")]),
    ("132:132/sctp", [_p(132, "132", protocol="sctp")]),
])
def test_port_short_forms_expand_like_compose(spec, expected):
    assert parse_port_spec(spec) == expected
    assert one_key("ports", f'["{spec}"]') == expected


@pytest.mark.parametrize("spec, message", [
    ("6060:6060/xyz", "invalid protocol"),
    ("9090-9092:8080-8081", "different lengths"),
    ("300.1.1.1:80:80", "invalid host IP"),
    ("80-70", "ends before it starts"),
    ("http:80", "invalid host port"),
    ("70000", "0 to 65535"),
    ("8080:", "no container port"),
])
def test_malformed_port_is_a_located_error(spec, message):
    text = f'services:\n  s:\n    image: x\n    ports:\n      - "1"\n      - "{spec}"\n'
    with pytest.raises(UserError) as err:
        canon(text)
    [diag] = err.value.diagnostics
    assert message in diag.message
    assert (diag.location.line, diag.location.column) == (6, 9)
    assert diag.location.key_path == ("services", "s", "ports", 1)
    assert diag.hint


def test_port_int_and_long_form():
    ports = one_key("ports", '[80, {target: "81", published: 8081, x-aws-protocol: http}]')
    assert ports == [_p(80), {"target": 81, "published": "8081", "protocol": "tcp",
                              "mode": "ingress", "x-aws-protocol": "http"}]


def test_expanded_ports_keep_the_location_of_their_source_entry():
    doc = canon('services:\n  s:\n    image: x\n    ports:\n      - "1"\n      - "3000-3001"\n')
    ports = doc["services"]["s"]["ports"]
    assert [loc.line for loc in ports.locs] == [5, 6, 6]
    assert ports[2].at.line == 6 and ports[2].loc("target").line == 6


# --- volumes ---------------------------------------------------------------------------

@pytest.mark.parametrize("spec, expected", [
    ("/data", {"type": "volume", "target": "/data", "volume": {}}),
    ("db:/var/lib/db", {"type": "volume", "source": "db", "target": "/var/lib/db", "volume": {}}),
    ("db:/x:nocopy", {"type": "volume", "source": "db", "target": "/x", "volume": {"nocopy": True}}),
    ("/opt:/opt:ro", {"type": "bind", "source": "/opt", "target": "/opt", "read_only": True,
                      "bind": {"create_host_path": True}}),
    ("./a:/a:rw,z", {"type": "bind", "source": "/project/a", "target": "/a",
                     "bind": {"create_host_path": True, "selinux": "z"}}),
    ("../b:/b/:rslave", {"type": "bind", "source": "/b", "target": "/b",
                         "bind": {"create_host_path": True, "propagation": "rslave"}}),
    (".:/src", {"type": "bind", "source": "/project", "target": "/src",
                "bind": {"create_host_path": True}}),
    ("~/c:/c", {"type": "bind", "source": "/home/user/c", "target": "/c",
                "bind": {"create_host_path": True}}),
    ("C:\\\\data:/d", {"type": "bind", "source": "C:\\data", "target": "/d",
                       "bind": {"create_host_path": True}}),
    ("${A:-x}:/y", {"type": "volume", "source": "${A:-x}", "target": "/y", "volume": {}}),
])
def test_volume_short_forms(spec, expected):
    assert one_key("volumes", f'["{spec}"]') == [expected]


def test_volume_spec_parser_keeps_variable_braces_together():
    assert parse_volume_spec("${A:-/x}:/y")["source"] == "${A:-/x}"


@pytest.mark.parametrize("spec, message", [("ab:/b:ro:x", "too many colons"),
                                           ("/a::ro", "empty section")])
def test_malformed_volume_is_a_located_error(spec, message):
    with pytest.raises(UserError) as err:
        canon(f'services:\n  s:\n    image: x\n    volumes: ["{spec}"]\n')
    assert message in str(err.value)
    assert err.value.diagnostics[0].location.key_path == ("services", "s", "volumes", 0)


def test_long_volume_bind_source_resolved_and_tmpfs_size_in_bytes():
    vols = one_key("volumes", "[{type: bind, source: ./x, target: /x},"
                              " {type: tmpfs, target: /t, tmpfs: {size: 1k}}]")
    assert vols == [{"type": "bind", "source": "/project/x", "target": "/x"},
                    {"type": "tmpfs", "target": "/t", "tmpfs": {"size": 1024}}]


# --- list-or-mapping keys ----------------------------------------------------------------

def test_environment_list_and_mapping_forms_agree():
    listed = one_key("environment", '["A=1", "B", "C=x=y", "D=", "A=2"]')
    mapped = one_key("environment", "{A: 2, B: , C: x=y, D: ''}")
    assert listed == mapped == {"A": "2", "B": None, "C": "x=y", "D": ""}


def test_environment_scalars_are_stringified_like_compose():
    assert one_key("environment", "{T: true, F: false, I: 3, R: 0.5, W: 1.0}") == \
        {"T": "true", "F": "false", "I": "3", "R": "0.5", "W": "1"}


def test_labels_bare_key_is_an_empty_label():
    assert one_key("labels", '["a=1", "b"]') == {"a": "1", "b": ""}


def test_extra_hosts_forms():
    hosts = one_key("extra_hosts", '["a:1.2.3.4", "b=5.6.7.8", "c:::1", "d=[::2]", "e=1", "e=2"]')
    assert hosts == {"a": "1.2.3.4", "b": "5.6.7.8", "c": "::1", "d": "::2", "e": ["1", "2"]}


def test_extra_host_without_ip_is_a_located_error():
    with pytest.raises(UserError) as err:
        canon('services:\n  s:\n    image: x\n    extra_hosts: ["a=1", "b"]\n')
    [diag] = err.value.diagnostics
    assert diag.location.key_path == ("services", "s", "extra_hosts", 1)
    assert "no IP address" in diag.message


def test_list_entry_without_name_is_an_error():
    with pytest.raises(UserError, match="no name"):
        canon('services:\n  s:\n    image: x\n    environment: ["=1"]\n')


# --- other service keys --------------------------------------------------------------------

@pytest.mark.parametrize("key, value, expected", [
    ("command", "'echo \"a b\" c'", ["echo", "a b", "c"]),
    ("command", "''", []),
    ("command", "[]", []),
    ("command", "null", None),
    ("entrypoint", "/bin/sh -c", ["/bin/sh", "-c"]),
    ("healthcheck", "{test: curl x, interval: 10s}",
     {"test": ["CMD-SHELL", "curl x"], "interval": "10s"}),
    ("depends_on", "[db]", {"db": {"condition": "service_started", "required": True,
                                   "restart": False}}),
    ("depends_on", "{db: {condition: service_healthy}}",
     {"db": {"condition": "service_healthy", "required": True, "restart": False}}),
    ("networks", "[a, b]", {"a": None, "b": None}),
    ("secrets", "[a, {source: b, mode: '0440'}]", [{"source": "a"}, {"source": "b", "mode": 0o440}]),
    ("build", ".", {"context": "/project"}),
    ("build", "https://github.com/a/b.git", {"context": "https://github.com/a/b.git"}),
    ("build", "{context: sub, args: [A=1, B]}", {"context": "/project/sub",
                                                 "args": {"A": "1", "B": None}}),
    ("extends", "base", {"service": "base"}),
    ("extends", "{service: b, file: ../c.yaml}", {"service": "b", "file": "../c.yaml"}),
    ("ulimits", "{nproc: 10, nofile: {soft: '1', hard: 2}}",
     {"nproc": {"soft": 10, "hard": 10}, "nofile": {"soft": 1, "hard": 2}}),
    ("tmpfs", "/run", ["/run"]),
    ("dns", "8.8.8.8", ["8.8.8.8"]),
    ("expose", "[80, '90/udp']", ["80", "90/udp"]),
    ("env_file", ".env", [{"path": "/project/.env", "required": True}]),
    ("env_file", "[{path: a.env, required: false, format: raw}]",
     [{"path": "/project/a.env", "required": False, "format": "raw"}]),
    ("label_file", "./l", ["/project/l"]),
    ("devices", "['/dev/a', '/dev/b:/dev/c:r']",
     [{"source": "/dev/a", "target": "/dev/a", "permissions": "rwm"},
      {"source": "/dev/b", "target": "/dev/c", "permissions": "r"}]),
    ("gpus", "all", [{"count": "all"}]),
    ("cap_add", "[NET_ADMIN]", ["NET_ADMIN"]),
    ("post_start", "[{command: echo 'a b', user: root}]",
     [{"command": ["echo", "a b"], "user": "root"}]),
    ("develop", "{watch: [{path: [./a, /b], action: sync, target: /app}]}",
     {"watch": [{"path": "/project/a", "action": "sync", "target": "/app"},
                {"path": "/b", "action": "sync", "target": "/app"}]}),
])
def test_service_key_long_forms(key, value, expected):
    assert one_key(key, value) == expected


def test_unbalanced_quotes_in_command_is_a_located_error():
    with pytest.raises(UserError) as err:
        canon("services:\n  s:\n    image: x\n    command: echo \"a\n")
    assert err.value.diagnostics[0].location.key_path == ("services", "s", "command")
    assert err.value.diagnostics[0].location.line == 4


def test_every_table_entry_is_callable_and_unknown_keys_are_copied():
    assert all(callable(fn) for fn in SERVICE_CANONICALISERS.values())
    svc = service("services:\n  s:\n    image: x\n    x-custom: {a: [1]}\n    cpu_count: 2\n")
    assert svc == {"image": "x", "x-custom": {"a": [1]}, "cpu_count": 2}


def test_wrappers_are_kept_around_the_canonical_value():
    doc = canon("services:\n  s:\n    image: x\n    ports: !override ['80:80']\n"
                "    environment: !reset []\n    command: !reset null\n")
    svc = doc["services"]["s"]
    assert isinstance(svc["ports"], Override)
    assert plain(svc["ports"].value) == [_p(80, "80")]
    assert isinstance(svc["environment"], Reset) and plain(svc["environment"].value) == {}
    assert svc["command"] == Reset(None)


def test_input_document_is_not_modified():
    raw = parse_yaml("services:\n  s:\n    image: x\n    ports: ['80']\n    build: .\n", "c.yaml")
    before = copy.deepcopy(plain(raw))
    canonicalise(raw, BASE, home=HOME)
    assert plain(raw) == before


def test_plain_dict_input_is_accepted():
    doc = canonicalise({"services": {"s": {"image": "x", "ports": ["80:80"]}}}, BASE, HOME)
    assert plain(doc)["services"]["s"]["ports"] == [_p(80, "80")]


# --- top level -----------------------------------------------------------------------------

def test_top_level_resources():
    doc = plain(canon("services: {}\nvolumes:\n  a:\n  b: {external: {name: real}}\n"
                      "secrets:\n  s: {file: ./s.txt}\nconfigs:\n  c: {file: /abs}\n"
                      "networks:\n  n:\n  x-note: keep\n"))
    assert doc["volumes"] == {"a": {}, "b": {"external": True, "name": "real"}}
    assert doc["secrets"] == {"s": {"file": "/project/s.txt"}}
    assert doc["configs"] == {"c": {"file": "/abs"}}
    assert doc["networks"] == {"n": {}, "x-note": "keep"}


def test_all_errors_of_a_document_are_reported_together():
    with pytest.raises(UserError) as err:
        canon("services:\n  a:\n    image: x\n    ports: ['x']\n  b:\n    image: x\n"
              "    volumes: ['ab:/b:ro:rw']\n")
    assert [d.location.key_path[1] for d in err.value.diagnostics] == ["a", "b"]


# --- golden cases: canonicalise → build → render -----------------------------------------

GOLDEN = FIXTURES / "canonical"


def run_case(case) -> tuple:
    """(expected file name, text) for one golden case directory."""
    try:
        doc = read_yaml_file(str(case / "compose.yaml"), display_name="compose.yaml")
        doc = canonicalise(doc, BASE, home=HOME)
        build_project(doc, name=case.name.replace("_", "-"), working_dir=BASE,
                      files=["compose.yaml"])
    except UserError as exc:
        return "error.txt", str(exc) + "\n"
    return "expected.yaml", render_config(doc, case.name.replace("_", "-"))


@pytest.mark.parametrize("case", cases(GOLDEN), ids=lambda p: p.name)
def test_golden(case, update_golden):
    name, actual = run_case(case)
    if case.name.startswith("bad_"):
        assert name == "error.txt", f"{case.name} should fail"
    else:
        assert name == "expected.yaml", actual
    check_golden(case / name, actual, update_golden)


def test_golden_cases_exist_in_good_and_bad_pairs():
    names = [c.name for c in cases(GOLDEN)]
    assert any(n.startswith("bad_") for n in names) and len(names) >= 10


# --- the real-world corpus --------------------------------------------------------------------

def _corpus_files():
    root = corpus_dir()
    return sorted(p for p in root.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())


def test_corpus_canonicalises_and_builds_or_fails_with_located_errors():
    built = 0
    for path in _corpus_files():
        doc = read_yaml_file(str(path))
        try:
            doc = canonicalise(doc, str(path.parent), home=HOME)
            build_project(doc, name="corpus", working_dir=str(path.parent), files=[str(path)])
            built += 1
        except UserError as exc:  # unresolved ${VAR} in a port, say: fine, but located
            assert all(d.location.file and d.location.line for d in exc.diagnostics), str(exc)
    assert built >= 40


@pytest.mark.parametrize("spec, message", [
    ('ports: ["80:0"]', "container port 0 is not a port a service can listen on"),
    ('expose: ["0"]', "invalid exposed port: port 0 is not a port"),
    ('expose: ["abc"]', "invalid exposed port: invalid port 'abc'"),
    ('expose: ["80/xyz"]', "invalid exposed port: unknown protocol 'xyz'"),
])
def test_ports_nothing_can_listen_on_are_located_errors(spec, message):
    from compose2ecs.compose.source import parse_yaml

    text = f"services:\n  web:\n    image: x\n    {spec}\n"
    with pytest.raises(UserError) as info:
        canonicalise(parse_yaml(text, "c.yaml"), "/base")
    (diag,) = info.value.diagnostics
    assert message in str(diag) and str(diag).startswith("c.yaml:4:")
