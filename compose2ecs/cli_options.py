"""Option declarations shared by the commands of ``cli.py`` and ``cli_aws.py``, and the
helpers that turn their values into library inputs.

One place for each option's flags, metavar and help, so ``config``, ``convert`` and the AWS
commands describe the same option the same way.
"""
from __future__ import annotations

from typing import List, Optional

import typer

from .errors import Location, UserError

# ----------------------------------------------------------------------------- compose inputs
FilesOpt = typer.Option(None, "-f", "--file", help="Compose file (repeatable; - for stdin).")
DockerRunOpt = typer.Option(None, "--docker-run", help="A `docker run …` command line (repeatable).")
DockerRunFileOpt = typer.Option(None, "--docker-run-file",
                                help="File of `docker run` command lines (- for stdin).")
ProjectNameOpt = typer.Option(None, "-p", "--project-name", help="Project name.")
ProjectDirOpt = typer.Option(None, "--project-directory", help="Project directory.")
EnvFileOpt = typer.Option(None, "--env-file", help="Variables file (repeatable).")
ProfileOpt = typer.Option(None, "--profile", help="Activate a profile (repeatable).")

# ----------------------------------------------------------------------------- AWS
AwsProfileOpt = typer.Option(None, "--aws-profile", envvar="AWS_PROFILE",
                             help="AWS named profile (default: the standard credential chain).")
RegionOpt = typer.Option(None, "--region", help="AWS region (default: AWS_REGION / the profile's).")
EndpointOpt = typer.Option(None, "--endpoint-url", envvar="AWS_ENDPOINT_URL",
                           help="Custom AWS endpoint (LocalStack, moto).")
ClusterOpt = typer.Option(None, "--cluster", help="Use this existing cluster instead of creating one.")
OutputOpt = typer.Option("text", "--output",
                         help="text for people; json for scripts (ends with a result object, also on failure).")
EfsOpt = typer.Option(None, "--efs", help="VOLUME=fs-… for a named volume (repeatable).")
ImageOpt = typer.Option(None, "--image", help="SERVICE=URI for a build-only service (repeatable).")
ExecRoleOpt = typer.Option(None, "--execution-role-arn", help="Use this execution role instead of creating one.")
TaskRoleOpt = typer.Option(None, "--task-role-arn", help="Task role for every task definition.")


def parse_pairs(values: Optional[List[str]], flag: str) -> tuple:
    """``["web=repo/web:1"]`` → ``(("web", "repo/web:1"),)``; a value without ``=`` is an error."""
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


OUTPUTS = ("text", "json")


def check_output(output: str) -> None:
    """``--output`` of the AWS commands is text or json; anything else is a user error (exit 2)."""
    if output not in OUTPUTS:
        raise UserError.at(Location(key_path=("--output",)), f"{output!r} is not one of: {', '.join(OUTPUTS)}",
                           "use --output text or --output json")
