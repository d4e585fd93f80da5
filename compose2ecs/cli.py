"""The ``compose2ecs`` command line: parse options, call the library, render results.

Thin on purpose: every decision lives in the library. Artefacts go to stdout or ``-o``;
diagnostics go to stderr. boto3 is never imported here (the AWS commands import it lazily).
"""
from __future__ import annotations

import sys
from typing import List, Optional

import typer

from .cli_help import HelpfulGroup
from .cli_options import (DockerRunFileOpt, DockerRunOpt, EnvFileOpt, FilesOpt,  # noqa: F401
                          ProfileOpt, ProjectDirOpt, ProjectNameOpt, input_options, parse_pairs)
from .cli_run import print_diagnostics, print_findings, run_command  # noqa: F401
from .errors import EXIT_STRICT, Severity, UserError

app = typer.Typer(
    name="compose2ecs",
    help="Compile docker-compose projects and `docker run` lines into Amazon ECS: "
         "task definitions, CloudFormation, or a live Fargate deployment.",
    add_completion=True,  # --install-completion, --show-completion (bash, zsh, fish, powershell); cli_completion.py
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=HelpfulGroup,  # metavars, descriptions and examples from cli_help's tables
)


def write_output(path: Optional[str], text: str) -> None:
    from .output import write_text

    write_text(path, text)


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
    list_services: bool = typer.Option(False, "--services", help="Print only the service names, one a line."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Only validate: print no project (exit code says)."),
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
    if quiet:
        return
    if list_services:
        return write_output(output, "".join(f"{svc.name}\n" for svc in loaded.project.services))
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
        help="File or directory. taskdef: FILE.json gets the one task definition (the object "
             "--cli-input-json takes), any other name a directory of <family>.json files; "
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


# ----------------------------------------------------------------------------- cost
@app.command()
@run_command
def cost(
    files: Optional[List[str]] = FilesOpt,
    docker_run: Optional[List[str]] = DockerRunOpt,
    docker_run_file: Optional[List[str]] = DockerRunFileOpt,
    project_name: Optional[str] = ProjectNameOpt,
    project_directory: Optional[str] = ProjectDirOpt,
    env_file: Optional[List[str]] = EnvFileOpt,
    profile: Optional[List[str]] = ProfileOpt,
    region: Optional[str] = typer.Option(None, "--region", help="Region to price (default: AWS_REGION / the AWS config's, else us-east-1)."),
    launch_type: Optional[str] = typer.Option(None, "--launch-type", help="FARGATE, FARGATE_SPOT or EC2."),
    load_balancer: Optional[str] = typer.Option(None, "--load-balancer", help="alb or nlb."),
    efs: Optional[List[str]] = typer.Option(None, "--efs", help="VOLUME=fs-… for a named volume."),
    assume: Optional[List[str]] = typer.Option(
        None, "--assume", help="KEY=VALUE usage assumption (repeatable): logs-gb-per-month, efs-gb, lcu, load-balancer-azs."),
    prices: str = typer.Option("offline", "--prices", help="offline (the dated table in the package) or live (AWS Price List API)."),
    output: str = typer.Option("text", "--output", help="text or json."),
    services: Optional[List[str]] = typer.Argument(None, help="Only these services (and what they need)."),
):
    """Estimate the monthly cost of the converted project (Fargate, public IPv4, load balancer, EFS, logs)."""
    from .cost.command import run as run_cost

    options = input_options(files, docker_run, docker_run_file, project_name, project_directory, env_file, profile,
                            services, region=region, launch_type=launch_type, load_balancer=load_balancer,
                            efs=parse_pairs(efs, "--efs"))
    text, findings = run_cost(options, assume=tuple(assume or ()), prices=prices, output=output, stdin=sys.stdin)
    print_findings(findings, quiet=True)
    write_output(None, text)


def _enforce_strict(findings) -> None:
    serious = [f for f in findings if f.severity in Severity.STRICT]
    if serious:
        typer.echo(f"--strict: {len(serious)} unsupported, lossy or warning finding(s)", err=True)
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
                                       is_eager=True, help="Show the version and exit."),
          files: Optional[List[str]] = FilesOpt, project_name: Optional[str] = ProjectNameOpt,
          project_directory: Optional[str] = ProjectDirOpt, env_file: Optional[List[str]] = EnvFileOpt,
          profile: Optional[List[str]] = ProfileOpt):
    """compose2ecs: from docker-compose to Amazon ECS.

    The compose options may also come before the command, as with `docker compose`:
    `compose2ecs -f compose.yaml -p shop deploy` (the command's own options win).
    """
    from .cli_run import remember_globals

    remember_globals(files=files, project_name=project_name, project_directory=project_directory,
                     env_file=env_file, profile=profile)


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
    from .cli_completion import complete, completing

    if completing():  # the shell asks for completions (only then are the completers attached)
        complete(app)
        return
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
