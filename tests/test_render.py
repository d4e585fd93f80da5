"""``compose2ecs config`` output (compose/render.py): ordered, deterministic, schema-valid,
and re-readable to the same canonical document."""
from __future__ import annotations

import json

import jsonschema
import pytest

from compose2ecs.compose.canonical import canonicalise
from compose2ecs.compose.render import config_dict, render_config
from compose2ecs.compose.source import parse_yaml, plain, read_yaml_file
from compose2ecs.compose.validate import compose_schema
from compose2ecs.errors import UserError
from tests.conftest import FIXTURES, corpus_dir
from tests.golden import cases

BASE, HOME = "/project", "/home/user"
GOOD_CASES = [c for c in cases(FIXTURES / "canonical") if not c.name.startswith("bad_")]


def canon(text: str, name: str = "compose.yaml"):
    return canonicalise(parse_yaml(text, name), BASE, home=HOME)


def reloaded(output: str):
    """The rendered text read back as the loader would (interpolated: ``$$`` is a literal
    ``$``) and canonicalised again, without the ``name`` key."""
    from compose2ecs.compose.interpolate import interpolate

    again = plain(canonicalise(interpolate(parse_yaml(output, "rendered.yaml"), {}.get), BASE,
                               home=HOME))
    again.pop("name", None)
    return again


def expected_plain(doc) -> dict:
    data = plain(doc)
    for key in ("name", "version", "include"):
        data.pop(key, None)
    return data


def test_top_level_order_name_first_then_sections_then_extensions():
    doc = canon("x-b: 1\nconfigs: {c: {file: ./c}}\nsecrets: {s: {file: ./s}}\n"
                "volumes: {v: }\nnetworks: {n: }\nservices: {b: {image: x}, a: {image: y}}\n"
                "x-a: 2\nversion: '3'\n")
    out = render_config(doc, "proj")
    top = [line.split(":")[0] for line in out.splitlines() if line and not line[0].isspace()]
    assert top == ["name", "services", "networks", "volumes", "secrets", "configs", "x-a", "x-b"]
    assert out.index("  a:") < out.index("  b:")
    assert "version" not in out


def test_rendering_is_deterministic_whatever_the_key_order():
    one = canon("services:\n  s:\n    image: x\n    environment: {B: '1', A: '2'}\n")
    two = canon("services:\n  s:\n    environment: {A: '2', B: '1'}\n    image: x\n")
    assert render_config(one, "p") == render_config(two, "p")


@pytest.mark.parametrize("value", ["no", "on", "off", "yes", "22:22", "1e3", "0o17", "0x1F",
                                   "null", "~", "true", "1.5", "-.inf", "12", "", "  padded "])
def test_strings_yaml_could_misread_come_back_as_the_same_strings(value):
    doc = canon("services:\n  s:\n    image: x\n    environment:\n      V: " + json.dumps(value)
                + "\n")
    out = render_config(doc, "p")
    assert plain(parse_yaml(out, "r.yaml"))["services"]["s"]["environment"]["V"] == value


def test_json_format_is_sorted_and_indented():
    doc = canon("services:\n  s:\n    image: x\n    ports: ['80:80']\n")
    out = render_config(doc, "p", "json")
    assert json.loads(out) == config_dict(doc, "p")
    assert out.startswith('{\n  "name": "p",\n  "services"')
    assert out.endswith("}\n")


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        render_config(canon("services: {}\n"), "p", "toml")


def test_wrappers_are_rendered_as_their_value():
    doc = canon("services:\n  s:\n    image: x\n    command: !reset null\n"
                "    ports: !override ['80']\n")
    data = plain(parse_yaml(render_config(doc, "p"), "r.yaml"))
    assert data["services"]["s"]["command"] is None
    assert data["services"]["s"]["ports"][0]["target"] == 80


@pytest.mark.parametrize("case", GOOD_CASES, ids=lambda p: p.name)
def test_golden_output_validates_and_round_trips(case):
    doc = canonicalise(read_yaml_file(str(case / "compose.yaml")), BASE, home=HOME)
    out = render_config(doc, "p")
    jsonschema.Draft7Validator(compose_schema()).validate(plain(parse_yaml(out, "r.yaml")))
    assert reloaded(out) == expected_plain(doc)
    from compose2ecs.compose.interpolate import interpolate

    assert render_config(interpolate(parse_yaml(out, "r.yaml"), {}.get), "p") == out  # idempotent


def test_corpus_output_validates_and_round_trips():
    root = corpus_dir()
    validator = jsonschema.Draft7Validator(compose_schema())
    checked = 0
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".yml", ".yaml")):
        raw = read_yaml_file(str(path))
        try:
            doc = canonicalise(raw, str(path.parent), home=HOME)
        except UserError:
            continue  # located errors are test_canonical's business
        out = render_config(doc, "p")
        assert reloaded(out) == expected_plain(doc), path
        if validator.is_valid(plain(raw)):  # valid in → valid out (uninterpolated files may not be)
            errors = [e.message for e in validator.iter_errors(plain(parse_yaml(out, "r")))]
            assert not errors, f"{path}: {errors[:3]}"
        checked += 1
    assert checked >= 40


def test_pure_python_emitter_gives_the_same_bytes():
    """Goldens must not depend on whether PyYAML was built with libyaml."""
    import yaml

    from compose2ecs.compose import render

    class Pure(yaml.SafeDumper):
        def ignore_aliases(self, data):
            return True

    Pure.add_representer(str, render._represent_str)
    for case in GOOD_CASES:
        doc = canonicalise(read_yaml_file(str(case / "compose.yaml")), BASE, home=HOME)
        pure = yaml.dump(config_dict(doc, "p"), Dumper=Pure, sort_keys=False,
                         default_flow_style=False, allow_unicode=True, width=10_000)
        assert render_config(doc, "p") == pure, case.name
