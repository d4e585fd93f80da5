"""The shared Jinja2 templates: compiled once into a cache that is only ever an optimisation."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from compose2ecs import templating

SCRIPT = """
import sys
from compose2ecs.templating import render
sys.stdout.write(render("bundle_readme.md.j2", root="cloudformation.yaml", project="p", stack="p", directory="out", services=["web"],
    nested=[], taskdefs=["p-web.json"], findings=0, parameters=[], overrides="(none required)",
    placeholders=[], big=False, secrets=[], efs=False, task_roles=False))
"""


def _render(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False)


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("COMPOSE2ECS_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(extra)
    return env


def test_cache_directory_rules():
    assert templating.cache_directory({"COMPOSE2ECS_CACHE_DIR": "/c"}) == os.path.join("/c", "jinja")
    assert templating.cache_directory({"XDG_CACHE_HOME": "/x"}) == os.path.join("/x", "compose2ecs", "jinja")
    assert templating.cache_directory({"COMPOSE2ECS_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x"}).startswith("/c")


def test_second_run_reads_the_compiled_template_and_renders_the_same(tmp_path):
    cache = tmp_path / "cache"
    first = _render(_env(COMPOSE2ECS_CACHE_DIR=str(cache)))
    assert first.returncode == 0, first.stderr
    entries = sorted((cache / "jinja").iterdir())
    assert len(entries) == 1 and entries[0].stat().st_size > 0
    stamp = entries[0].stat().st_mtime_ns
    second = _render(_env(COMPOSE2ECS_CACHE_DIR=str(cache)))
    assert second.returncode == 0 and second.stdout == first.stdout
    assert entries[0].stat().st_mtime_ns == stamp  # read, not rewritten
    assert "p-web.json" in first.stdout


def test_corrupt_cache_entry_is_a_miss(tmp_path):
    cache = tmp_path / "cache"
    reference = _render(_env(COMPOSE2ECS_CACHE_DIR=str(cache))).stdout
    (entry,) = (cache / "jinja").iterdir()
    entry.write_bytes(b"not marshal data")
    again = _render(_env(COMPOSE2ECS_CACHE_DIR=str(cache)))
    assert again.returncode == 0, again.stderr
    assert again.stdout == reference


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_cache_directory_is_not_an_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = _render(_env(COMPOSE2ECS_CACHE_DIR=str(locked / "sub")))
    finally:
        locked.chmod(0o700)
    assert result.returncode == 0, result.stderr
    assert "p-web.json" in result.stdout


def test_cache_path_that_is_a_file_is_not_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = _render(_env(COMPOSE2ECS_CACHE_DIR=str(blocker)))
    assert result.returncode == 0, result.stderr
    assert "p-web.json" in result.stdout
    assert blocker.read_text() == "x"
