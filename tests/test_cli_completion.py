"""Shell completion: the scripts typer writes for bash, zsh and fish, and what the shell gets back
when it calls ``compose2ecs`` with ``_COMPOSE2ECS_COMPLETE`` set (service names, fixed values)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compose2ecs import cli
from compose2ecs.cli_completion import CHOICES, attach

REPO = Path(__file__).resolve().parent.parent
WEBAPP = REPO / "examples" / "webapp"


def _complete(monkeypatch, capsys, cwd: Path, shell: str, words: str, **extra) -> list:
    """What ``compose2ecs`` answers the shell for the command line ``words`` (the last word is being typed)."""
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", ["compose2ecs"])
    monkeypatch.setenv("_COMPOSE2ECS_COMPLETE", f"complete_{shell}")
    if shell == "bash":
        monkeypatch.setenv("COMP_WORDS", words)
        monkeypatch.setenv("COMP_CWORD", str(len(words.split(" ")) - 1))
    else:
        monkeypatch.setenv("_TYPER_COMPLETE_ARGS", words)
        if shell == "fish":
            monkeypatch.setenv("_TYPER_COMPLETE_FISH_ACTION", "get-args")
    with pytest.raises(SystemExit) as done:
        cli.main()
    assert done.value.code in (0, None)
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return [line for line in out.out.splitlines() if line]


def test_bash_completes_the_projects_service_names(monkeypatch, capsys):
    assert _complete(monkeypatch, capsys, WEBAPP, "bash", "compose2ecs convert ") == ["cache", "db", "web", "worker"]


def test_a_service_already_named_is_not_offered_again(monkeypatch, capsys):
    assert _complete(monkeypatch, capsys, WEBAPP, "bash", "compose2ecs convert web w") == ["worker"]


def test_the_global_file_option_names_the_project(monkeypatch, capsys, tmp_path):
    words = f"compose2ecs -f {WEBAPP / 'compose.yaml'} config "
    assert _complete(monkeypatch, capsys, tmp_path, "bash", words) == ["cache", "db", "web", "worker"]


def test_zsh_and_fish_get_the_same_names(monkeypatch, capsys):
    assert '"web"' in "\n".join(_complete(monkeypatch, capsys, WEBAPP, "zsh", "compose2ecs logs w"))
    assert _complete(monkeypatch, capsys, WEBAPP, "fish", "compose2ecs status ") == ["cache", "db", "web", "worker"]


@pytest.mark.parametrize("words, expected", [
    ("compose2ecs convert --format c", ["cloudformation", "compose"]),
    ("compose2ecs config --format ", ["yaml", "json"]),
    ("compose2ecs convert --launch-type FARGATE", ["FARGATE", "FARGATE_SPOT"]),
    ("compose2ecs deploy --via ", ["api", "cloudformation"]),
])
def test_options_with_fixed_values_complete_them(monkeypatch, capsys, words, expected):
    assert _complete(monkeypatch, capsys, WEBAPP, "bash", words) == expected


def test_a_broken_project_completes_nothing_quietly(monkeypatch, capsys, tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web: [\n", encoding="utf-8")
    assert _complete(monkeypatch, capsys, tmp_path, "bash", "compose2ecs convert ") == []


def test_every_fixed_value_option_exists():
    """A row of CHOICES for an option no command has would silently complete nothing."""
    import typer.main

    command = typer.main.get_command(cli.app)
    attach(command)
    opts = {(name, opt) for name, sub in command.commands.items() for p in sub.params for opt in getattr(p, "opts", ())}
    for key in CHOICES:
        if isinstance(key, tuple):
            assert key in opts, key
        else:
            assert any(opt == key for _, opt in opts), key


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o default -F _compose2ecs_completion compose2ecs"),
                                           ("zsh", "compdef _compose2ecs_completion compose2ecs"),
                                           ("fish", "complete --command compose2ecs")])
def test_show_completion_prints_the_script_for_each_shell(monkeypatch, shell, marker):
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")  # name the shell instead
    result = CliRunner().invoke(cli.app, ["--show-completion", shell], prog_name="compose2ecs")
    assert result.exit_code == 0, result.output
    assert marker in result.output
    assert "_COMPOSE2ECS_COMPLETE=complete_" + shell in result.output


def test_help_lists_the_completion_options():
    result = CliRunner().invoke(cli.app, ["--help"], prog_name="compose2ecs")
    assert "--install-completion" in result.output and "--show-completion" in result.output


def test_start_up_does_not_load_the_completers():
    import subprocess

    code = "import sys, compose2ecs.cli; print('compose2ecs.cli_completion' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}).stdout.strip()
    assert out == "False"


@pytest.mark.parametrize("shell, script", [("bash", ".bash_completions/compose2ecs.sh"),
                                           ("zsh", ".zfunc/_compose2ecs"),
                                           ("fish", ".config/fish/completions/compose2ecs.fish")])
def test_install_completion_writes_the_script_into_the_users_home(monkeypatch, tmp_path, shell, script):
    monkeypatch.setenv("HOME", str(tmp_path))  # never the real home directory
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    result = CliRunner().invoke(cli.app, ["--install-completion", shell], prog_name="compose2ecs")
    assert result.exit_code == 0, result.output
    assert f"_COMPOSE2ECS_COMPLETE=complete_{shell}" in (tmp_path / script).read_text(encoding="utf-8")
