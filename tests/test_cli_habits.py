"""Docker Compose habits (issue 15.9): `logs -f web`, the global `-f/-p` before the command,
`config --services` and `config -q`."""
from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from compose2ecs import cli_aws
from compose2ecs.aws import commands
from compose2ecs.cli import app

REPO = Path(__file__).resolve().parent.parent
HELLO = str(REPO / "examples" / "hello" / "compose.yaml")
WEBAPP = str(REPO / "examples" / "webapp" / "compose.yaml")


def run(*args):
    return CliRunner().invoke(app, list(args), env={"AWS_REGION": "us-east-1"})


@pytest.fixture
def captured(monkeypatch):
    """The AWS commands' library calls, recorded instead of made (no AWS, no moto)."""
    calls = {}
    monkeypatch.setattr(cli_aws, "make_clients", lambda *a, **k: None)
    monkeypatch.setattr(commands, "run_status", lambda name, *a, **k: calls.setdefault("status", name))
    monkeypatch.setattr(commands, "run_logs", lambda name, *a, **k: calls.setdefault("logs", (name, a[4])))
    monkeypatch.setattr(commands, "run_plan", lambda ecs, *a, **k: calls.setdefault("plan", ecs.name))
    monkeypatch.setattr(commands, "run_deploy", lambda ecs, *a, **k: calls.setdefault("deploy", ecs.name))
    return calls


def test_logs_dash_f_with_a_service_name_says_did_you_mean_follow(captured):
    result = run("logs", "-p", "shop", "-f", "web")
    assert result.exit_code == 2
    assert "did you mean --follow? compose2ecs logs --follow web" in result.stderr
    assert captured == {}


def test_logs_dash_f_with_a_real_file_still_reads_it(captured):
    result = run("logs", "-f", HELLO, "--follow")
    assert result.exit_code == 0, result.stderr
    assert captured["logs"] == ("hello", True)


def test_the_global_form_before_the_command_like_docker_compose(captured):
    assert "name: named" in run("-f", HELLO, "-p", "named", "config").stdout
    for argv, key in ((["-p", "shop", "status"], "status"), (["-f", HELLO, "-p", "shop", "plan"], "plan"),
                      (["-f", HELLO, "-p", "shop", "deploy"], "deploy"), (["-p", "shop", "logs"], "logs")):
        result = run(*argv)
        assert result.exit_code == 0, (argv, result.stderr)
        assert captured[key] in ("shop", ("shop", False)), argv


def test_the_command_option_wins_over_the_global_one(captured):
    result = run("-p", "outer", "status", "-p", "inner")
    assert result.exit_code == 0 and captured["status"] == "inner"


def test_config_services_lists_the_names_one_a_line():
    result = run("config", "-f", WEBAPP, "--services")
    assert result.exit_code == 0
    assert result.stdout == "cache\ndb\nweb\nworker\n"


def test_config_quiet_only_validates(tmp_path):
    good = run("config", "-f", HELLO, "-q")
    assert good.exit_code == 0 and good.stdout == ""
    bad = tmp_path / "compose.yaml"
    bad.write_text("services:\n  web:\n    image: [\n")
    result = run("config", "-f", str(bad), "-q")
    assert result.exit_code == 2 and result.stdout == "" and "compose.yaml" in result.stderr
