"""compose2ecs/yamlwrite.py writes ``config`` YAML directly; it must give the emitter's bytes.

Every case is rendered both ways: the direct writer and the libyaml emitter path
(``render._emit``), on tricky strings and on random documents.
"""
from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from compose2ecs import yamlwrite
from compose2ecs.compose import render
from compose2ecs.compose.source import LDict, LList, Override, Reset, parse_yaml, plain

TRICKY = [
    "", " ", "a ", " a", "a b", "-", "- a", "-a", "--", "---", "--- a", "...", "..a", "?", "? a",
    "?a", ":", ": a", ":a", "a:", "a: b", "a:b", "a :b", "#", "# a", "a #b", "a#b", "'", "a'b",
    '"', 'a"b', "[", "a[b]", "{", "a{b}", ",a", "a,b", "&a", "*a", "!a", "|", ">", "%", "@a", "`a",
    "yes", "no", "on", "off", "y", "n", "true", "True", "null", "~", "Null", "NULL", "1", "-1",
    "+1", "0o17", "0x1f", "017", "08", "1.5", "1e3", "1_000", "22:22", "1:20:30", "2001-12-14",
    "2001-12-14t21:59:43.10-05:00", ".inf", "-.inf", ".nan", "<<", "=", "$", "$$", "${A}",
    "a\tb", "a\nb", "é", "日本", "\x7f", "x" * 121, "x" * 2000, "http://x:80/y?z=1#f",
    "CMD-SHELL", "curl -f http://localhost || exit 1", "0.5", "512M", "host", "tcp",
]


def _both(sections):
    try:
        fast = yamlwrite.write_config(sections)
    except yamlwrite.Unsupported:
        return None
    assert fast == render._emit(sections)
    return fast


def test_tricky_strings_as_values_keys_and_list_items():
    supported = 0
    for text in TRICKY:
        sections = [("name", text, False),
                    ("services", {text: {"v": text, "l": [text, [text], {text: text}]}}, True)]
        if _both(sections) is not None:
            supported += 1
    assert supported >= len(TRICKY) - 10  # the fast path is taken for ordinary strings


def test_scalars_and_empty_collections():
    sections = [("services", {"a": {"i": 3, "n": -7, "b": True, "f": False, "z": None,
                                    "x": 0.5, "y": 1e17, "w": 2.0, "e": {}, "l": [],
                                    "ll": [[], {}, [[1]], [{"k": []}]]}}, True),
                ("x-top", [1, "two"], True)]
    assert _both(sections) is not None
    assert _both([]) == "{}\n"


def test_special_floats_are_written_as_the_emitter_does():
    values = {"n": float("nan"), "i": float("inf"), "m": float("-inf"), "e": 1e-7, "z": -0.0}
    assert _both([("services", {"a": values}, True)]) is not None


def test_unusual_values_fall_back_to_the_emitter():
    for value in ("é", "a\nb", "x" * 2000, b"bytes", ("a", "tuple")):
        try:
            yamlwrite.write_config([("services", {"a": value}, True)])
        except yamlwrite.Unsupported:
            continue
        raise AssertionError(f"{value!r} should need the emitter")


def test_located_values_and_merge_tags_render_like_plain_data():
    inner = LDict({"image": "a:1", "command": LList(["x", Reset("y")])})
    doc = LDict({"services": LDict({"web": inner, "db": Override({"image": "$x"})}),
                 "name": "p", "x-a": Reset(None), "volumes": {}})
    text = render.render_config(doc, "p")
    assert text == render._emit(render._sections(doc, "p"))
    assert plain(parse_yaml(text, "t"))["services"]["db"]["image"] == "$$x"


_ALPHABET = string.ascii_letters[:6] + string.digits[:4] + " -:#?'\"[]{},&*!|>%@`$._/=~<+\té\n"
_TEXT = st.text(_ALPHABET, max_size=8)
_LEAF = _TEXT | st.integers(-5, 5) | st.booleans() | st.none() | st.floats(allow_nan=False, width=32)
_DOC = st.recursive(_LEAF, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(_TEXT, inner, max_size=4), max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_TEXT, _DOC, max_size=4), _TEXT)
def test_random_documents_match_the_emitter(services, name):
    _both([("name", name, False), ("services", services, True)])


_SHORTCUT_ALPHABET = "aAyYnNoOeEuUlL01_./:-~ #$,{}'?@=+<>"


@settings(max_examples=1000, deadline=None)
@given(st.text(_SHORTCUT_ALPHABET, min_size=1, max_size=7))
def test_plain_shortcut_agrees_with_the_full_rule(text):
    import re

    for writer in (yamlwrite.ConfigWriter, yamlwrite.TemplateWriter):
        quick = writer()._string(text)
        saved, yamlwrite._SIMPLE = yamlwrite._SIMPLE, re.compile(r"(?!)")
        try:
            assert quick == writer()._string(text), text
        finally:
            yamlwrite._SIMPLE = saved
