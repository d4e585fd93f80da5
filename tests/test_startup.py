"""Start-up (issue 12 item 3): what a command builds before it reads the compose file."""
from __future__ import annotations

import sys

import pytest


@pytest.fixture
def built(monkeypatch):
    """Names of the commands typer turns into click commands during one ``main()``."""
    import typer.main

    from compose2ecs import cli

    names: list = []
    real = typer.main.get_command_from_info

    def spy(command_info, **kwargs):
        names.append(command_info.name or command_info.callback.__name__)
        return real(command_info=command_info, **kwargs)

    monkeypatch.setattr(typer.main, "get_command_from_info", spy)
    # main() narrows the registered commands in place: give it a copy to narrow
    monkeypatch.setattr(cli.app, "registered_commands", list(cli.app.registered_commands))
    return cli, names


def _main(cli, monkeypatch, *argv) -> int:
    monkeypatch.setattr(sys, "argv", ["compose2ecs", *argv])
    with pytest.raises(SystemExit) as done:
        cli.main()
    return done.value.code


def test_only_the_invoked_command_is_built(built, monkeypatch, capsys):
    cli, names = built
    assert _main(cli, monkeypatch, "config", "--help") == 0
    assert names == ["config"]
    assert " config [OPTIONS]" in capsys.readouterr().out


def test_without_a_command_every_command_is_listed(built, monkeypatch, capsys):
    cli, names = built
    assert _main(cli, monkeypatch, "--help") == 0
    assert {"config", "convert"} <= set(names) and len(names) == len(cli.app.registered_commands) > 2
    out = capsys.readouterr().out
    assert "config" in out and "convert" in out


def test_an_unknown_command_is_still_an_error(built, monkeypatch, capsys):
    cli, names = built
    assert _main(cli, monkeypatch, "nosuch") == 2
    assert "No such command 'nosuch'" in capsys.readouterr().err


# -- the collector after an allocation-heavy phase (1000 services) ---------------------------

def test_a_big_phase_leaves_its_objects_to_reference_counting_not_a_full_collection():
    import gc

    from compose2ecs.gcpause import FREEZE_AFTER, gc_paused

    gc.collect()
    gc.unfreeze()
    try:
        with gc_paused():
            small = [[i] for i in range(1000)]
        assert gc.isenabled() and gc.get_freeze_count() == 0
        with gc_paused():
            big = [[i] for i in range(FREEZE_AFTER + 1000)]
        assert gc.isenabled() and gc.get_freeze_count() >= FREEZE_AFTER
        assert gc.get_count()[0] < 1000  # no pass over the phase's containers is pending
    finally:
        gc.unfreeze()
    del small, big


def test_convert_without_an_aws_config_file_imports_no_config_parser(tmp_path):
    import os
    import subprocess
    from pathlib import Path

    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx:1.27\n")
    code = ("import sys, atexit; atexit.register(lambda: print(sorted(m for m in sys.modules "
            "if m in ('configparser', 'jinja2', 'jsonschema', 'boto3')), file=sys.stderr)); "
            "sys.argv = ['compose2ecs', 'convert', '-q', '--format', 'cloudformation', '-o', 'stack.yaml']; "
            "from compose2ecs.cli import main; main()")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent),
               AWS_CONFIG_FILE=str(tmp_path / "no-such-config"))
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "stack.yaml").is_file()


# -- the collector during start-up (entry.py) ---------------------------------------------------

@pytest.fixture
def collector():
    import gc

    was = gc.isenabled()
    yield gc
    (gc.enable if was else gc.disable)()


def test_the_entry_point_starts_without_the_collector_and_freezes_before_exit(collector, monkeypatch):
    from compose2ecs import cli, entry

    seen = []
    monkeypatch.setattr(cli, "main", lambda: seen.append(("run", collector.isenabled())))
    monkeypatch.setattr(collector, "freeze", lambda: seen.append(("freeze", None)))
    collector.enable()
    entry.main()
    assert seen == [("run", False), ("freeze", None)]

    def failing():
        raise SystemExit(2)  # how every command ends (typer): the freeze happens all the same

    seen.clear()
    monkeypatch.setattr(cli, "main", failing)
    with pytest.raises(SystemExit):
        entry.main()
    assert seen == [("freeze", None)]


def test_the_aws_commands_turn_the_collector_back_on(collector):
    from compose2ecs.cli_aws import _guard

    seen = []

    def command():
        seen.append(collector.isenabled())

    collector.disable()
    _guard(command)()
    assert seen == [True]


def test_console_script_and_module_use_the_entry_point():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    assert '\ncompose2ecs = "compose2ecs.entry:main"\n' in (root / "pyproject.toml").read_text()
    assert "from .entry import main" in (root / "compose2ecs" / "__main__.py").read_text()
