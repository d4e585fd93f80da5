"""Phase 3: YAML with positions, anchors, merge keys, tags and duplicate keys."""
from __future__ import annotations

import pytest

from compose2ecs.compose.source import Override, Reset, locate, parse_yaml, plain
from compose2ecs.errors import UserError


def errors_of(text: str) -> list:
    with pytest.raises(UserError) as info:
        parse_yaml(text, "c.yaml")
    return [str(d) for d in info.value.diagnostics]


def test_values_remember_file_line_and_column():
    doc = parse_yaml("services:\n  web:\n    ports:\n      - 80:80\n", "c.yaml")
    assert str(locate(doc, ("services", "web", "ports", 0))) == "c.yaml:4:9: services.web.ports[0]"


def test_scalars_follow_yaml_1_2_like_docker_compose():
    doc = plain(parse_yaml("a: no\nb: 22:22\nc: on\nd: 0440\ne: 1.5\nf: true\ng: ~\nh: '7'\n", "c"))
    assert doc == {"a": "no", "b": "22:22", "c": "on", "d": 288, "e": 1.5, "f": True, "g": None,
                   "h": "7"}


def test_merge_keys_lose_to_explicit_keys_and_earlier_sources_win():
    text = "x: &a {image: a, user: u}\ny: &b {image: b, tty: true}\ns:\n  <<: [*a, *b]\n  image: c\n"
    assert plain(parse_yaml(text, "c"))["s"] == {"image": "c", "user": "u", "tty": True}


def test_reset_and_override_tags_are_kept_for_the_merge():
    doc = parse_yaml("a: !reset null\nb: !override [1]\nc: !reset []\n", "c")
    assert doc["a"] == Reset(None) and doc["b"] == Override([1]) and doc["c"] == Reset([])


def test_duplicate_keys_name_both_lines():
    assert errors_of("a: 1\nb: 2\na: 3\n") == [
        "c.yaml:3:1: a: error: duplicate key 'a', first defined at line 1 "
        "(remove one of them; YAML mappings cannot repeat a key)"]


def test_keys_are_text_so_1_true_and_1_0_are_different_keys():
    doc = plain(parse_yaml("env: {1: a, true: b, 1.0: c}\n", "c"))
    assert doc == {"env": {"1": "a", "true": "b", "1.0": "c"}}


def test_a_complex_key_is_a_located_error_not_a_crash():
    assert errors_of("services:\n  ? [a, b]\n  : image: x\n") == [
        "c.yaml:2:5: services: error: a mapping key must be a plain string "
        "(write the key as text, not as a list or mapping)"]


def test_unknown_tags_are_named():
    assert errors_of("image: !custom x\n") == [
        "c.yaml:1:8: image: error: unknown YAML tag !custom "
        "(Compose understands only !reset and !override; remove the tag)"]


def test_syntax_errors_are_located_in_plain_words():
    (message,) = errors_of("services:\n  web:\n    image: [nginx\n")
    assert message.startswith("c.yaml:4:1: error: YAML syntax error:")


def test_recursive_alias_and_bad_merge_are_errors():
    assert "a merge key (<<) must refer to a mapping" in errors_of("a: &x [1]\nb:\n  <<: *x\n")[0]
