"""The template YAML writer (yamlwrite.TemplateWriter, also config's writer): whatever it writes, PyYAML and cfn-lint's
decoder read back as exactly the template dict (types included: "yes" stays a string, 1 never
becomes True) — for every golden case, every corpus template and random nasty structures."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from compose2ecs import yamlwrite
from compose2ecs.compose import render
from compose2ecs.emit.cfn.yaml_out import dump
from compose2ecs.errors import UserError
from tests.test_cloudformation_support import ensure_taskdef

ensure_taskdef()

from compose2ecs.emit.cloudformation import build_templates, dump_template  # noqa: E402
from compose2ecs.pipeline import InputOptions, convert_inputs  # noqa: E402
from tests.test_cloudformation import GOOD, convert  # noqa: E402
from tests.test_cloudformation_corpus import corpus_files  # noqa: E402
from tests.conftest import corpus_dir  # noqa: E402


def same(a, b) -> bool:
    """Deep equality that also compares kinds (True == 1 and 1 == 1.0 in Python, not here)."""
    kinds = (bool, int, float, str, dict, list, type(None))
    kind_a = next(k for k in kinds if isinstance(a, k))
    if not isinstance(b, kind_a) or (kind_a is int and isinstance(b, bool)):
        return False
    if kind_a is dict:
        return set(a) == set(b) and all(same(a[k], b[k]) for k in a)
    if kind_a is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if kind_a is float and math.isnan(a):
        return math.isnan(b)
    return a == b


def read_back(text: str) -> list:
    """The document as PyYAML and as cfn-lint's decoder read it."""
    from cfnlint.decode import cfn_yaml

    return [yaml.safe_load(text), cfn_yaml.loads(text)]


def test_same_helper_can_fail():
    assert not same({"a": 1}, {"a": True}) and not same([1], [1.0]) and not same({"a": "1"}, {"a": 1})
    assert same({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]})


@pytest.mark.parametrize("case", GOOD, ids=lambda p: p.name)
def test_golden_templates_read_back_exactly(case):
    for name, template in build_templates(convert(case).ecs).items():
        for parsed in read_back(dump_template(template)):
            assert same(template, parsed), name


@pytest.mark.parametrize("name", corpus_files() or ["<corpus absent>"])
def test_corpus_templates_read_back_exactly(name):
    path = corpus_dir(name)
    try:
        ecs = convert_inputs(InputOptions(files=(str(path),), cwd=str(path.parent)), environ={}).ecs
    except UserError:
        pytest.skip("front-end rejects it")
    for file_name, template in build_templates(ecs).items():
        for parsed in read_back(dump_template(template)):
            assert same(template, parsed), file_name


def string(text: str) -> str:
    return yamlwrite.TemplateWriter().text(text)


NASTY = [":", "#", "- ", " lead", "trail ", "a: b", "a #b", "line\nbreak", "tab\there", "ünïcödé", "日本",
         "0123", "1e3", "1_000", "0x1F", "1:20", ".5", "+1", "-1", ".inf", ".nan", "yes", "No", "ON", "off",
         "y", "N", "true", "False", "~", "", "null", "NULL", "@a", "`a", "!a", "&a", "*a", "%a", "{a}", "[a]",
         ">a", "|a", "'a'", '"a"', "?", "? a", "a:", "a::b", "<<", "=", "\x85nel", "\u2028ls", "\ufeffbom",
         "\x7fdel", "\x00nul", "😀", "a  b", "${AWS::Region}", "2001-01-01", "12:30:00", "0o17", "0b101"]
scalars = st.one_of(st.sampled_from(NASTY), st.text(max_size=12), st.integers(), st.booleans(), st.none(),
                    st.floats(allow_nan=False), st.sampled_from(NASTY).flatmap(
                        lambda s: st.text(max_size=4).map(lambda t: s + t)))
keys = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(keys, inner, max_size=4)), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, documents, max_size=5))
def test_random_documents_read_back_exactly(doc):
    text = yamlwrite.dump(doc)
    for parsed in read_back(text):
        assert same(doc if doc else {}, parsed if parsed is not None else {}), text


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(NASTY) | st.text())
def test_every_string_reads_back_as_itself(text):
    assert yaml.safe_load("k: " + string(text) + "\n") == {"k": text}


@pytest.mark.parametrize("word", ["yes", "Yes", "NO", "on", "Off", "y", "n", "true", "False", "null", "Null",
                                  ".nan", "-.inf", "0123", "1e3", "-1", ".5", "", " a", "a ", "a: b", "a #b", "x:"])
def test_ambiguous_strings_are_quoted(word):
    assert string(word) == "'" + word + "'"  # single-quoted, as PyYAML's emitter does


@pytest.mark.parametrize("word", ["AWS::ECS::Service", "Fn::GetAtt", "/ecs/shop", "web-db_1.x",
                                  "arn:${AWS::Partition}:iam::aws:policy/x", "published port 80/tcp of web",
                                  "svc0's tasks", "yesterday", "nothing", "Subnets",
                                  "nan", "inf"])  # YAML floats need the dot: .nan, .inf
def test_readable_strings_stay_plain(word):
    assert string(word) == word


def test_layout_and_quoting_match_pyyaml_block_style():
    doc = {"b": [{"x": 1, "z": [True, None]}, [1, 2], {}, []], "a": {"k": "v", "e": {}}, "c": 1.5e20,
           "d": ["2010-09-09", "yes", "a: b", "${AWS::Region}", "it's", "1e3", "", "-", "0o17"]}
    expected = yaml.dump(doc, Dumper=render._ConfigDumper, default_flow_style=False, width=10000)
    assert yamlwrite.dump(doc) == expected  # config's dumper: YAML 1.2 ambiguities quoted too


def test_non_ascii_and_control_characters_are_double_quoted():
    assert string("ünï") == '"ünï"' and string("a\nb") == '"a\\nb"' and string("x" * 1001)[0] == '"'
    assert string("y") == "'y'"  # YAML 1.1 boolean for some readers, though not for PyYAML


def test_unsafe_characters_are_escaped_inside_quotes():
    text = string("a\x85b\u2028c\ufeffd\x7fe")
    assert "\x85" not in text and "\u2028" not in text and "\ufeff" not in text and "\x7f" not in text
    assert yaml.safe_load(text) == "a\x85b\u2028c\ufeffd\x7fe"


def test_very_long_keys_use_the_explicit_form():
    key = "k" * 2000
    text = yamlwrite.dump({key: {"v": [1]}, "short": [{key: 2}]})
    assert "? " + string(key) in text
    for parsed in read_back(text):
        assert same(parsed, {key: {"v": [1]}, "short": [{key: 2}]})


def test_special_floats_and_exponents():
    doc = {"a": 1e20, "b": -1e-7, "c": float("inf"), "d": float("-inf"), "e": 0.1}
    assert same(yaml.safe_load(yamlwrite.dump(doc)), doc)
    assert math.isnan(yaml.safe_load(yamlwrite.dump({"n": float("nan")}))["n"])


def test_template_sections_and_resource_attributes_keep_reading_order():
    template = {"Resources": {"B": {"Properties": {"Z": 1, "A": 2}, "Type": "T", "DependsOn": ["A"]},
                              "A": {"Type": "T"}},
                "Outputs": {}, "Parameters": {"P": {"Type": "String"}}, "AWSTemplateFormatVersion": "2010-09-09"}
    text = dump(template)
    assert [line for line in text.splitlines() if not line.startswith(" ")] == [
        "AWSTemplateFormatVersion: '2010-09-09'", "Parameters:", "Resources:", "Outputs: {}"]
    assert text.index("  A:") < text.index("  B:")
    body = text[text.index("  B:"):]
    assert body.index("Type:") < body.index("DependsOn:") < body.index("Properties:")
    assert body.index("A: 2") < body.index("Z: 1")
    assert same(yaml.safe_load(text), template)


def test_json_format_is_unchanged_and_equal():
    template = {"Resources": {"A": {"Type": "T", "Properties": {"V": "yes"}}}}
    assert json.loads(dump(template, "json")) == yaml.safe_load(dump(template)) == template
    with pytest.raises(ValueError):
        dump(template, "toml")


def test_golden_case_root_is_plain_where_readable():
    text = (Path(__file__).parent / "fixtures" / "cloudformation" / "secrets" / "cloudformation.yaml").read_text()
    assert "    Type: AWS::ECS::TaskDefinition\n" in text
