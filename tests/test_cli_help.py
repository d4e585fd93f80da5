"""Help text (issue 15.11): every option says what it takes (a metavar, not <str>) and what it
does (a description), and each command's help ends with one example."""
from __future__ import annotations

import re

import pytest
import typer.main
from typer.testing import CliRunner

from compose2ecs.cli import app

COMMANDS = sorted(typer.main.get_command(app).commands)


def _help(*argv) -> str:
    result = CliRunner().invoke(app, [*argv, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_a_metavar_and_a_description(command):
    text = _help(command)
    assert not re.search(r"<(str|float|int|integer|text|path)>|\b(TEXT|FLOAT|INTEGER)\b", text), text
    click_command = typer.main.get_command(app).commands[command]
    for param in click_command.params:
        if param.param_type_name == "option":
            assert param.help, f"{command} {param.opts}: no description"
            assert getattr(param, "is_flag", False) or param.metavar, f"{command} {param.opts}: no metavar"


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_help_ends_with_one_example(command):
    lines = _help(command).rstrip().splitlines()
    assert lines[-2].strip() == "Example:"
    assert lines[-1].strip().startswith(f"compose2ecs {command}")


def test_the_root_help_shows_the_global_compose_options_with_metavars():
    text = _help()
    assert "-f, --file FILE" in text and "-p, --project-name NAME" in text
