"""Compose file discovery, project directory, project variables and project name."""
from __future__ import annotations

import os

import pytest

from compose2ecs.compose.project_files import (DEFAULT_FILES, find_default_files,
                                               normalise_project_name, override_name,
                                               project_environment, project_name,
                                               resolve_compose_files)
from compose2ecs.errors import Location, UserError


def fake_fs(*paths):
    present = {os.path.normpath(p) for p in paths}
    return lambda p: os.path.normpath(p) in present


# ------------------------------------------------------------------ discovery
def test_default_file_order():
    assert DEFAULT_FILES == ("compose.yaml", "compose.yml", "docker-compose.yaml",
                             "docker-compose.yml")


@pytest.mark.parametrize("name, override", [
    ("compose.yaml", "compose.override.yaml"),
    ("compose.yml", "compose.override.yml"),
    ("docker-compose.yml", "docker-compose.override.yml"),
])
def test_override_name(name, override):
    assert override_name(name) == override


def test_first_default_name_wins_and_brings_its_override():
    exists = fake_fs("/p/docker-compose.yml", "/p/compose.yaml", "/p/compose.override.yaml",
                     "/p/docker-compose.override.yml")
    findings = []
    assert find_default_files("/p", exists, findings) == ["/p/compose.yaml",
                                                         "/p/compose.override.yaml"]
    assert "several compose files" in findings[0].message


def test_override_of_another_name_is_not_used():
    exists = fake_fs("/p/docker-compose.yml", "/p/compose.override.yaml")
    assert find_default_files("/p", exists) == ["/p/docker-compose.yml"]


def test_search_goes_up_to_parent_directories():
    exists = fake_fs("/p/compose.yml")
    assert find_default_files("/p/sub/dir", exists) == ["/p/compose.yml"]


def test_nothing_found_is_a_user_error_with_a_hint():
    with pytest.raises(UserError) as info:
        find_default_files("/p/sub", fake_fs())
    diag = info.value.diagnostics[0]
    assert "no compose file found in /p/sub" in diag.message
    assert "compose.yaml" in diag.message and "-f" in diag.hint


def test_real_directory_search(tmp_path):
    (tmp_path / "compose.yaml").write_text("services: {}\n")
    (tmp_path / "sub").mkdir()
    assert find_default_files(str(tmp_path / "sub")) == [str(tmp_path / "compose.yaml")]


# -------------------------------------------------------- files and project dir
def test_explicit_files_are_made_absolute_relative_to_cwd():
    files, project_dir = resolve_compose_files(["a/compose.yaml", "-", "/abs/b.yml"], {},
                                               "/work", None)
    assert files == ["/work/a/compose.yaml", "-", "/abs/b.yml"]
    assert project_dir == "/work/a"


def test_project_directory_option_wins():
    files, project_dir = resolve_compose_files(["x.yaml"], {}, "/work", "proj")
    assert files == ["/work/x.yaml"] and project_dir == "/work/proj"


def test_stdin_only_uses_cwd():
    assert resolve_compose_files(["-"], {}, "/work", None) == (["-"], "/work")


def test_compose_file_variable():
    env = {"COMPOSE_FILE": f"a.yaml{os.pathsep}b/c.yaml"}
    files, project_dir = resolve_compose_files([], env, "/w", None)
    assert files == ["/w/a.yaml", "/w/b/c.yaml"] and project_dir == "/w"


def test_compose_path_separator():
    env = {"COMPOSE_FILE": "a.yaml,b.yaml", "COMPOSE_PATH_SEPARATOR": ","}
    assert resolve_compose_files([], env, "/w", None)[0] == ["/w/a.yaml", "/w/b.yaml"]


def test_explicit_files_beat_compose_file_variable():
    env = {"COMPOSE_FILE": "other.yaml"}
    assert resolve_compose_files(["mine.yaml"], env, "/w", None)[0] == ["/w/mine.yaml"]


def test_default_discovery_from_project_directory(tmp_path):
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "compose.yml").write_text("services: {}\n")
    (proj / "compose.override.yml").write_text("services: {}\n")
    files, project_dir = resolve_compose_files([], {}, str(tmp_path), "proj")
    assert files == [str(proj / "compose.yml"), str(proj / "compose.override.yml")]
    assert project_dir == str(proj)


def test_default_discovery_in_parent_sets_project_dir_to_the_file_dir(tmp_path):
    (tmp_path / "compose.yaml").write_text("services: {}\n")
    (tmp_path / "deep").mkdir()
    files, project_dir = resolve_compose_files([], {}, str(tmp_path / "deep"), None)
    assert files == [str(tmp_path / "compose.yaml")] and project_dir == str(tmp_path)


# ------------------------------------------------------------------ project name
@pytest.mark.parametrize("raw, name", [
    ("My App", "myapp"),
    ("my_app-2", "my_app-2"),
    ("__Hidden", "hidden"),
    ("-x-", "x-"),
    ("Ünïcode.dir", "ncodedir"),
    ("...", ""),
])
def test_normalise_project_name(raw, name):
    assert normalise_project_name(raw) == name


def test_project_name_precedence():
    env = {"COMPOSE_PROJECT_NAME": "fromenv"}
    assert project_name("cli", env, "top", "/x/dir", None) == "cli"
    assert project_name(None, env, "top", "/x/dir", None) == "fromenv"
    assert project_name(None, {}, "top", "/x/dir", None) == "top"
    assert project_name(None, {"COMPOSE_PROJECT_NAME": ""}, None, "/x/My Dir", None) == "mydir"
    assert project_name("", {}, "", "/x/dir/", None) == "dir"


@pytest.mark.parametrize("explicit, env, top, origin", [
    ("My App", {}, None, "-p"),
    (None, {"COMPOSE_PROJECT_NAME": "_x"}, None, "COMPOSE_PROJECT_NAME"),
    (None, {}, "Shop", "top-level"),
])
def test_invalid_explicit_name_is_an_error(explicit, env, top, origin):
    where = Location("compose.yaml", 1, 7, ("name",))
    with pytest.raises(UserError) as info:
        project_name(explicit, env, top, "/x/dir", where)
    diag = info.value.diagnostics[0]
    assert origin in diag.message and "lowercase letters" in diag.message
    assert diag.hint.startswith("use ")
    if top:
        assert diag.location == where


def test_directory_without_usable_characters_needs_p():
    with pytest.raises(UserError) as info:
        project_name(None, {}, None, "/x/...", None)
    assert "-p" in info.value.diagnostics[0].hint


# --------------------------------------------------------------- project variables
def test_dotenv_of_the_project_dir_and_os_precedence(tmp_path):
    (tmp_path / ".env").write_text("A=from-file\nB=${A}-b\nC=keep\nINHERIT\nGONE\n")
    env = project_environment(str(tmp_path), [], {"A": "os", "INHERIT": "host"}, "/")
    assert env["A"] == "os"  # OS environment wins
    assert env["B"] == "from-file-b"  # the file's own earlier line comes first
    assert env["C"] == "keep" and env["INHERIT"] == "host"
    assert "GONE" not in env


def test_env_files_replace_the_default_dotenv(tmp_path):
    (tmp_path / ".env").write_text("DEFAULT=1\n")
    (tmp_path / "one.env").write_text("A=1\nB=1\n")
    (tmp_path / "two.env").write_text("B=2\nC=${A}\nA\n")
    env = project_environment(str(tmp_path), ["one.env", "two.env"], {}, str(tmp_path))
    assert env == {"A": "1", "B": "2", "C": "1"}


def test_missing_env_file_is_a_located_error(tmp_path):
    with pytest.raises(UserError) as info:
        project_environment(str(tmp_path), ["nope.env"], {}, str(tmp_path))
    assert info.value.diagnostics[0].location.file == "nope.env"


def test_no_dotenv_is_fine_and_can_be_disabled(tmp_path):
    assert project_environment(str(tmp_path), [], {"X": "1"}, "/") == {"X": "1"}
    (tmp_path / ".env").write_text("A=1\n")
    assert project_environment(str(tmp_path), [], {"COMPOSE_DISABLE_ENV_FILE": "true"},
                               "/") == {"COMPOSE_DISABLE_ENV_FILE": "true"}


def test_bad_dotenv_is_reported_with_its_line(tmp_path):
    (tmp_path / ".env").write_text("A=1\nB C=2\n")
    with pytest.raises(UserError) as info:
        project_environment(str(tmp_path), [], {}, str(tmp_path))
    assert str(info.value).startswith(".env:2:1: error:")
