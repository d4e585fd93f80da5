"""`pip install .` gives a working `deploy`: boto3 is a normal dependency (still imported
lazily), and a missing boto3 is one user error naming the fix, not an internal error."""
from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from compose2ecs.cli import app

REPO = Path(__file__).resolve().parent.parent


def test_boto3_is_a_normal_dependency():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [dep.split(">")[0].split("=")[0].split("<")[0].strip() for dep in project["dependencies"]]
    assert "boto3" in names


def test_a_missing_boto3_is_a_user_error_naming_the_install_command(monkeypatch):
    for name in list(sys.modules):
        if name.split(".")[0] in ("boto3", "botocore"):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "boto3", None)  # "import boto3" now fails like on a bare install
    monkeypatch.setitem(sys.modules, "botocore", None)
    result = CliRunner().invoke(app, ["status", "-p", "demo", "--region", "us-east-1"])
    assert result.exit_code == 2, result.output
    assert "pip install boto3" in result.stderr
    assert "internal error" not in result.stderr
