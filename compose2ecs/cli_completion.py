"""Shell completion: ``compose2ecs --install-completion`` / ``--show-completion`` (bash, zsh, fish).

Typer writes the shell scripts; they call ``compose2ecs`` back with ``_COMPOSE2ECS_COMPLETE`` set.
Only then does :func:`complete` run (``cli.main``), so ordinary start-up pays nothing: it builds
the command tree, attaches the completers of the tables below and lets click answer. Service names
come from loading the project the command line names so far (``-f``, ``-p``, ``--profile`` …);
anything that goes wrong while completing yields no candidates, never a traceback in the shell.
"""
from __future__ import annotations

import os
from typing import Callable, Optional

COMPLETE_VAR = "_COMPOSE2ECS_COMPLETE"

# option → its values; (command, option) wins over option alone
CHOICES = {
    ("config", "--format"): ("yaml", "json"),
    ("convert", "--format"): ("taskdef", "cloudformation", "compose"),
    "--launch-type": ("FARGATE", "FARGATE_SPOT", "EC2"),
    "--load-balancer": ("alb", "nlb"),
    "--via": ("api", "cloudformation"),
    "--prices": ("offline", "live"),
    ("cost", "--output"): ("text", "json"),
    ("plan", "--output"): ("text", "json"),
    ("status", "--output"): ("text", "json"),
    ("ps", "--output"): ("text", "json"),
    ("deploy", "--output"): ("text", "json"),
    ("down", "--output"): ("text", "json"),
}
SERVICE_ARGUMENTS = ("services", "service")
# where the input options are found on the command line (the subcommand's own, then the global ones)
INPUT_PARAMS = ("files", "docker_run", "docker_run_file", "project_name", "project_directory", "env_file", "profile")


def completing(environ=None) -> bool:
    """Whether the shell is asking for completions."""
    return COMPLETE_VAR in (os.environ if environ is None else environ)


def choices_for(command: str, opts) -> Optional[tuple]:
    for opt in opts:
        found = CHOICES.get((command, opt)) or CHOICES.get(opt)
        if found:
            return found
    return None


def _choice_completer(values: tuple) -> Callable:
    def complete(ctx, param, incomplete: str) -> list:
        return [v for v in values if v.startswith(incomplete)]
    return complete


def _input_values(ctx) -> dict:
    values: dict = {}
    chain = []
    while ctx is not None:
        chain.append(ctx)
        ctx = ctx.parent
    for context in reversed(chain):  # global options first, the command's own win
        for name in INPUT_PARAMS:
            if context.params.get(name):
                values[name] = context.params[name]
    return values


def service_names(ctx, environ=None) -> list:
    """The services of the project the command line names so far (sorted; [] when it cannot load)."""
    from .cli_options import input_options
    from .pipeline import load_inputs

    given = _input_values(ctx)
    options = input_options(*(given.get(name) for name in INPUT_PARAMS))
    loaded = load_inputs(options, dict(os.environ) if environ is None else environ)
    return sorted(s.name for s in loaded.project.services)


def _complete_services(ctx, param, incomplete: str) -> list:
    try:
        names = service_names(ctx)
    except Exception:  # a half-typed command line: offer nothing rather than a traceback
        return []
    chosen = set(ctx.params.get(param.name) or ())
    return [n for n in names if n.startswith(incomplete) and n not in chosen]


def attach(command, name: str = "") -> None:
    """Give every SERVICE argument and every option with fixed values its completer (recursively)."""
    for param in command.params:
        if param.name in SERVICE_ARGUMENTS and not getattr(param, "opts", ["-"])[0].startswith("-"):
            param._custom_shell_complete = _complete_services
            continue
        values = choices_for(name, getattr(param, "opts", ()))
        if values:
            param._custom_shell_complete = _choice_completer(values)
    for sub_name, sub in getattr(command, "commands", {}).items():
        attach(sub, sub_name)


def complete(app) -> None:
    """Answer the shell's completion request for ``app`` (exits like click does)."""
    import typer.main

    command = typer.main.get_command(app)
    attach(command)
    command(prog_name="compose2ecs")
