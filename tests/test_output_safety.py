"""Outputs never lose or overwrite what the user had (issue 17 items 4-7, issue 15 items 4, 8).

Each test reproduces a reported loss: a symlink replaced by a file, an input overwritten by
``-o``, a directory left half old / half new (and full of temporaries) by a signal, a file
written although another output of the same run failed, ``-o one.json`` made a directory,
and bundle directories made 0700 whatever the umask.
"""
from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compose2ecs import output
from compose2ecs.errors import UserError
from tests.oracle import shape_problems
from tests.test_cli import run

REPO = Path(__file__).resolve().parent.parent
HELLO = "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n"
STAGING = ".compose2ecs-"  # output.STAGING_PREFIX (spelled out: the tests also ran against the old writer)
TWO = "services:\n  web:\n    image: nginx\n  worker:\n    image: busybox\n"


def _project(tmp_path, text=HELLO) -> Path:
    compose = tmp_path / "compose.yaml"
    compose.write_text(text)
    return compose


def _convert(compose, *args, cwd=None):
    return run("convert", "-f", str(compose), "--region", "us-east-1", "-q", *args, cwd=cwd)


def _leftovers(directory: Path) -> list:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*")
                  if ".tmp" in p.name or p.name.startswith(STAGING))


def _cli(*args, cwd, **kwargs):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "compose2ecs", *args], cwd=cwd, env=env, **kwargs)


# --------------------------------------------------------------- item 4: symlinks survive
def test_a_symlinked_output_is_written_through_and_stays_a_link(tmp_path):
    compose = _project(tmp_path)
    real = tmp_path / "real.yaml"
    real.write_text("old")
    link = tmp_path / "stack.yaml"
    link.symlink_to(real)
    result = _convert(compose, "--format", "cloudformation", "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "AWS::ECS::TaskDefinition" in real.read_text()
    assert _leftovers(tmp_path) == []


def test_a_symlink_inside_the_bundle_directory_stays_a_link(tmp_path):
    compose = _project(tmp_path)
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (elsewhere / "report.md").write_text("old report")
    (out / "report.md").symlink_to(elsewhere / "report.md")
    result = _convert(compose, "--format", "cloudformation", "-o", f"{out}/")
    assert result.exit_code == 0, result.output
    assert (out / "report.md").is_symlink()
    assert (elsewhere / "report.md").read_text().startswith("#")


def test_a_symlink_to_another_file_system_is_written_through(tmp_path):
    import tempfile

    if not os.path.isdir("/dev/shm") or os.stat("/dev/shm").st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs /dev/shm on another file system than the test directory")
    compose = _project(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    with tempfile.TemporaryDirectory(dir="/dev/shm") as other:
        target = Path(other) / "report.md"
        target.write_text("old report")
        (out / "report.md").symlink_to(target)
        result = _convert(compose, "--format", "cloudformation", "-o", f"{out}/")
        assert result.exit_code == 0, result.output
        assert (out / "report.md").is_symlink() and target.read_text().startswith("#")
        assert os.listdir(other) == ["report.md"]
    assert _leftovers(tmp_path) == []


def test_dev_stdout_is_standard_output_not_a_file_to_replace(tmp_path):
    # as root, renaming over /dev/stdout replaced the system's link with a regular file
    compose = _project(tmp_path)
    assert output.destination("/dev/stdout") == (output.STDOUT, None)
    assert output.destination("/dev/fd/1")[0] == output.STDOUT  # the same file as our stdout
    assert output.destination("/dev/fd/2")[0] == output.IN_PLACE  # another descriptor: written in place
    with open(tmp_path / "captured.json", "w") as sink:  # stdout is a regular file: the risky case
        done = _cli("convert", "-f", str(compose), "--region", "us-east-1", "-q", "-o", "/dev/stdout",
                    cwd=tmp_path, stdout=sink, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "captured.json").read_text())["family"].endswith("-web")
    assert os.path.islink("/dev/stdout")


# --------------------------------------------------------------- item 5: inputs are never outputs
def test_output_over_the_compose_file_is_refused_and_the_file_kept(tmp_path):
    compose = _project(tmp_path)
    result = _convert(compose, "--format", "cloudformation", "-o", str(compose))
    assert result.exit_code == 2
    assert "is an input of this run" in result.stderr and "Traceback" not in result.output
    assert compose.read_text() == HELLO
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("make", ["symlink", "hardlink", "dotted"])
def test_another_name_for_an_input_is_refused(tmp_path, make):
    compose = _project(tmp_path)
    other = tmp_path / "other.yaml"
    if make == "symlink":
        other.symlink_to(compose)
    elif make == "hardlink":
        os.link(compose, other)
    else:
        other = tmp_path / "sub" / ".." / "compose.yaml"
        (tmp_path / "sub").mkdir()
    result = _convert(compose, "--format", "compose", "-o", str(other))
    assert result.exit_code == 2 and "is an input of this run" in result.stderr
    assert compose.read_text() == HELLO


def test_dotenv_env_files_extends_and_include_targets_are_inputs(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "base.yaml").write_text("services:\n  base:\n    image: nginx\n")
    (tmp_path / "lib" / "inc.yaml").write_text("services:\n  inc:\n    image: nginx\n")
    (tmp_path / ".env").write_text("TAG=1\n")
    (tmp_path / "web.env").write_text("A=1\n")
    compose = _project(tmp_path, "include: [lib/inc.yaml]\nservices:\n  web:\n    image: nginx:${TAG}\n"
                                 "    env_file: web.env\n    extends: {file: lib/base.yaml, service: base}\n")
    for victim in (".env", "web.env", "lib/base.yaml", "lib/inc.yaml"):
        before = (tmp_path / victim).read_text()
        result = _convert(compose, "--report", str(tmp_path / victim), cwd=tmp_path)
        assert result.exit_code == 2, (victim, result.output)
        assert "is an input of this run" in result.stderr
        assert (tmp_path / victim).read_text() == before


def test_docker_run_file_and_secret_file_are_inputs(tmp_path):
    runs = tmp_path / "runs.txt"
    runs.write_text("docker run -d --name api nginx\n")
    result = run("convert", "--docker-run-file", str(runs), "--format", "compose", "-o", str(runs), cwd=tmp_path)
    assert result.exit_code == 2 and "is an input of this run" in result.stderr
    assert runs.read_text().startswith("docker run")
    (tmp_path / "pw.txt").write_text("secret\n")
    compose = _project(tmp_path, "services:\n  web:\n    image: nginx\n    secrets: [pw]\n"
                                 "secrets:\n  pw:\n    file: ./pw.txt\n")
    result = _convert(compose, "--report", str(tmp_path / "pw.txt"), cwd=tmp_path)
    assert result.exit_code == 2 and "is an input of this run" in result.stderr
    assert (tmp_path / "pw.txt").read_text() == "secret\n"


def test_an_input_inside_the_output_directory_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    compose = out / "cloudformation.yaml"  # a compose file named like the bundle's root template
    compose.write_text(HELLO)
    (out / "report.md").write_text("old report")
    result = _convert(compose, "--format", "cloudformation", "-o", f"{out}/")
    assert result.exit_code == 2 and "is an input of this run" in result.stderr
    assert compose.read_text() == HELLO and (out / "report.md").read_text() == "old report"
    assert _leftovers(tmp_path) == []


def test_two_outputs_on_one_file_are_refused(tmp_path):
    compose = _project(tmp_path)
    result = _convert(compose, "--format", "cloudformation", "-o", str(tmp_path / "s.yaml"),
                      "--report", str(tmp_path / "s.yaml"))
    assert result.exit_code == 2 and "written twice" in result.stderr
    assert not (tmp_path / "s.yaml").exists()


# --------------------------------------------------------------- item 6: signals during -o DIR
def _big_project(directory: Path, services: int) -> Path:
    lines = ["name: big", "services:"]
    for i in range(services):
        lines += [f"  s{i}:", f"    image: registry.example.com/s{i}:1", "    ports:", f"      - \"{8000 + i}:80\""]
    (directory / "compose.yaml").write_text("\n".join(lines) + "\n")
    return directory / "compose.yaml"


def _snapshot(directory: Path) -> dict:
    return {str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_a_bundle_leaves_the_old_files_and_no_temporaries(tmp_path, signum):
    compose = _big_project(tmp_path, 400)  # >= 50 task definitions: half the bundle is forked
    out = tmp_path / "out"
    first = _cli("convert", "-f", str(compose), "--region", "us-east-1", "-q", "--format", "cloudformation",
                 "-o", f"{out}/", cwd=tmp_path, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    (out / "notes.txt").write_text("mine")
    for path in (out / "taskdefs").iterdir():  # make "old" distinguishable from "new"
        path.write_text("old\n")
    before = _snapshot(out)
    proc = subprocess.Popen([sys.executable, "-m", "compose2ecs", "convert", "-f", str(compose),
                             "--region", "eu-west-1", "-q", "--format", "cloudformation", "-o", f"{out}/"],
                            cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(REPO)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(STAGING) for p in tmp_path.iterdir()):
        assert proc.poll() is None, "finished before staging was seen"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    time.sleep(0.05)  # mid-write: the staging directory is filling
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    assert _snapshot(out) == before  # all old, nothing new, nothing of the user's lost
    assert _leftovers(tmp_path) == []


def _staging_seen(tmp_path: Path, out: Path) -> bool:
    return any(p.name.startswith(STAGING) for p in tmp_path.iterdir()) or \
        any(".tmp" in p.name for p in out.iterdir())  # (where the old writer staged)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_taskdef_dir_leaves_the_old_files_and_no_temporaries(tmp_path, signum):
    lines = ["name: many", "services:"]
    for i in range(2000):  # thousands of files: the write itself takes a while
        lines += [f"  s{i}:", f"    image: registry.example.com/s{i}:1"]
    compose = tmp_path / "compose.yaml"
    compose.write_text("\n".join(lines) + "\n")
    out = tmp_path / "tds"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    for i in range(2000):
        (out / f"many-s{i}.json").write_text("old\n")
    before = _snapshot(out)
    proc = subprocess.Popen([sys.executable, "-m", "compose2ecs", "convert", "-f", str(compose),
                             "--region", "eu-west-1", "-q", "-o", str(out)],
                            cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(REPO)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not _staging_seen(tmp_path, out):
        assert proc.poll() is None, "finished before staging was seen"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, stderr
    assert _snapshot(out) == before
    assert _leftovers(tmp_path) == []


# --------------------------------------------------------------- item 7: all or nothing
def test_a_failing_report_device_leaves_the_template_unchanged(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    compose = _project(tmp_path)
    (tmp_path / "s.yaml").write_text("old")
    done = _cli("convert", "-f", str(compose), "--region", "us-east-1", "--format", "cloudformation",
                "-o", "s.yaml", "--report", "/dev/full", cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2 and "/dev/full" in done.stderr and "Traceback" not in done.stderr
    assert (tmp_path / "s.yaml").read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_a_failing_report_device_leaves_no_bundle(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    compose = _project(tmp_path)
    done = _cli("convert", "-f", str(compose), "--region", "us-east-1", "--format", "cloudformation",
                "-o", "out/bundle/", "--report", "/dev/full", cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert sorted(os.listdir(tmp_path)) == ["compose.yaml"]  # not even the parent "out"


def test_a_failing_stdout_leaves_the_report_unwritten(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    compose = _project(tmp_path)
    with open("/dev/full", "w") as full:
        done = _cli("convert", "-f", str(compose), "--region", "us-east-1", "--report", "r.md",
                    cwd=tmp_path, stdout=full, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "r.md").exists()


# --------------------------------------------------------------- issue 15 item 4: taskdef shapes
def test_one_task_definition_to_a_json_file_is_the_bare_object(tmp_path):
    compose = _project(tmp_path)
    result = _convert(compose, "-o", str(tmp_path / "one.json"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "one.json").is_file()
    td = json.loads((tmp_path / "one.json").read_text())
    assert td["family"].endswith("-web") and shape_problems(td) == []


def test_one_task_definition_to_stdout_is_valid_cli_input_json():
    result = run("convert", "--docker-run", "docker run -d -p 80:80 nginx", "--region", "us-east-1")
    assert result.exit_code == 0, result.output
    td = json.loads(result.stdout)
    assert isinstance(td, dict) and shape_problems(td) == []


def test_several_task_definitions_to_a_json_file_is_an_error_naming_a_directory(tmp_path):
    compose = _project(tmp_path, TWO)
    result = _convert(compose, "-o", str(tmp_path / "td.json"))
    assert result.exit_code == 2
    assert "2 task definitions" in result.stderr and f"-o {tmp_path / 'td'}/" in result.stderr
    assert sorted(os.listdir(tmp_path)) == ["compose.yaml"]


def test_taskdef_directory_keeps_user_files_and_replaces_its_own(tmp_path):
    compose = _project(tmp_path, TWO)
    out = tmp_path / "tds"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / f"{tmp_path.name}-web.json").write_text("old")
    result = _convert(compose, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "notes.txt").read_text() == "mine"
    assert json.loads((out / f"{tmp_path.name}-web.json").read_text())["family"] == f"{tmp_path.name}-web"
    assert _leftovers(tmp_path) == []


# --------------------------------------------------------------- issue 15 item 8: umask
@pytest.mark.parametrize("mask, expected", [(0o022, 0o755), (0o027, 0o750)])
def test_output_directories_follow_the_umask(tmp_path, mask, expected):
    compose = _project(tmp_path)
    old = os.umask(mask)
    try:
        bundle = _convert(compose, "--format", "cloudformation", "-o", str(tmp_path / "out" / "bundle") + "/")
        tds = _convert(compose, "-o", str(tmp_path / "tds"))
    finally:
        os.umask(old)
    assert bundle.exit_code == 0 and tds.exit_code == 0, bundle.output + tds.output
    for directory in ("out", "out/bundle", "out/bundle/taskdefs", "tds"):
        assert stat.S_IMODE(os.stat(tmp_path / directory).st_mode) == expected, directory


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "private.json"
    target.write_text("old")
    target.chmod(0o600)
    output.write_text(str(target), "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600


def test_nothing_is_staged_when_the_plan_is_refused(tmp_path):
    (tmp_path / "dir").mkdir()
    with pytest.raises(UserError):
        with output.Outputs() as outputs:
            outputs.file(str(tmp_path / "a.txt"), "a")
            outputs.file(str(tmp_path / "sub" / ".." / "a.txt"), "b")
            outputs.commit()
    assert sorted(os.listdir(tmp_path)) == ["dir"]
