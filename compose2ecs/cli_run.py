"""How every command ends: one located message and an exit code, never a traceback.

Shared by ``cli.py`` and ``cli_aws.py`` (kept apart so neither imports the other).
"""
from __future__ import annotations

import functools
import os

import typer

from .errors import AwsError, Severity, UserError


def run_command(fn):
    """Wrap a command: user errors and AWS errors become one located message and an exit code.

    Never a traceback for bad input; an unexpected exception is reported as an internal error
    (set COMPOSE2ECS_DEBUG=1 to see the traceback).
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            print_diagnostics(exc.diagnostics)
            raise typer.Exit(exc.exit_code)
        except AwsError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code)
        except KeyboardInterrupt:
            typer.echo("interrupted; nothing was deleted", err=True)
            raise typer.Exit(130)
        except typer.Exit:
            raise
        except Exception as exc:  # a bug of ours, not the user's input
            if os.environ.get("COMPOSE2ECS_DEBUG"):
                raise
            typer.echo(f"compose2ecs: internal error: {type(exc).__name__}: {exc} "
                       "(please report it; set COMPOSE2ECS_DEBUG=1 for details)", err=True)
            raise typer.Exit(1)

    return wrapper


def print_diagnostics(diagnostics) -> None:
    for diag in diagnostics:
        typer.echo(str(diag), err=True)
    count = len(diagnostics)
    if count > 1:
        typer.echo(f"{count} errors", err=True)


def print_findings(findings, quiet: bool = False) -> None:
    """Findings to stderr, one per line, then a one-line summary by severity."""
    if not findings:
        return
    if not quiet:
        for finding in findings:
            typer.echo(str(finding), err=True)
    counts = {}
    for finding in findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    summary = ", ".join(f"{counts[s]} {s}" for s in Severity.ORDER if s in counts)
    typer.echo(f"{len(findings)} finding{'s' if len(findings) != 1 else ''}: {summary}", err=True)
