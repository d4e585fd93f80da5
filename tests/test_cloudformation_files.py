"""``convert --format cloudformation -o FILE`` for a project that needs nested stacks: the root
template in FILE, the nested templates in ``nested/`` beside it (where the root's relative
``TemplateURL`` points, as ``aws cloudformation package`` expects)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.test_cli import run

SERVICES = 180  # ~3 resources each: over CloudFormation's 500


def _compose(n: int) -> str:
    lines = ["name: big", "services:"]
    for i in range(n):
        lines += [f"  s{i}:", f"    image: registry.example.com/s{i}:1", "    ports:", f"      - \"{8000 + i}:80\""]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def big_project(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("big")
    (directory / "compose.yaml").write_text(_compose(SERVICES))
    return directory / "compose.yaml"


def _convert(compose: Path, *args):
    return run("convert", "-f", str(compose), "--region", "eu-west-1", "--format", "cloudformation", "-q", *args)


def test_file_output_writes_nested_stacks_beside_the_root(big_project, tmp_path):
    target = tmp_path / "out" / "stack.yaml"
    result = _convert(big_project, "-o", str(target))
    assert result.exit_code == 0, result.output
    root = yaml.safe_load(target.read_text())
    urls = sorted(r["Properties"]["TemplateURL"] for r in root["Resources"].values()
                  if r["Type"] == "AWS::CloudFormation::Stack")
    assert len(urls) >= 2
    written = sorted(p.relative_to(target.parent).as_posix() for p in (target.parent / "nested").iterdir())
    assert written == urls  # every TemplateURL resolves relative to the root file, nothing else
    services = sum(1 for url in urls for r in yaml.safe_load((target.parent / url).read_text())["Resources"].values()
                   if r["Type"] == "AWS::ECS::Service")
    assert services == SERVICES
    assert f"{len(urls)} nested stack(s)" in result.output


def test_file_output_leaves_other_files_in_nested_alone(big_project, tmp_path):
    mine = tmp_path / "nested" / "notes.txt"
    mine.parent.mkdir()
    mine.write_text("keep me")
    result = _convert(big_project, "-o", str(tmp_path / "stack.yaml"))
    assert result.exit_code == 0, result.output
    assert mine.read_text() == "keep me"
    assert (tmp_path / "nested" / "services-01.yaml").is_file()


def test_stdout_cannot_hold_nested_stacks(big_project, tmp_path):
    result = _convert(big_project)
    assert result.exit_code == 2
    assert "needs nested stacks" in result.output and "-o FILE" in result.output
    assert "Traceback" not in result.output


def test_single_template_project_writes_one_file(tmp_path):
    compose = tmp_path / "compose.yaml"
    compose.write_text(_compose(3))
    result = _convert(compose, "-o", str(tmp_path / "stack.yaml"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["compose.yaml", "stack.yaml"]
    assert "nested" not in result.output


def test_bundle_is_the_same_with_and_without_a_second_process(big_project, tmp_path):
    """Big bundles render task definitions in a forked child (compose2ecs.background):
    the files must not depend on it."""
    import os
    import subprocess
    import sys

    trees = []
    for setting in ("", "1"):
        env = {k: v for k, v in os.environ.items() if k != "COMPOSE2ECS_NO_FORK"}
        if setting:
            env["COMPOSE2ECS_NO_FORK"] = setting
        out = tmp_path / ("inline" if setting else "forked")
        out.mkdir()
        result = subprocess.run([sys.executable, "-m", "compose2ecs", "convert", "-f", str(big_project),
                                 "--region", "eu-west-1", "--format", "cloudformation", "-q", "-o", "bundle/"],
                                cwd=out, env=env, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        root = out / "bundle"
        trees.append({p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()})
    assert trees[0] == trees[1]
    assert sum(1 for name in trees[0] if name.startswith("taskdefs/")) == SERVICES
    assert any(name.startswith("nested/") for name in trees[0])


def test_json_templates_are_named_json(big_project, tmp_path):
    import json

    result = _convert(big_project, "--json", "-o", str(tmp_path / "stack.json"))
    assert result.exit_code == 0, result.output
    root = json.loads((tmp_path / "stack.json").read_text())
    urls = sorted(r["Properties"]["TemplateURL"] for r in root["Resources"].values()
                  if r["Type"] == "AWS::CloudFormation::Stack")
    assert urls and all(u.startswith("nested/") and u.endswith(".json") for u in urls)
    for url in urls:
        json.loads((tmp_path / url).read_text())
    bundle = tmp_path / "bundle"
    result = _convert(big_project, "--json", "-o", f"{bundle}/")
    assert result.exit_code == 0, result.output
    assert (bundle / "cloudformation.json").is_file() and not (bundle / "cloudformation.yaml").exists()
    assert sorted(p.name for p in (bundle / "nested").iterdir()) == sorted(u.split("/")[1] for u in urls)
    readme = (bundle / "README.md").read_text()
    assert "--template-file cloudformation.json" in readme and "cloudformation.yaml" not in readme
    assert "--template-file " + str(bundle / "cloudformation.json") in (bundle / "report.md").read_text()


# --- nested templates written out by two processes (convert._templates, side_by_side) ----------

def _tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork here")
def test_templates_written_side_by_side_are_the_ones_written_in_one_process(big_project, tmp_path, monkeypatch):
    import threading

    from compose2ecs import background, convert

    if threading.active_count() != 1:
        pytest.skip("another test left threads running; forking now would be unsafe")
    forks = []
    real_start = background.start
    monkeypatch.setattr(background, "start", lambda job, fork=None: forks.append(fork) or real_start(job, fork))
    monkeypatch.setattr(background, "can_fork", lambda environ=None: True)
    monkeypatch.setattr(convert, "DUMP_SIDE_BY_SIDE_FROM", 2)
    assert _convert(big_project, "-o", str(tmp_path / "two" / "stack.yaml")).exit_code == 0
    assert forks == [True]
    monkeypatch.setattr(background, "can_fork", lambda environ=None: False)
    assert _convert(big_project, "-o", str(tmp_path / "one" / "stack.yaml")).exit_code == 0
    assert forks == [True]  # no second fork
    two, one = _tree(tmp_path / "two"), _tree(tmp_path / "one")
    assert two == one and len(two) >= 3


def test_a_background_job_returns_its_value_forked_or_not():
    import os
    import threading

    from compose2ecs import background

    assert background.start(lambda: {"a": "text"}, False).wait() == {"a": "text"}
    assert background.start(lambda: None, False).wait() is None
    if hasattr(os, "fork") and threading.active_count() == 1:
        assert background.start(lambda: {"pid": os.getpid()}, True).wait()["pid"] != os.getpid()
