"""Interpolation: the ${VAR} grammar, document walking, type casts, golden cases, corpus."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from compose2ecs.compose.interpolate import caster_for, interpolate, substitute
from compose2ecs.compose.project_files import project_environment
from compose2ecs.compose.source import LDict, LList, Override, Reset, parse_yaml, plain, read_yaml_file
from compose2ecs.errors import Location, Severity, UserError

from .conftest import FIXTURES, corpus_dir
from .golden import cases, check_golden

HERE = Location("compose.yaml", 3, 7, ("services", "web", "image"))
ENV = {"SET": "value", "EMPTY": "", "TAG": "1.4", "NESTED": "${SET}"}


def sub(text, env=ENV, findings=None):
    return substitute(text, env.get, HERE, findings)


@pytest.mark.parametrize("text, expected", [
    ("$SET", "value"),
    ("${SET}", "value"),
    ("pre-${SET}-post", "pre-value-post"),
    ("$SET/$TAG", "value/1.4"),
    ("$SET_more", ""),  # the name is as long as it can be: SET_more is unset
    ("${SET}_more", "value_more"),
    ("${EMPTY:-def}", "def"),
    ("${UNSET:-def}", "def"),
    ("${SET:-def}", "value"),
    ("${EMPTY-def}", ""),
    ("${UNSET-def}", "def"),
    ("${SET:+alt}", "alt"),
    ("${EMPTY:+alt}", ""),
    ("${UNSET:+alt}", ""),
    ("${EMPTY+alt}", "alt"),
    ("${UNSET+alt}", ""),
    ("${SET?msg}", "value"),
    ("${EMPTY?msg}", ""),
    ("${SET:?msg}", "value"),
    ("${UNSET:-repo/web:1.4}", "repo/web:1.4"),
    ("${UNSET:-a:b-c?d+e}", "a:b-c?d+e"),
    ("${UNSET:-${SET}}", "value"),
    ("${UNSET:-${ALSO_UNSET:-deep}}", "deep"),
    ("${UNSET:-x${TAG}y}", "x1.4y"),
    ("${UNSET:-{\"a\": 1}}", "{\"a\": 1}"),
    ("${SET:+${TAG}}", "1.4"),
    ("$$", "$"),
    ("$$SET", "$SET"),
    ("$${SET}", "${SET}"),
    ("$$$SET", "$value"),
    ("${NESTED}", "${SET}"),  # values are not interpolated again
    ("plain text", "plain text"),
    ("", ""),
])
def test_substitute_grammar(text, expected):
    assert sub(text) == expected


@pytest.mark.parametrize("text", ["cost $5", "end $", "a $ b", "$-x", "100$"])
def test_lone_dollar_is_kept_with_a_note(text):
    findings = []
    assert sub(text, findings=findings) == text
    assert [f.severity for f in findings] == [Severity.INFO]
    assert "$$" in findings[0].hint


def test_unset_variable_is_empty_with_a_warning_finding():
    # issue 15.10: it was "info", so --strict passed; Docker Compose warns
    findings = []
    assert sub("a-${MISSING}-$MISSING-b", findings=findings) == "a---b"
    assert len(findings) == 1  # one per variable and value
    finding = findings[0]
    assert finding.severity == Severity.WARNING and finding.severity in Severity.STRICT
    assert finding.message == "variable MISSING is not set; using an empty string"
    assert finding.location == HERE


def test_unused_default_does_not_warn():
    findings = []
    assert sub("${SET:-${MISSING}}", findings=findings) == "value"
    assert findings == []


@pytest.mark.parametrize("text, needle", [
    ("${VAR/x/y}", "'/'"),
    ("${VAR:1}", "':'"),
    ("${VAR", "unclosed"),
    ("${VAR:-${X}", "unclosed"),
    ("${", "variable name"),
    ("${}", "variable name"),
    ("${1X}", "variable name"),
    ("${ SET}", "variable name"),
    ("${VAR#x}", "'#'"),
])
def test_invalid_syntax_is_a_located_error(text, needle):
    with pytest.raises(UserError) as info:
        sub(text)
    (diag,) = info.value.diagnostics
    assert diag.location == HERE
    assert needle in diag.message
    assert "invalid interpolation" in diag.message
    assert "$$" in diag.hint


def test_syntax_error_is_found_even_when_the_variable_is_set():
    with pytest.raises(UserError):
        sub("${SET:-${bad/x}}")


@pytest.mark.parametrize("text, name, message", [
    ("${UNSET:?set it please}", "UNSET", "set it please"),
    ("${EMPTY:?empty is not enough}", "EMPTY", "empty is not enough"),
    ("${UNSET?}", "UNSET", ""),
    ("${UNSET:?need $SET}", "UNSET", "need value"),
])
def test_required_variable(text, name, message):
    with pytest.raises(UserError) as info:
        sub(text)
    (diag,) = info.value.diagnostics
    assert f"required variable {name} is missing a value" in diag.message
    assert diag.message.endswith(message)
    assert name in diag.hint
    assert str(diag).startswith("compose.yaml:3:7: services.web.image: error:")


def test_lookup_may_be_a_mapping_function_or_none():
    assert substitute("${SET}", ENV, HERE) == "value"
    assert substitute("${SET}", lambda n: "f" if n == "SET" else None, HERE) == "f"
    assert substitute("${SET:-d}", None, HERE) == "d"


# ---------------------------------------------------------------- whole documents
DOC = """\
name: ${PROJECT:-demo}
x-common: &common
  image: "${REGISTRY:-repo}/web:${TAG}"
services:
  web:
    <<: *common
    command: ["echo", "$$HOME", "${SET}"]
    environment:
      ${KEY_NOT_INTERPOLATED}: "$SET"
    deploy:
      replicas: "${REPLICAS:-2}"
    read_only: "${RO:-true}"
    ports:
      - target: "${PORT:-80}"
        published: "${PORT:-80}"
    labels: !override
      a: "$TAG"
    dns: !reset []
    cpus: "0.5"
    init: "maybe"
"""


def test_interpolate_document_keeps_keys_locations_and_wrappers():
    doc = parse_yaml(DOC, "compose.yaml")
    findings = []
    out = interpolate(doc, ENV, findings)
    web = out["services"]["web"]
    assert out["name"] == "demo"
    assert web["image"] == "repo/web:1.4"
    assert web["command"] == ["echo", "$HOME", "value"]
    assert web["environment"] == {"${KEY_NOT_INTERPOLATED}": "value"}
    assert isinstance(web, LDict) and isinstance(web["command"], LList)
    assert web.loc("deploy") == doc["services"]["web"].loc("deploy")
    assert web["command"].locs == doc["services"]["web"]["command"].locs
    assert web["deploy"].loc("replicas").line == 11
    assert isinstance(web["labels"], Override) and web["labels"].value == {"a": "1.4"}
    assert isinstance(web["dns"], Reset)
    assert findings == []
    doc_before = plain(doc)
    assert doc_before["services"]["web"]["image"] == "${REGISTRY:-repo}/web:${TAG}"  # not mutated


def test_interpolate_casts_typed_paths_only_when_clean():
    out = interpolate(parse_yaml(DOC, "compose.yaml"), ENV)
    web = out["services"]["web"]
    assert web["deploy"]["replicas"] == 2
    assert web["read_only"] is True
    assert web["ports"][0]["target"] == 80
    assert web["ports"][0]["published"] == "80"  # compose-go v2 keeps published a string
    assert web["cpus"] == 0.5
    assert web["init"] == "maybe"  # not a boolean: left for the schema validator


@pytest.mark.parametrize("path, value, expected", [
    (("services", "a", "deploy", "replicas"), "3", 3),
    (("services", "a", "deploy", "replicas"), " 3", " 3"),
    (("services", "a", "deploy", "replicas"), "3.5", "3.5"),
    (("services", "a", "ulimits", "nofile"), "1024", 1024),
    (("services", "a", "ulimits", "nofile", "soft"), "-1", -1),
    (("services", "a", "privileged"), "TRUE", True),
    (("services", "a", "tty"), "off", False),
    (("services", "a", "volumes", 2, "read_only"), "false", False),
    (("services", "a", "secrets", 0, "mode"), "0444", 444),
    (("networks", "n", "external"), "true", True),
    (("services", "a", "deploy", "update_config", "max_failure_ratio"), "0.25", 0.25),
    (("services", "a", "cpu_percent"), "1e2", 100.0),
    (("services", "a", "image"), "3", "3"),
    (("services", "a", "ports", "target"), "80", "80"),  # not under a list index
    (("x-networks", "n", "external"), "true", "true"),
])
def test_cast_table(path, value, expected):
    caster = caster_for(path)
    got = caster(value, HERE, None) if caster else value
    assert got == expected and type(got) is type(expected)


def test_yaml11_boolean_cast_is_noted():
    findings = []
    doc = parse_yaml("services:\n  a:\n    privileged: 'yes'\n", "c.yaml")
    assert interpolate(doc, {}, findings)["services"]["a"]["privileged"] is True
    assert "YAML 1.2" in findings[0].message


def test_all_errors_of_a_document_are_reported_together():
    text = "services:\n  a:\n    image: ${A:?need A}\n    user: ${B/x}\n    init: ${C?}\n"
    with pytest.raises(UserError) as info:
        interpolate(parse_yaml(text, "c.yaml"), {})
    where = [(d.location.line, d.location.key_path) for d in info.value.diagnostics]
    assert where == [(3, ("services", "a", "image")), (4, ("services", "a", "user")),
                     (5, ("services", "a", "init"))]


# ------------------------------------------------------------------- golden cases
GOLDEN = FIXTURES / "interpolate"


def run_case(case: Path) -> tuple:
    """Interpolate a case's compose.yaml with its .env and an empty OS environment."""
    findings: list = []
    try:
        env = project_environment(str(case), [], {}, str(case))
        doc = read_yaml_file(str(case / "compose.yaml"), "compose.yaml")
        out = interpolate(doc, env.get, findings)
    except UserError as exc:
        return "error.txt", str(exc) + "\n"
    lines = sorted(str(f) for f in findings)
    body = {"document": plain(out), "findings": lines}
    return "expected.json", json.dumps(body, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("case", cases(GOLDEN), ids=lambda p: p.name)
def test_golden(case, update_golden):
    name, actual = run_case(case)
    other = "error.txt" if name == "expected.json" else "expected.json"
    assert update_golden or not (case / other).exists(), \
        f"{case.name}: expected {other} but interpolation gave {name}:\n{actual}"
    check_golden(case / name, actual, update_golden)


def test_golden_cases_come_in_good_bad_pairs():
    names = {p.name for p in cases(GOLDEN)}
    assert names, "no golden cases found"
    for name in names:
        stem = name.rsplit("-", 1)[0]
        assert {f"{stem}-good", f"{stem}-bad"} <= names, f"{name} has no good/bad partner"


# -------------------------------------------------------------------------- corpus
def corpus_compose_files():
    files = []
    for part in ("real", "awesome-compose"):
        root = corpus_dir(part)
        files += sorted(p for p in root.rglob("*") if p.suffix in (".yml", ".yaml"))
    return files


def test_corpus_interpolates_or_fails_located():
    """Every corpus file: interpolation succeeds, or fails with file and line."""
    results = {"ok": 0, "error": 0, "unset": 0}
    for path in corpus_compose_files():
        env = project_environment(str(path.parent), [], {}, str(path.parent))
        doc = read_yaml_file(str(path), str(path))
        findings: list = []
        try:
            interpolate(doc, env.get, findings)
            results["ok"] += 1
        except UserError as exc:
            results["error"] += 1
            for diag in exc.diagnostics:
                assert diag.location.file == str(path) and diag.location.line > 0, str(diag)
        results["unset"] += sum("is not set" in f.message for f in findings)
    assert results["ok"] > 40, results


# ------------------------------------------------------------------ property tests
from hypothesis import given, settings, strategies as st  # noqa: E402

_TEMPLATE_CHARS = st.sampled_from(list("$${}:-?+/ aZ_9\"'\\#\n"))


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEMPLATE_CHARS, max_size=30).map("".join))
def test_substitute_raises_only_user_errors(text):
    try:
        result = substitute(text, ENV.get, HERE, [])
    except UserError as exc:
        assert all(d.location == HERE for d in exc.diagnostics)
    else:
        assert isinstance(result, str)


@given(st.text(alphabet=st.characters(blacklist_characters="$"), max_size=40))
def test_text_without_dollar_is_unchanged(text):
    assert substitute(text, {}.get, HERE) == text
