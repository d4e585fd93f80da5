"""profiles: which services are kept, COMPOSE_PROFILES, explicit services, auto-enabled deps.

Golden cases: tests/fixtures/profiles/<case>/compose.yaml with ``args.json``
(``{"profiles": [...], "services": [...], "environ": {...}}``). Expected: ``selected.yaml``
(active profiles, kept services, auto-enabled services, the kept document) or ``error.txt``.
"""
from __future__ import annotations

import json

import pytest
import yaml

from compose2ecs.compose.profiles import active_profiles, dependencies, select_profiles
from compose2ecs.compose.source import parse_yaml, plain, read_yaml_file
from compose2ecs.errors import UserError

from .conftest import FIXTURES
from .golden import cases, check_golden
from .test_merge import error_text


@pytest.mark.parametrize("case", cases(FIXTURES / "profiles"), ids=lambda p: p.name)
def test_profiles_golden(case, update_golden):
    args = json.loads((case / "args.json").read_text())
    doc = read_yaml_file(str(case / "compose.yaml"), display_name="compose.yaml")
    active = active_profiles(args["profiles"], args["environ"])
    if case.name.startswith("bad_"):
        with pytest.raises(UserError) as err:
            select_profiles(doc, active, args["services"])
        check_golden(case / "error.txt", error_text(err.value), update_golden)
        return
    kept, auto = select_profiles(doc, active, args["services"])
    text = yaml.safe_dump({"active_profiles": active, "kept": list(kept["services"]),
                           "auto_enabled": auto, "document": plain(kept)}, sort_keys=False)
    check_golden(case / "selected.yaml", text, update_golden)


def y(text):
    return parse_yaml(text, "compose.yaml")


def kept_names(text, active=(), explicit=()):
    doc, auto = select_profiles(y(text), active, explicit)
    return list(doc["services"]), auto


TWO = "services:\n  web: {image: w}\n  dbg: {image: d, profiles: [debug]}\n"


def test_services_without_profiles_are_always_on():
    assert kept_names(TWO) == (["web"], [])


def test_a_matching_profile_enables_the_service():
    assert kept_names(TWO, ["debug"]) == (["web", "dbg"], [])


def test_an_explicitly_named_service_is_enabled_whatever_its_profiles():
    # `config dbg` selects dbg alone (and what it needs), like `docker compose config dbg`
    assert kept_names(TWO, [], ["dbg"]) == (["dbg"], [])


def test_an_explicitly_named_service_brings_its_dependencies():
    text = "services:\n  web: {image: w, depends_on: [db]}\n  db: {image: d}\n  other: {image: o}\n"
    assert kept_names(text, [], ["web"]) == (["web", "db"], ["db"])


def test_star_enables_every_profile():
    assert kept_names(TWO, ["*"]) == (["web", "dbg"], [])


def test_dependency_on_a_disabled_service_enables_it_and_reports_it():
    text = "services:\n  web: {image: w, depends_on: {db: {condition: service_started}}}\n" \
           "  db: {image: d, profiles: [data], links: [cache]}\n  cache: {image: c, profiles: [x]}\n"
    assert kept_names(text) == (["web", "db", "cache"], ["cache", "db"])


def test_disabled_services_dependencies_are_not_checked_or_enabled():
    text = "services:\n  web: {image: w}\n  dbg: {image: d, profiles: [debug], depends_on: [ghost]}\n"
    assert kept_names(text) == (["web"], [])


def test_undefined_dependency_is_a_located_error_with_a_suggestion():
    with pytest.raises(UserError) as err:
        select_profiles(y("services:\n  web:\n    image: w\n    links: ['dbb:db']\n  db: {image: d}\n"), [])
    d = err.value.diagnostics[0]
    assert (d.location.line, d.location.key_path) == (4, ("services", "web", "links", 0))
    assert d.message == "service 'web' depends on 'dbb', which is not defined"
    assert "did you mean 'db'?" in d.hint


def test_optional_dependency_does_not_enable_and_is_dropped():
    text = "services:\n  web: {image: w, depends_on: {m: {condition: service_started, required: false}}}\n" \
           "  m: {image: m, profiles: [mon]}\n"
    doc, auto = select_profiles(y(text), [])
    assert plain(doc)["services"] == {"web": {"image": "w", "depends_on": {}}} and auto == []


def test_optional_dependency_is_kept_when_its_service_is_on():
    text = "services:\n  web: {image: w, depends_on: {m: {condition: service_started, required: false}}}\n" \
           "  m: {image: m, profiles: [mon]}\n"
    doc, _ = select_profiles(y(text), ["mon"])
    assert list(doc["services"]["web"]["depends_on"]) == ["m"]


def test_dependencies_reads_every_kind_of_reference():
    svc = y("depends_on: {a: {required: true}}\nlinks: ['b:alias']\nvolumes_from: ['c:ro', 'container:z']\n"
            "network_mode: service:d\nipc: service:e\npid: host\n")
    assert [(n, r) for n, _, r in dependencies("web", svc)] == \
        [("a", True), ("b", True), ("c", True), ("d", True), ("e", True)]


def test_input_document_is_not_modified():
    doc = y(TWO)
    before = plain(doc)
    select_profiles(doc, [])
    assert plain(doc) == before


@pytest.mark.parametrize("cli,environ,expected", [
    ([], {}, []),
    ([], {"COMPOSE_PROFILES": "a,b"}, ["a", "b"]),
    ([], {"COMPOSE_PROFILES": " a , ,b,a "}, ["a", "b"]),
    (["x"], {"COMPOSE_PROFILES": "a"}, ["x"]),
    (["x", "y", "x"], {}, ["x", "y"]),
])
def test_active_profiles(cli, environ, expected):
    assert active_profiles(cli, environ) == expected


def test_explicit_service_in_a_project_without_services_is_an_error():
    with pytest.raises(UserError, match="no such service: 'web'"):
        select_profiles(y("volumes: {a: {}}"), [], ["web"])
    doc = y("volumes: {a: {}}")
    assert select_profiles(doc, []) == (doc, [])
