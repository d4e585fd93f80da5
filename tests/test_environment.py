"""A service's final environment: env_file merged under environment, host values inlined."""
from __future__ import annotations

import pytest

from compose2ecs.compose.environment import (resolve_project_environment,
                                             resolve_service_environment)
from compose2ecs.compose.source import LDict, parse_yaml, plain
from compose2ecs.errors import Severity, UserError


def service_doc(tmp_path, env_files_yaml: str, environment_yaml: str = "{}"):
    """A canonical-shaped document: env_file entries with absolute paths."""
    text = (f"services:\n  web:\n    image: nginx\n    env_file: {env_files_yaml}\n"
            f"    environment: {environment_yaml}\n")
    return parse_yaml(text.replace("DIR", str(tmp_path)), "compose.yaml")


def write(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    return str(tmp_path / name)


def test_env_files_in_order_and_environment_wins(tmp_path):
    write(tmp_path, "a.env", "A=from-a\nB=from-a\nC=from-a\n")
    write(tmp_path, "b.env", "B=from-b\nC=from-b\n")
    doc = service_doc(tmp_path, "[{path: DIR/a.env, required: true}, {path: DIR/b.env}]",
                      "{C: explicit, D: ''}")
    web = resolve_service_environment(doc["services"]["web"], {}.get)
    assert "env_file" not in web
    assert plain(web["environment"]) == {"A": "from-a", "B": "from-b", "C": "explicit", "D": ""}
    assert web["image"] == "nginx" and web.loc("image").line == 3


def test_empty_explicit_value_beats_env_file(tmp_path):
    write(tmp_path, "a.env", "A=file\n")
    doc = service_doc(tmp_path, "[{path: DIR/a.env}]", "{A: ''}")
    assert resolve_service_environment(doc["services"]["web"], None)["environment"] == {"A": ""}


def test_key_only_entries_come_from_the_lookup_or_are_dropped(tmp_path):
    write(tmp_path, "a.env", "FROM_FILE\nKEEP=1\nOVERRIDDEN=file\n")
    doc = service_doc(tmp_path, "[{path: DIR/a.env}]",
                      "{HOST: null, ABSENT: null, OVERRIDDEN: null}")
    findings = []
    lookup = {"HOST": "h", "FROM_FILE": "f"}.get
    web = resolve_service_environment(doc["services"]["web"], lookup, findings=findings)
    # OVERRIDDEN: the explicit key-only entry wins over the file and is unset on the host
    assert plain(web["environment"]) == {"FROM_FILE": "f", "KEEP": "1", "HOST": "h"}
    # one finding for the service, naming both variables
    assert [f.message for f in findings] == [
        "2 environment variables are not set on this host and are left out: ABSENT, OVERRIDDEN"]
    assert all(f.severity == Severity.INFO for f in findings)


def test_env_file_interpolation_sees_own_lines_then_earlier_files_then_project(tmp_path):
    write(tmp_path, "a.env", "HOST=db\nSHARED=from-a\n")
    write(tmp_path, "b.env", "HOST=cache\nURL=redis://${HOST}/${SHARED}/${PROJECT_VAR}\n")
    doc = service_doc(tmp_path, "[{path: DIR/a.env}, {path: DIR/b.env}]")
    web = resolve_service_environment(doc["services"]["web"],
                                      {"PROJECT_VAR": "p", "HOST": "project"}.get)
    assert web["environment"]["URL"] == "redis://cache/from-a/p"


def test_raw_format_is_literal(tmp_path):
    write(tmp_path, "raw.env", "A='quoted' ${X} # no comment\n")
    doc = service_doc(tmp_path, "[{path: DIR/raw.env, format: raw}]")
    web = resolve_service_environment(doc["services"]["web"], {"X": "x"}.get)
    assert web["environment"] == {"A": "'quoted' ${X} # no comment"}


def test_values_keep_locations(tmp_path):
    write(tmp_path, "a.env", "# header\nFROM_FILE=1\n")
    doc = service_doc(tmp_path, "[{path: DIR/a.env}]", "{EXPLICIT: x}")
    env = resolve_service_environment(doc["services"]["web"], None)["environment"]
    file_loc = env.loc("FROM_FILE")
    assert file_loc.file.endswith("a.env") and (file_loc.line, file_loc.column) == (2, 1)
    assert file_loc.key_path == ("services", "web", "environment", "FROM_FILE")
    explicit = env.loc("EXPLICIT")
    assert (explicit.file, explicit.line) == ("compose.yaml", 5)
    assert explicit.key_path == ("services", "web", "environment", "EXPLICIT")


def test_missing_required_env_file_is_located_at_the_entry(tmp_path):
    doc = service_doc(tmp_path, "[{path: DIR/missing.env, required: true}]")
    with pytest.raises(UserError) as info:
        resolve_service_environment(doc["services"]["web"], None)
    diag = info.value.diagnostics[0]
    assert (diag.location.file, diag.location.line) == ("compose.yaml", 4)
    assert "missing.env not found" in diag.message and "required: false" in diag.hint


def test_optional_missing_env_file_is_skipped(tmp_path):
    doc = service_doc(tmp_path, "[{path: DIR/missing.env, required: false}]", "{A: '1'}")
    findings = []
    web = resolve_service_environment(doc["services"]["web"], None, findings=findings)
    assert web["environment"] == {"A": "1"}
    assert "optional env file" in findings[0].message


def test_bad_env_file_reports_its_own_line(tmp_path):
    write(tmp_path, "bad.env", "OK=1\nNOT OK=2\n")
    doc = service_doc(tmp_path, "[{path: DIR/bad.env}]")
    with pytest.raises(UserError) as info:
        resolve_service_environment(doc["services"]["web"], None)
    loc = info.value.diagnostics[0].location
    assert loc.file.endswith("bad.env") and loc.line == 2


def test_service_without_environment_is_unchanged():
    service = LDict({"image": "nginx"})
    assert resolve_service_environment(service, None) is service


def test_reader_is_injected(tmp_path):
    calls = []

    def reader(path, lookup, display_name=None, findings=None):
        calls.append(path)
        return LDict({"INJECTED": lookup("X")})

    doc = service_doc(tmp_path, "[{path: /nowhere/a.env}]")
    web = resolve_service_environment(doc["services"]["web"], {"X": "x"}.get, reader)
    assert calls == ["/nowhere/a.env"] and web["environment"] == {"INJECTED": "x"}


def test_project_resolution_collects_errors_of_all_services(tmp_path):
    text = ("services:\n"
            "  a:\n    env_file: [{path: DIR/no-a.env}]\n"
            "  b:\n    env_file: [{path: DIR/no-b.env}]\n"
            "  c:\n    environment: {K: null}\n")
    doc = parse_yaml(text.replace("DIR", str(tmp_path)), "compose.yaml")
    with pytest.raises(UserError) as info:
        resolve_project_environment(doc, {"K": "v"}.get)
    assert [d.location.line for d in info.value.diagnostics] == [3, 5]
    del doc["services"]["a"], doc["services"]["b"]
    out = resolve_project_environment(doc, {"K": "v"}.get)
    assert out["services"]["c"]["environment"] == {"K": "v"}
    assert doc["services"]["c"]["environment"] == {"K": None}  # input not mutated
