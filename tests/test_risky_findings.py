"""Quietly risky values (issue 15.10): an unset variable is a warning that --strict counts;
a plaintext *_PASSWORD/*_SECRET/*_TOKEN value gets a located warning saying how to move it to
Secrets Manager (never the value); task-definition files relying on ecsTaskExecutionRole say
that it may not exist and how to create it."""
from __future__ import annotations

from typer.testing import CliRunner

from compose2ecs.cli import app

COMPOSE = """\
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: hunter2-very-secret
      API_TOKEN: ${API_TOKEN_VALUE:-}
      DB_SECRET: arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf
      MODE: production
"""


def convert(tmp_path, text, *args):
    path = tmp_path / "compose.yaml"
    path.write_text(text)
    return CliRunner().invoke(app, ["convert", "-f", str(path), "--region", "us-east-1", *args],
                              env={"API_TOKEN_VALUE": None, "UNSET_VAR": None})


def test_an_unset_variable_is_a_warning_and_strict_fails(tmp_path):
    text = "services:\n  web:\n    image: nginx\n    environment:\n      MODE: ${UNSET_VAR}\n"
    plain = convert(tmp_path, text)
    assert plain.exit_code == 0
    assert "compose.yaml:5:13: services.web.environment.MODE: warning: variable UNSET_VAR is not set" in plain.stderr
    strict = convert(tmp_path, text, "--strict")
    assert strict.exit_code == 3, strict.stderr


def test_a_plaintext_password_is_a_located_warning_without_its_value(tmp_path):
    result = convert(tmp_path, COMPOSE)
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert len(warnings) == 1, warnings  # not the ARN, not the empty token, not MODE
    (line,) = warnings
    assert line.startswith("compose.yaml:5:26: services.db.environment.POSTGRES_PASSWORD: warning: "
                           .replace("compose.yaml", str(tmp_path / "compose.yaml")))
    assert "aws secretsmanager create-secret" in line and "x-ecs: {secrets: {postgres_password:" in line
    assert "hunter2" not in result.stderr
    assert convert(tmp_path, COMPOSE, "--strict").exit_code == 3


def test_taskdef_files_relying_on_ecs_task_execution_role_say_how_to_create_it(tmp_path):
    result = convert(tmp_path, COMPOSE)
    assert "use the execution role ecsTaskExecutionRole" in result.stderr
    assert "aws iam create-role --role-name ecsTaskExecutionRole" in result.stderr
    assert "AmazonECSTaskExecutionRolePolicy" in result.stderr
    given = convert(tmp_path, COMPOSE, "--execution-role-arn", "arn:aws:iam::123456789012:role/mine")
    assert "ecsTaskExecutionRole" not in given.stderr
    stack = convert(tmp_path, COMPOSE, "--format", "cloudformation")  # the stack creates its own role
    assert "use the execution role ecsTaskExecutionRole" not in stack.stderr
