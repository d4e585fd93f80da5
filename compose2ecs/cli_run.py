"""How every command ends: one located message and an exit code, never a traceback.

Shared by ``cli.py`` and ``cli_aws.py`` (kept apart so neither imports the other).
"""
from __future__ import annotations

import functools
import json
import os
import sys
from typing import Callable, Optional

import typer

from .errors import AwsError, Cancelled, Severity, UserError

EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 1


def run_command(fn, wants_json: Optional[Callable[[dict], bool]] = None,
                exit_codes: Optional[Callable[[int], int]] = None):
    """Wrap a command: user errors and AWS errors become one located message and an exit code.

    Never a traceback for bad input; an unexpected exception is reported as an internal error
    (set COMPOSE2ECS_DEBUG=1 to see the traceback). ``wants_json(kwargs)`` says the command
    runs with ``--output json``: then every failure also ends with one JSON result object on
    stdout (see :func:`failure_result`), so a CI job always has one to read. ``exit_codes``
    maps a failure's exit code to another (``plan --detailed-exitcode``: every error is 1).
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        kwargs = with_globals(kwargs)
        as_json = bool(wants_json and wants_json(kwargs))
        from .readlog import recording

        try:
            with recording():  # files read by the command: no output may overwrite them
                return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except (Exception, KeyboardInterrupt) as exc:  # every way out gets its message and code
            code = report_failure(exc)
            code = exit_codes(code) if exit_codes else code
            if as_json:
                write_json_result(failure_result(exc, code))
            raise typer.Exit(code)

    return wrapper


# The compose options given before the command, set by the root callback of each run. Not a
# click context: typer vendors its own click, whose context stack is private.
_GLOBALS: dict = {}


def remember_globals(**values) -> None:
    """Keep the compose options given before the command (``compose2ecs -f a.yml -p x deploy``)."""
    _GLOBALS.clear()
    _GLOBALS.update({key: value for key, value in values.items() if value})


def with_globals(kwargs: dict) -> dict:
    """``kwargs`` of a command, with each compose option it left empty taken from the global ones."""
    taken = {key: value for key, value in _GLOBALS.items() if key in kwargs and not kwargs[key]}
    return {**kwargs, **taken}


def apply_globals(fn):
    """For a command not wrapped by :func:`run_command`: fill its compose options from the global ones."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **with_globals(kwargs))
    return wrapper


def report_failure(exc: BaseException) -> int:
    """Print the one-line (or located) message for ``exc`` to stderr; return the exit code."""
    if isinstance(exc, UserError):
        print_diagnostics(exc.diagnostics)
        return exc.exit_code
    if isinstance(exc, AwsError):
        typer.echo(f"error: {exc}", err=True)
        return exc.exit_code
    if isinstance(exc, Cancelled):
        typer.echo(str(exc), err=True)
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        # what was done so far is said by the command (down lists what it removed); outputs are
        # all-or-nothing (output.py). 130 for Ctrl-C, 143 for SIGTERM (compose2ecs/interrupts.py).
        typer.echo("interrupted", err=True)
        return 128 + getattr(exc, "signum", EXIT_INTERRUPTED - 128)
    if os.environ.get("COMPOSE2ECS_DEBUG"):
        raise exc  # a developer asked for the traceback
    typer.echo(f"compose2ecs: internal error: {type(exc).__name__}: {exc} "
               "(please report it; set COMPOSE2ECS_DEBUG=1 for details)", err=True)
    return EXIT_INTERNAL


def failure_result(exc: BaseException, code: int) -> dict:
    """The ``--output json`` result object of a failed run: status, exit code, error, what to do."""
    if isinstance(exc, UserError):
        diagnostics = [{"where": str(d.location) if (d.location.file or d.location.key_path) else "",
                        "message": d.message, "hint": d.hint} for d in exc.diagnostics]
        first = diagnostics[0] if diagnostics else {"where": "", "message": str(exc), "hint": ""}
        status = "strict" if code == 3 else "invalid"
        error = {"where": first["where"], "message": first["message"], "hint": first["hint"],
                 "diagnostics": diagnostics}
    elif isinstance(exc, AwsError):
        status = "aws-error"
        error = {"where": exc.resource, "code": exc.code, "message": exc.message, "hint": exc.hint,
                 **({"details": exc.details} if exc.details else {})}
    elif isinstance(exc, Cancelled):
        status = "cancelled"
        error = {"where": exc.resource, "message": exc.message, "hint": "run again and answer yes, or pass --yes"}
    elif isinstance(exc, KeyboardInterrupt):
        status = "interrupted"
        error = {"where": "", "message": "interrupted; nothing was deleted",
                 "hint": "run the command again; it continues where it stopped"}
    else:
        status = "internal-error"
        error = {"where": "", "message": f"{type(exc).__name__}: {exc}",
                 "hint": "please report it; set COMPOSE2ECS_DEBUG=1 for details"}
    return {"event": "result", "status": status, "exit_code": code, "error": error}


def write_json_result(record: dict) -> None:
    sys.stdout.write(json.dumps(record, sort_keys=True) + "\n")
    sys.stdout.flush()


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
