"""One table of exit codes, run over every command as a user runs it (in-process CLI runner,
AWS commands against a moto server on 127.0.0.1 through --endpoint-url; never real AWS).

Codes (README "Exit codes"): 0 success, 1 declined at a prompt (or an internal error),
2 invalid input, 3 --strict findings, 4 AWS-side failure. With ``--output json`` every run
ends with one JSON result object on stdout: ``status``, ``exit_code``, and on failure
``error`` with ``message`` and ``hint`` (what to do).

A new command fails :func:`test_the_table_covers_every_command` until it has rows here.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from compose2ecs import cli_aws
from compose2ecs.cli import app
from tests.aws_fixtures import FAKE_ENV, _wait_for_port, free_port

REPO = Path(__file__).resolve().parent.parent
HELLO = str(REPO / "examples" / "hello" / "compose.yaml")
WEBAPP = str(REPO / "examples" / "webapp" / "compose.yaml")
BUILT = str(REPO / "tests" / "fakes" / "app" / "compose.yaml")  # built by the fake docker in tests/fakes
COMMANDS = set(typer.main.get_command(app).commands)
_FAKE_STATE = tempfile.mkdtemp(prefix="c2e-fake-docker-")
ENV = {**FAKE_ENV, "AWS_PROFILE": None, "CI": "true", "COMPOSE2ECS_DEBUG": None,
       "PATH": f"{REPO / 'tests' / 'fakes'}{os.pathsep}{os.environ.get('PATH', '')}",
       "FAKE_DOCKER_LOG": os.path.join(_FAKE_STATE, "log"), "FAKE_DOCKER_STATE": os.path.join(_FAKE_STATE, "state")}

# (id, argv, exit code, JSON status or None (no --output json), answer at a prompt or None)
ROWS = [
    ("config ok", ["config", "-f", HELLO], 0, None, None),
    ("config missing file", ["config", "-f", "missing.yaml"], 2, None, None),
    ("convert ok", ["convert", "-f", HELLO, "--region", "us-east-1"], 0, None, None),
    ("convert bad format", ["convert", "-f", HELLO, "--format", "yaml"], 2, None, None),
    ("convert strict", ["convert", "-f", WEBAPP, "--strict", "--region", "us-east-1"], 3, None, None),
    ("cost ok", ["cost", "-f", HELLO], 0, None, None),
    ("cost missing file", ["cost", "-f", "missing.yaml"], 2, None, None),
    ("deploy json ok", ["deploy", "-f", HELLO, "-p", "hello", "--output", "json", "@aws"], 0, "ok", None),
    ("deploy again no changes", ["deploy", "-f", HELLO, "-p", "hello", "--output", "json", "@aws"], 0, "ok", None),
    ("deploy via terraform", ["deploy", "-f", HELLO, "--via", "terraform", "--output", "json", "@aws"],
     2, "invalid", None),
    ("deploy output yaml", ["deploy", "-f", HELLO, "--output", "yaml", "@aws"], 2, None, None),
    ("deploy declined", ["deploy", "-f", HELLO, "-p", "declined", "--output", "json", "@aws"],
     1, "cancelled", "n"),
    ("deploy aws failure", ["deploy", "-f", HELLO, "-p", "badnet", "--vpc", "vpc-00000000000000000",
                            "--subnet", "subnet-00000000", "--output", "json", "@aws"], 4, "aws-error", None),
    ("deploy bad file json", ["deploy", "-f", "missing.yaml", "--output", "json", "@aws"], 2, "invalid", None),
    ("plan ok", ["plan", "-f", HELLO, "-p", "hello", "--output", "json", "@aws"], 0, "ok", None),
    ("plan missing cluster", ["plan", "-f", HELLO, "--cluster", "missing", "--output", "json", "@aws"],
     4, "aws-error", None),
    ("plan detailed no changes", ["plan", "-f", HELLO, "-p", "hello", "--detailed-exitcode", "@aws"], 0, None, None),
    ("plan detailed changes", ["plan", "-f", HELLO, "-p", "fresh", "--detailed-exitcode", "--output", "json", "@aws"],
     2, None, None),
    ("plan detailed error", ["plan", "-f", HELLO, "--cluster", "missing", "--detailed-exitcode", "--output", "json",
                             "@aws"], 1, "aws-error", None),
    ("plan output yaml", ["plan", "-f", HELLO, "--output", "yaml", "@aws"], 2, None, None),
    ("status ok", ["status", "-p", "hello", "--output", "json", "@aws"], 0, None, None),
    ("status output yaml", ["status", "-p", "hello", "--output", "yaml", "@aws"], 2, None, None),
    ("status unreachable", ["status", "-p", "hello", "--output", "json", "--region", "us-east-1",
                            "--endpoint-url", "http://127.0.0.1:9"], 4, "aws-error", None),
    ("ps ok", ["ps", "-p", "hello", "@aws"], 0, None, None),
    ("ps output yaml", ["ps", "-p", "hello", "--output", "yaml", "@aws"], 2, None, None),
    ("logs ok", ["logs", "-p", "hello", "web", "@aws"], 0, None, None),
    ("logs unknown service", ["logs", "-p", "hello", "nope", "@aws"], 2, None, None),
    ("logs bad since", ["logs", "-p", "hello", "--since", "10x", "@aws"], 2, None, None),
    ("logs nothing deployed", ["logs", "-p", "never", "@aws"], 4, None, None),
    ("run unknown service", ["run", "-f", HELLO, "-p", "hello", "@aws", "nope"], 2, None, None),
    ("run not deployed", ["run", "-f", HELLO, "-p", "never", "@aws", "web", "echo", "hi"], 4, None, None),
    ("run missing file", ["run", "-f", "missing.yaml", "web"], 2, None, None),
    ("down declined", ["down", "-p", "hello", "--output", "json", "@aws"], 1, "cancelled", "n"),
    ("down no terminal", ["down", "-p", "hello", "--output", "json", "@aws"], 2, "invalid", None),
    ("down ok", ["down", "-p", "gone", "--yes", "--output", "json", "@aws"], 0, "ok", None),
    ("build ok", ["build", "-f", BUILT, "@aws"], 0, None, None),
    ("build missing file", ["build", "-f", "missing.yaml", "--output", "json", "@aws"], 2, "invalid", None),
    ("push json ok", ["push", "-f", BUILT, "--output", "json", "@aws"], 0, "ok", None),
    ("push output yaml", ["push", "-f", BUILT, "--output", "yaml", "@aws"], 2, None, None),
    ("deploy no build", ["deploy", "-f", BUILT, "--no-build", "--output", "json", "@aws"], 2, "invalid", None),
    ("down nothing", ["down", "-p", "gone", "--yes", "--output", "json", "@aws"], 0, "ok", None),
]


@pytest.fixture(scope="module")
def endpoint():
    """A moto server for the module, with the projects the rows read: hello and gone."""
    port = free_port()
    env = {k: v for k, v in {**os.environ, **ENV, "MOTO_ECS_SERVICE_RUNNING": "1",
                                  "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}.items() if v is not None}
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_port(port, proc)
        for name in ("hello", "gone"):
            result = invoke(["deploy", "-f", HELLO, "-p", name, "@aws"], url)
            assert result.exit_code == 0, result.stderr
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def invoke(argv, url, answer=None):
    args = []
    for arg in argv:
        args += ["--endpoint-url", url, "--region", "us-east-1"] if arg == "@aws" else [arg]
    return CliRunner().invoke(app, args, input=f"{answer}\n" if answer else None, env=ENV)


@pytest.mark.parametrize("argv, code, status, answer", [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_exit_code_and_json_result(endpoint, monkeypatch, argv, code, status, answer):
    if argv[0] not in COMMANDS:
        pytest.skip(f"no {argv[0]} command in this build")
    monkeypatch.setattr(cli_aws, "_stdin_is_terminal", lambda: answer is not None)
    result = invoke(argv, endpoint, answer)
    assert result.exit_code == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    if code:
        assert result.stderr.strip(), "a failure says why on stderr"
    if status is None:
        return
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert (last["event"], last["status"], last["exit_code"]) == ("result", status, code)
    if code:
        assert last["error"]["message"] and last["error"]["hint"], last
    else:
        assert "result" in last and "error" not in last


def test_the_table_covers_every_command():
    missing = set(COMMANDS) - {row[1][0] for row in ROWS}
    assert not missing, f"add rows for {sorted(missing)} to ROWS"


def test_declining_deploy_and_down_exit_alike():
    codes = {row[1][0]: row[2] for row in ROWS if row[4] == "n"}
    assert codes == {"deploy": 1, "down": 1}
