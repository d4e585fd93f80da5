"""The ``compose2ecs`` command line: parse options, call the library, render results.

Thin on purpose: every decision lives in the library. Artefacts go to stdout or ``-o``;
diagnostics go to stderr. boto3 is never imported here (the AWS commands import it lazily).
"""
from __future__ import annotations

import functools
import os
import sys
from typing import List, Optional

import typer

from .errors import EXIT_STRICT, AwsError, Severity, UserError

app = typer.Typer(
    name="compose2ecs",
    help="Compile docker-compose projects and `docker run` lines into Amazon ECS: "
         "task definitions, CloudFormation, or a live Fargate deployment.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


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


def write_output(path: Optional[str], text: str) -> None:
    from .output import write_text

    write_text(path, text)


# ----------------------------------------------------------------------------- shared options
FilesOpt = typer.Option(None, "-f", "--file", help="Compose file (repeatable; - for stdin).")
DockerRunOpt = typer.Option(None, "--docker-run", help="A `docker run …` command line (repeatable).")
DockerRunFileOpt = typer.Option(None, "--docker-run-file",
                                help="File of `docker run` command lines (- for stdin).")
ProjectNameOpt = typer.Option(None, "-p", "--project-name", help="Project name.")
ProjectDirOpt = typer.Option(None, "--project-directory", help="Project directory.")
EnvFileOpt = typer.Option(None, "--env-file", help="Variables file (repeatable).")
ProfileOpt = typer.Option(None, "--profile", help="Activate a profile (repeatable).")


def parse_pairs(values: Optional[List[str]], flag: str) -> tuple:
    """``["web=repo/web:1"]`` → ``(("web", "repo/web:1"),)``; a value without ``=`` is an error."""
    from .errors import Location

    pairs = []
    for value in values or ():
        key, sep, rest = value.partition("=")
        if not sep or not key or not rest:
            raise UserError.at(Location(key_path=(flag,)), f"{value!r} is not NAME=VALUE",
                               f"write {flag} NAME=VALUE")
        pairs.append((key, rest))
    return tuple(pairs)


def input_options(files, docker_run, docker_run_file, project_name, project_directory,
                  env_file, profile, services=(), **ecs):
    """Collect CLI values into :class:`pipeline.InputOptions`."""
    from .pipeline import InputOptions

    return InputOptions(files=tuple(files or ()), docker_run=tuple(docker_run or ()),
                        docker_run_files=tuple(docker_run_file or ()), project_name=project_name,
                        project_directory=project_directory, env_files=tuple(env_file or ()),
                        profiles=tuple(profile or ()), services=tuple(services or ()), **ecs)


# ----------------------------------------------------------------------------- config
@app.command()
@run_command
def config(
    files: Optional[List[str]] = FilesOpt,
    docker_run: Optional[List[str]] = DockerRunOpt,
    docker_run_file: Optional[List[str]] = DockerRunFileOpt,
    project_name: Optional[str] = ProjectNameOpt,
    project_directory: Optional[str] = ProjectDirOpt,
    env_file: Optional[List[str]] = EnvFileOpt,
    profile: Optional[List[str]] = ProfileOpt,
    fmt: str = typer.Option("yaml", "--format", help="yaml or json."),
    output: Optional[str] = typer.Option(None, "-o", "--output", help="Write to a file."),
    services: Optional[List[str]] = typer.Argument(None, help="Only these services (and what they need)."),
):
    """Print the fully resolved, normalised compose project (like `docker compose config`)."""
    from .compose.render import render_config
    from .pipeline import load_inputs

    from .output import check_writable

    _check_choice(fmt, ("yaml", "json"), "--format")
    check_writable(output)
    options = input_options(files, docker_run, docker_run_file, project_name, project_directory,
                            env_file, profile, services)
    loaded = load_inputs(options, stdin=sys.stdin)
    print_findings(loaded.findings)
    write_output(output, render_config(loaded.document, loaded.project.name, fmt))


def _check_choice(value: str, choices, flag: str) -> None:
    from .errors import Location

    if value not in choices:
        raise UserError.at(Location(key_path=(flag,)), f"{value!r} is not one of: {', '.join(choices)}",
                           f"use {flag} {choices[0]}")


# ----------------------------------------------------------------------------- convert
FORMATS = ("taskdef", "cloudformation", "compose")


@app.command()
@run_command
def convert(
    files: Optional[List[str]] = FilesOpt,
    docker_run: Optional[List[str]] = DockerRunOpt,
    docker_run_file: Optional[List[str]] = DockerRunFileOpt,
    project_name: Optional[str] = ProjectNameOpt,
    project_directory: Optional[str] = ProjectDirOpt,
    env_file: Optional[List[str]] = EnvFileOpt,
    profile: Optional[List[str]] = ProfileOpt,
    fmt: str = typer.Option("taskdef", "--format", help="taskdef, cloudformation or compose."),
    output: Optional[str] = typer.Option(
        None, "-o", "--output",
        help="File or directory. taskdef: a directory gets one <family>.json per task definition; "
             "cloudformation: a file gets the template (nested stacks, if needed, in nested/ beside it); "
             "a directory (trailing / or existing) gets the whole bundle."),
    as_json: bool = typer.Option(False, "--json", help="CloudFormation as JSON instead of YAML."),
    strict: bool = typer.Option(False, "--strict", help="Exit 3 when anything is dropped or changed."),
    report: Optional[str] = typer.Option(None, "--report", help="Write a Markdown conversion report."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Only the findings summary on stderr."),
    region: Optional[str] = typer.Option(None, "--region", help="AWS region for awslogs and ARNs."),
    launch_type: Optional[str] = typer.Option(None, "--launch-type", help="FARGATE, FARGATE_SPOT or EC2."),
    execution_role_arn: Optional[str] = typer.Option(None, "--execution-role-arn"),
    task_role_arn: Optional[str] = typer.Option(None, "--task-role-arn"),
    image: Optional[List[str]] = typer.Option(None, "--image", help="SERVICE=URI for a build-only service."),
    efs: Optional[List[str]] = typer.Option(None, "--efs", help="VOLUME=fs-… for a named volume."),
    cluster: Optional[str] = typer.Option(None, "--cluster", help="Existing cluster to use."),
    load_balancer: Optional[str] = typer.Option(None, "--load-balancer", help="alb or nlb."),
    services: Optional[List[str]] = typer.Argument(None, help="Only these services (and what they need)."),
):
    """Convert to ECS task definitions, a CloudFormation template, or a compose file."""
    _check_choice(fmt, FORMATS, "--format")
    options = input_options(
        files, docker_run, docker_run_file, project_name, project_directory, env_file, profile,
        services, region=region, launch_type=launch_type, execution_role_arn=execution_role_arn,
        task_role_arn=task_role_arn, images=parse_pairs(image, "--image"),
        efs=parse_pairs(efs, "--efs"), cluster=cluster, load_balancer=load_balancer)
    if fmt == "compose":
        return _convert_to_compose(options, output, quiet)
    from . import convert as conversion

    result = conversion.run(options, fmt=fmt, output=output, as_json=as_json, report=report,
                            stdin=sys.stdin)
    print_findings(result.findings, quiet)
    for line in result.notes:
        typer.echo(line, err=True)
    if strict:
        _enforce_strict(result.findings)


def _convert_to_compose(options, output, quiet):
    from .compose.render import render_config
    from .output import check_writable
    from .pipeline import load_inputs

    check_writable(output)
    loaded = load_inputs(options, stdin=sys.stdin)
    print_findings(loaded.findings, quiet)
    # docker run lines have no project name of their own: none is invented (the file then
    # takes its name from the directory it is used in, like any compose file without `name:`)
    only_docker_run = not options.files and not options.project_name
    name = None if only_docker_run else loaded.project.name
    write_output(output, render_config(loaded.document, name, "yaml"))


def _enforce_strict(findings) -> None:
    serious = [f for f in findings if f.severity in (Severity.UNSUPPORTED, Severity.LOSSY)]
    if serious:
        typer.echo(f"--strict: {len(serious)} unsupported or lossy finding(s)", err=True)
        raise typer.Exit(EXIT_STRICT)


def _version_callback(value: bool):
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"compose2ecs {version('compose2ecs')}")
        except PackageNotFoundError:  # running from a checkout without install
            typer.echo("compose2ecs (not installed)")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version_callback,
                                       is_eager=True, help="Show the version and exit.")):
    """compose2ecs: from docker-compose to Amazon ECS."""


def _register_aws_commands() -> None:
    # cli_aws imports boto3 only inside its commands, so registering it keeps start-up light.
    import importlib.util

    if importlib.util.find_spec("compose2ecs.cli_aws") is None:  # not built in this checkout
        return
    from . import cli_aws

    cli_aws.register(app)


_register_aws_commands()


def main() -> None:
    """Console-script entry point."""
    _register_only(sys.argv[1:2])
    app()


def _register_only(first: list) -> None:
    """Typer turns every command's options into click objects before it parses anything;
    when the first argument names a command, only that command is kept (start-up, issue 12:
    the others' ~130 options cost more than reading a small compose file)."""
    by_name = {(c.name or c.callback.__name__).lower().replace("_", "-"): c for c in app.registered_commands}
    if first and first[0] in by_name:
        app.registered_commands[:] = [by_name[first[0]]]


if __name__ == "__main__":  # pragma: no cover
    main()
