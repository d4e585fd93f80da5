"""The -o DIR/ bundle: complete, atomic, and never deleting the user's own files."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_cloudformation_support import ensure_taskdef

ensure_taskdef()

from compose2ecs.emit import bundle  # noqa: E402
from compose2ecs.emit.cloudformation import build_templates, dump_template  # noqa: E402
from compose2ecs.pipeline import InputOptions, convert_inputs  # noqa: E402

CASES = Path(__file__).parent / "fixtures" / "cloudformation"


def _inputs(case="secrets"):
    from compose2ecs.emit.taskdef import task_definition_dict
    import json

    conv = convert_inputs(InputOptions(files=(str(CASES / case / "compose.yaml"),), cwd=str(CASES / case)), environ={})
    templates = {n: dump_template(t) for n, t in build_templates(conv.ecs).items()}
    taskdefs = {td.family: json.dumps(task_definition_dict(td), indent=2, sort_keys=True) + "\n"
                for td in conv.ecs.task_definitions}
    return conv, templates, taskdefs


def _parts(templates, taskdefs, report):
    return bundle.BundleParts(templates=lambda: templates, taskdefs=lambda: taskdefs, report=lambda: report)


def _write(directory, case="secrets", fork=None):
    conv, templates, taskdefs = _inputs(case)
    return conv, bundle.write_bundle(str(directory), conv.ecs, conv.findings,
                                     _parts(templates, taskdefs, "# report\n"), fork=fork)


def test_bundle_layout(tmp_path):
    conv, written = _write(tmp_path / "out")
    rel = sorted(os.path.relpath(p, tmp_path / "out") for p in written)
    assert rel == ["README.md", "cloudformation.yaml", "report.md", "taskdefs/secrets-app.json"]
    readme = (tmp_path / "out" / "README.md").read_text()
    assert "aws cloudformation deploy --template-file cloudformation.yaml --stack-name secrets" in readme
    assert "CAPABILITY_IAM" in readme
    assert "VpcId=vpc-" in readme and "Subnets=subnet-" in readme
    assert "put-secret-value" in readme and "SecretDbPasswordArn" in readme
    assert "do-not-leak-9f8e7d" not in "".join(Path(p).read_text() for p in written)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".compose2ecs-")]  # staging removed


def test_big_template_readme_uses_s3(tmp_path):
    conv, templates, taskdefs = _inputs("single-public-ip")
    templates["cloudformation.yaml"] += "#" * 60_000 + "\n"
    bundle.write_bundle(str(tmp_path / "b"), conv.ecs, conv.findings, _parts(templates, taskdefs, ""))
    readme = (tmp_path / "b" / "README.md").read_text()
    assert "aws cloudformation package" in readme and "--s3-bucket YOUR_BUCKET" in readme
    assert "--template-body file://packaged" not in readme  # over 51,200 bytes: only from S3
    assert "validate-template --template-url https://YOUR_BUCKET.s3.amazonaws.com/" in readme


def test_existing_directory_keeps_user_files(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "report.md").write_text("old report")
    _write(out)
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "report.md").read_text() == "# report\n"


def test_failure_leaves_nothing_half_written(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.md").write_text("old report")
    real_replace = os.replace

    def exploding_open(*args, **kwargs):
        raise OSError("disk full")

    conv, templates, taskdefs = _inputs()
    monkeypatch.setattr("builtins.open", exploding_open)
    with pytest.raises(OSError):
        bundle.write_bundle(str(out), conv.ecs, conv.findings, _parts(templates, taskdefs, "new"), fork=False)
    monkeypatch.undo()
    assert os.replace is real_replace
    assert sorted(os.listdir(out)) == ["report.md"]
    assert (out / "report.md").read_text() == "old report"
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".compose2ecs-")]


def test_refuses_paths_outside_the_bundle(tmp_path):
    conv, templates, taskdefs = _inputs()
    with pytest.raises(ValueError):
        bundle.write_bundle(str(tmp_path / "o"), conv.ecs, conv.findings, _parts({"../evil.yaml": "x"}, {}, ""))
    assert not (tmp_path / "evil.yaml").exists()


def test_parameters_section_equals_a_full_parse():
    import json

    import yaml

    _, templates, _ = _inputs("secrets")
    text = templates["cloudformation.yaml"]
    full = yaml.safe_load(text)["Parameters"]
    assert full and bundle.parameters_section(text) == full
    assert bundle.parameters_section(json.dumps(yaml.safe_load(text))) == full
    pyyaml_text = yaml.safe_dump({"Parameters": full, "Resources": {"A": {"Type": "T"}}}, width=20)
    assert bundle.parameters_section(pyyaml_text) == full  # other layouts: full parse fallback
    assert bundle.parameters_section("Resources:\n  A:\n    Type: T\n") == {}


# --- the two halves rendered side by side (compose2ecs.background) ---------------------------

def _tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")


def _single_threaded():
    import threading

    if threading.active_count() != 1:
        pytest.skip("another test left threads running; forking now would be unsafe")


@needs_fork
def test_forked_and_in_process_bundles_are_identical(tmp_path, monkeypatch):
    _single_threaded()
    monkeypatch.chdir(tmp_path)  # the README names the directory: give both the same relative name
    (tmp_path / "a").mkdir()
    _write("a/out", fork=True)
    os.rename("a/out", "forked")
    _write("a/out", fork=False)
    forked, inline = _tree(tmp_path / "forked"), _tree(tmp_path / "a" / "out")
    assert forked == inline and "taskdefs/secrets-app.json" in forked
    assert "secrets-app.json" in forked["README.md"]  # the README lists what the child wrote


@needs_fork
def test_child_write_failure_is_reported_and_leaves_nothing(tmp_path):
    from compose2ecs.background import BackgroundError

    _single_threaded()
    conv, templates, _ = _inputs()
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.md").write_text("old report")
    too_long = {"x" * 300: "{}"}  # no file system takes a 305-byte name
    with pytest.raises(BackgroundError) as caught:
        bundle.write_bundle(str(out), conv.ecs, conv.findings, _parts(templates, too_long, "new"), fork=True)
    assert caught.value.os_error and "name too long" in str(caught.value).lower()
    assert sorted(os.listdir(out)) == ["report.md"] and (out / "report.md").read_text() == "old report"
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".compose2ecs-")]


@needs_fork
def test_child_bug_is_not_a_write_error(tmp_path):
    from compose2ecs.background import BackgroundError

    _single_threaded()
    conv, templates, _ = _inputs()

    def broken():
        raise KeyError("family")

    parts = bundle.BundleParts(templates=lambda: templates, taskdefs=broken, report=lambda: "")
    with pytest.raises(BackgroundError) as caught:
        bundle.write_bundle(str(tmp_path / "o"), conv.ecs, conv.findings, parts, fork=True)
    assert not caught.value.os_error and "KeyError" in str(caught.value)
    assert os.listdir(tmp_path) == []


@needs_fork
def test_parent_failure_stops_the_child_and_removes_staging(tmp_path, monkeypatch):
    import time

    from compose2ecs import background

    _single_threaded()
    conv, _, _ = _inputs()
    pids = []
    real_start = background.start

    def start(job, fork=None):
        started = real_start(job, fork)
        pids.append(started.pid)
        return started

    monkeypatch.setattr(background, "start", start)

    def failing_templates():
        raise ValueError("overlay problem")

    def slow_taskdefs():  # still running when the parent fails
        time.sleep(60)
        return {}

    parts = bundle.BundleParts(templates=failing_templates, taskdefs=slow_taskdefs, report=lambda: "")
    with pytest.raises(ValueError, match="overlay problem"):
        bundle.write_bundle(str(tmp_path / "o"), conv.ecs, conv.findings, parts, fork=True)
    assert os.listdir(tmp_path) == []
    (pid,) = pids
    assert pid is not None  # it was forked
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already killed and reaped: no child left behind


def test_no_fork_setting_and_threads_keep_the_work_in_process(monkeypatch):
    from compose2ecs import background

    assert background.can_fork({"COMPOSE2ECS_NO_FORK": "1"}) is False
    monkeypatch.setattr("threading.active_count", lambda: 2)
    assert background.can_fork({}) is False
    ran = []
    job = background.start(lambda: ran.append(os.getpid()))  # not forked: runs now, here
    job.wait()
    assert ran == [os.getpid()]
