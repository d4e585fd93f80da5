"""The .env grammar: every rule, every error, with file:line:column locations."""
from __future__ import annotations

import json

import pytest

from compose2ecs.compose.envfile import (EnvFileNotFound, parse_dotenv, parse_raw_env,
                                         read_dotenv)
from compose2ecs.compose.source import LDict
from compose2ecs.errors import Location, Severity, UserError

from .conftest import FIXTURES
from .golden import cases, check_golden


def parse(text, lookup=None):
    return dict(parse_dotenv(text, "test.env", lookup))


@pytest.mark.parametrize("text, expected", [
    ("A=1", {"A": "1"}),
    ("A=1\nB=2\n", {"A": "1", "B": "2"}),
    ("export A=1", {"A": "1"}),
    ("export\tA=1", {"A": "1"}),
    ("exporter=1", {"exporter": "1"}),
    ("A", {"A": None}),
    ("A\nB=2", {"A": None, "B": "2"}),
    ("export A", {"A": None}),
    ("A=", {"A": ""}),
    ("A=\nB=x", {"A": "", "B": "x"}),
    ("# comment\n\n   \nA=1\n  # indented comment", {"A": "1"}),
    ("A = 1", {"A": "1"}),
    ("  A=1  ", {"A": "1"}),
    ("A=a b  c", {"A": "a b  c"}),
    ("A=value # comment", {"A": "value"}),
    ("A=value#no-comment", {"A": "value#no-comment"}),
    ("A=#start", {"A": "#start"}),
    ("A=a # b # c", {"A": "a"}),
    ("A: yaml style", {"A": "yaml style"}),
    ("A=b=c", {"A": "b=c"}),
    ("A=http://x:80/y", {"A": "http://x:80/y"}),
    ("my.var-name[0]=1", {"my.var-name[0]": "1"}),
    ("ÄPFEL=1", {"ÄPFEL": "1"}),
    ("A=1\r\nB=2\r\n", {"A": "1", "B": "2"}),
    ("A=1\nA=2", {"A": "2"}),
    # single quotes: literal
    ("A='x y'", {"A": "x y"}),
    ("A='$B ${B}'", {"A": "$B ${B}"}),
    ("A='a\\nb'", {"A": "a\\nb"}),
    ("A='Let\\'s go!'", {"A": "Let's go!"}),
    ("A='# kept'", {"A": "# kept"}),
    ("A='v' # comment", {"A": "v"}),
    ("A=''", {"A": ""}),
    # double quotes: escapes and interpolation
    ('A="x y"', {"A": "x y"}),
    ('A="a\\nb"', {"A": "a\nb"}),
    ('A="a\\rb\\tc"', {"A": "a\rb\tc"}),
    ('A="back\\\\slash"', {"A": "back\\slash"}),
    ('A="say \\"hi\\""', {"A": 'say "hi"'}),
    ('A="{\\"a\\": 1}"', {"A": '{"a": 1}'}),
    ('A="\\$HOME"', {"A": "$HOME"}),
    ('A="\\0101"', {"A": "A"}),
    ('A="\\q"', {"A": "\\q"}),
    ('A="# kept"', {"A": "# kept"}),
    ('A="v"   # comment', {"A": "v"}),
    ('A=""', {"A": ""}),
    ('A="line 1\nline 2"', {"A": "line 1\nline 2"}),
    ("A='line 1\nline 2'\nB=3", {"A": "line 1\nline 2", "B": "3"}),
    # interpolation: earlier variables of the file
    ("A=1\nB=$A-${A}", {"A": "1", "B": "1-1"}),
    ('A=1\nB="${A:-x}"', {"A": "1", "B": "1"}),
    ("B=${A:-dflt}", {"B": "dflt"}),
    ("B=$A\nA=1", {"B": "", "A": "1"}),
    ("A=$$x", {"A": "$x"}),
    ("A=a\\nb", {"A": "a\\nb"}),  # unquoted: backslash is literal
])
def test_grammar(text, expected):
    assert parse(text) == expected


def test_interpolation_uses_the_file_first_then_the_lookup():
    lookup = {"A": "from-lookup", "B": "lookup-b"}.get
    assert parse("A=own\nX=$A/$B/${C:-c}", lookup) == {"A": "own", "X": "own/lookup-b/c"}


def test_inherited_variable_falls_through_to_the_lookup_for_later_lines():
    assert parse("A\nB=${A}", {"A": "host"}.get) == {"A": None, "B": "host"}


def test_unset_variable_in_a_value_is_noted():
    # a warning, as in a compose file (Docker Compose warns; --strict counts it)
    findings = []
    parse_dotenv("A=${NOPE}", "test.env", None, findings)
    assert [(f.severity, f.location.line) for f in findings] == [(Severity.WARNING, 1)]


def test_locations_of_variables():
    result = parse_dotenv("# c\nA=1\n  export B='x\ny'\nC=3\n", "test.env")
    assert isinstance(result, LDict)
    assert result.loc("A") == Location("test.env", 2, 1, ("A",))
    assert result.loc("B") == Location("test.env", 3, 3, ("B",))
    assert result.loc("C") == Location("test.env", 5, 1, ("C",))


@pytest.mark.parametrize("text, line, column, needle", [
    ("A B=1", 1, 1, "cannot contain a space"),
    ("OK=1\nA B", 2, 1, "cannot contain a space"),
    ("A$B=1", 1, 2, "unexpected character '$'"),
    ("A/B=1", 1, 2, "unexpected character '/'"),
    ("=1", 1, 1, "missing variable name"),
    ('A="open', 1, 3, "unterminated quoted value"),
    ("A=1\nB='open\nC=2", 2, 3, "unterminated quoted value"),
    ('A="x" y', 1, 7, "after the closing quote"),
    ("A=${B/x}", 1, 3, "invalid interpolation"),
    ('A="${B:?B is needed}"', 1, 3, "required variable B is missing a value: B is needed"),
])
def test_errors_are_located(text, line, column, needle):
    with pytest.raises(UserError) as info:
        parse(text)
    diag = info.value.diagnostics[0]
    assert (diag.location.file, diag.location.line, diag.location.column) == \
        ("test.env", line, column)
    assert needle in diag.message
    assert diag.hint


def test_all_bad_lines_are_reported_together():
    with pytest.raises(UserError) as info:
        parse("A B=1\nGOOD=1\nC$=2\nD=${X/y}\n")
    assert [d.location.line for d in info.value.diagnostics] == [1, 3, 4]


def test_unterminated_quote_stops_the_parse():
    with pytest.raises(UserError) as info:
        parse("A='open\nB C=1\n")
    assert len(info.value.diagnostics) == 1


def test_raw_format_takes_values_literally():
    text = "# comment\nA='quoted' # not a comment\nB=${X}\\n\nC\n\nD==x\n"
    result = parse_raw_env(text, "raw.env")
    assert dict(result) == {"A": "'quoted' # not a comment", "B": "${X}\\n", "C": None,
                            "D": "=x"}
    assert result.loc("C").line == 4


def test_raw_format_needs_a_name():
    with pytest.raises(UserError) as info:
        parse_raw_env("=x", "raw.env")
    assert info.value.diagnostics[0].location.line == 1


def test_read_dotenv_reads_files(tmp_path):
    path = tmp_path / "x.env"
    path.write_bytes("\ufeffA=1\nB=$A\n".encode("utf-8"))
    assert dict(read_dotenv(str(path), display_name="x.env")) == {"A": "1", "B": "1"}
    assert dict(read_dotenv(str(path), raw=True)) == {"A": "1", "B": "$A"}


@pytest.mark.parametrize("make, needle, cls", [
    (lambda p: None, "env file not found", EnvFileNotFound),
    (lambda p: p.mkdir(), "is a directory", UserError),
    (lambda p: p.write_bytes(b"A=\xff\n"), "not UTF-8", UserError),
])
def test_read_dotenv_io_errors_are_located(tmp_path, make, needle, cls):
    path = tmp_path / "bad.env"
    make(path)
    with pytest.raises(cls) as info:
        read_dotenv(str(path), display_name="bad.env")
    diag = info.value.diagnostics[0]
    assert diag.location.file == "bad.env" and needle in diag.message


# ------------------------------------------------------------------- golden cases
GOLDEN = FIXTURES / "envfile"


@pytest.mark.parametrize("case", cases(GOLDEN), ids=lambda p: p.name)
def test_golden(case, update_golden):
    lookup = json.loads((case / "lookup.json").read_text()) if (case / "lookup.json").exists() \
        else {}
    try:
        result = read_dotenv(str(case / "input.env"), lookup.get, display_name="input.env")
    except UserError as exc:
        name, actual = "error.txt", str(exc) + "\n"
    else:
        body = {key: {"value": value, "at": str(result.loc(key))} for key, value in result.items()}
        name, actual = "expected.json", json.dumps(body, indent=2, sort_keys=True) + "\n"
    other = "error.txt" if name == "expected.json" else "expected.json"
    assert update_golden or not (case / other).exists(), f"{case.name} gave {name}: {actual}"
    check_golden(case / name, actual, update_golden)


def test_golden_cases_come_in_good_bad_pairs():
    names = {p.name for p in cases(GOLDEN)}
    assert names
    for name in names:
        stem = name.rsplit("-", 1)[0]
        assert {f"{stem}-good", f"{stem}-bad"} <= names, name


# ------------------------------------------------------------------ property tests
from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("AB_=:# '\"\\$\n{}x-.")), max_size=40).map("".join))
def test_parser_raises_only_located_user_errors(text):
    try:
        result = parse_dotenv(text, "p.env")
    except UserError as exc:
        for diag in exc.diagnostics:
            assert diag.location.file == "p.env" and diag.location.line >= 1
    else:
        assert all(isinstance(k, str) and k for k in result)
