"""The AWS commands: deploy, plan, status (alias ps), logs, down.

Thin: collect options, load the project, call compose2ecs.aws, render. boto3 is imported
only when one of these commands runs (compose2ecs.aws.session imports it lazily), so
registering them keeps ``import compose2ecs.cli`` light.

``--profile`` is the compose profile option shared by every command; the AWS profile is
``--aws-profile`` (or ``AWS_PROFILE``).
"""
from __future__ import annotations

import dataclasses
import functools
import os
import sys
from typing import List, Optional

import typer

from .errors import AwsError, Location, UserError

AwsProfileOpt = typer.Option(None, "--aws-profile", envvar="AWS_PROFILE",
                             help="AWS named profile (default: the standard credential chain).")
RegionOpt = typer.Option(None, "--region", help="AWS region (default: AWS_REGION / the profile's).")
EndpointOpt = typer.Option(None, "--endpoint-url", envvar="AWS_ENDPOINT_URL",
                           help="Custom AWS endpoint (LocalStack, moto).")
ClusterOpt = typer.Option(None, "--cluster", help="Use this existing cluster instead of creating one.")
OutputOpt = typer.Option("text", "--output", help="text or json.")
EfsOpt = typer.Option(None, "--efs", help="VOLUME=fs-… for a named volume (repeatable).")
ImageOpt = typer.Option(None, "--image", help="SERVICE=URI for a build-only service (repeatable).")
ExecRoleOpt = typer.Option(None, "--execution-role-arn", help="Use this execution role instead of creating one.")
TaskRoleOpt = typer.Option(None, "--task-role-arn", help="Task role for every task definition.")


def _base():
    from . import cli  # late: cli imports this module while it is being built

    return cli


def _guard(fn):
    """Run a command; botocore failures that escaped become one AwsError line (exit 4)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, UserError, AwsError, KeyboardInterrupt):
            raise
        except Exception as error:
            if type(error).__module__.startswith(("botocore", "boto3")):
                from .aws.errors import translate

                raise translate(error, fn.__name__) from None
            raise
    return _base().run_command(wrapper)


def load_project(options, overrides: dict):
    """Compose/docker-run inputs → EcsProject (findings printed to stderr). Tests replace it."""
    from .pipeline import convert_inputs

    conversion = convert_inputs(options, stdin=sys.stdin)
    _base().print_findings(conversion.findings, quiet=True)
    changes = {k: v for k, v in overrides.items() if v}
    return dataclasses.replace(conversion.ecs, **changes) if changes else conversion.ecs


def make_clients(region, aws_profile, endpoint_url, recorder=None):
    """The lazy boto3 clients for a command run (tests replace it to share a moto session)."""
    from .aws.session import AwsOptions, make_clients as build

    return build(AwsOptions(region=region, profile=aws_profile, endpoint_url=endpoint_url),
                 dict(os.environ), recorder)


def _progress(output: str):
    from .aws.progress import choose

    if output not in ("text", "json"):
        raise UserError.at(Location(key_path=("--output",)), f"{output!r} is not text or json", "use --output json")
    return choose(output, sys.stderr, os.environ)


def _confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        raise UserError.at(Location(key_path=("--yes",)), "refusing to go on without confirmation",
                           "pass --yes to confirm when not on a terminal")
    return typer.confirm(question, default=False, err=True)


def _inputs(files, docker_run, docker_run_file, project_name, project_directory, env_file, profile,
            region=None, cluster=None, efs=None, image=None, execution_role_arn=None, task_role_arn=None):
    cli = _base()
    return cli.input_options(files, docker_run, docker_run_file, project_name, project_directory,
                             env_file, profile, region=region, cluster=cluster,
                             efs=cli.parse_pairs(efs, "--efs"), images=cli.parse_pairs(image, "--image"),
                             execution_role_arn=execution_role_arn, task_role_arn=task_role_arn)


def _name_only(files, docker_run, docker_run_file, project_name) -> bool:
    """`status`/`logs`/`down` with only -p NAME: no compose file is read."""
    return bool(project_name) and not (files or docker_run or docker_run_file)


def register(app) -> None:
    """Add deploy, plan, status, ps, logs and down to the root typer app."""
    cli = _base()
    shared = (cli.FilesOpt, cli.DockerRunOpt, cli.DockerRunFileOpt, cli.ProjectNameOpt,
              cli.ProjectDirOpt, cli.EnvFileOpt, cli.ProfileOpt)
    for registrar in (_register_deploy, _register_plan, _register_status, _register_logs, _register_down):
        registrar(app, *shared)


def _register_deploy(app, F, D, DF, P, PD, E, PR) -> None:
    @app.command()
    @_guard
    def deploy(files: Optional[List[str]] = F, docker_run: Optional[List[str]] = D,
               docker_run_file: Optional[List[str]] = DF, project_name: Optional[str] = P,
               project_directory: Optional[str] = PD, env_file: Optional[List[str]] = E,
               profile: Optional[List[str]] = PR,
               via: str = typer.Option("api", "--via", help="api (boto3) or cloudformation."),
               region: Optional[str] = RegionOpt, aws_profile: Optional[str] = AwsProfileOpt,
               endpoint_url: Optional[str] = EndpointOpt, cluster: Optional[str] = ClusterOpt,
               vpc: Optional[str] = typer.Option(None, "--vpc", help="VPC id (default: the default VPC)."),
               subnet: Optional[List[str]] = typer.Option(None, "--subnet", help="Subnet id (repeatable)."),
               dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan; change nothing."),
               no_wait: bool = typer.Option(False, "--no-wait", help="Do not wait for the services."),
               timeout: float = typer.Option(900, "--timeout", help="Seconds to wait for the services."),
               yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before applying."),
               no_rollback: bool = typer.Option(False, "--no-rollback", help="cloudformation: keep failed resources."),
               s3_bucket: Optional[str] = typer.Option(None, "--s3-bucket", help="cloudformation: bucket for big and nested templates."),
               efs: Optional[List[str]] = EfsOpt, image: Optional[List[str]] = ImageOpt,
               execution_role_arn: Optional[str] = ExecRoleOpt, task_role_arn: Optional[str] = TaskRoleOpt,
               output: str = OutputOpt):
        """Deploy the project to ECS (Fargate): plan, apply, wait, print where it answers."""
        from .aws.commands import run_deploy

        progress = _progress(output)
        options = _inputs(files, docker_run, docker_run_file, project_name, project_directory, env_file,
                          profile, region, cluster, efs, image, execution_role_arn, task_role_arn)
        ecs = load_project(options, {"vpc_id": vpc, "subnets": tuple(subnet or ())})
        clients = make_clients(region or ecs.region, aws_profile, endpoint_url)
        run_deploy(ecs, clients, progress, via=via, dry_run=dry_run, wait=not no_wait, timeout=timeout,
                   confirm=lambda text: _confirm("Apply these changes?", yes or not sys.stdin.isatty()),
                   no_rollback=no_rollback, s3_bucket=s3_bucket)


def _register_plan(app, F, D, DF, P, PD, E, PR) -> None:
    @app.command()
    def plan(files: Optional[List[str]] = F, docker_run: Optional[List[str]] = D,
             docker_run_file: Optional[List[str]] = DF, project_name: Optional[str] = P,
             project_directory: Optional[str] = PD, env_file: Optional[List[str]] = E,
             profile: Optional[List[str]] = PR,
             region: Optional[str] = RegionOpt, aws_profile: Optional[str] = AwsProfileOpt,
             endpoint_url: Optional[str] = EndpointOpt, cluster: Optional[str] = ClusterOpt,
             vpc: Optional[str] = typer.Option(None, "--vpc"), subnet: Optional[List[str]] = typer.Option(None, "--subnet"),
             detailed_exitcode: bool = typer.Option(False, "--detailed-exitcode",
                                                    help="Exit 0 no changes, 2 changes, 1 error."),
             efs: Optional[List[str]] = EfsOpt, image: Optional[List[str]] = ImageOpt,
             execution_role_arn: Optional[str] = ExecRoleOpt, task_role_arn: Optional[str] = TaskRoleOpt,
             output: str = OutputOpt):
        """Show what deploy would create, update or leave alone (no mutating call)."""
        from .aws.commands import run_plan

        def body():
            options = _inputs(files, docker_run, docker_run_file, project_name, project_directory, env_file,
                              profile, region, cluster, efs, image, execution_role_arn, task_role_arn)
            ecs = load_project(options, {"vpc_id": vpc, "subnets": tuple(subnet or ())})
            clients = make_clients(region or ecs.region, aws_profile, endpoint_url)
            return run_plan(ecs, clients, _progress(output))

        if not detailed_exitcode:
            _guard(body)()
            return
        try:
            changed = _guard(body)()
        except typer.Exit as stop:
            raise typer.Exit(1 if stop.exit_code else 0)
        raise typer.Exit(2 if changed else 0)


def _register_status(app, F, D, DF, P, PD, E, PR) -> None:
    def status(files: Optional[List[str]] = F, docker_run: Optional[List[str]] = D,
               docker_run_file: Optional[List[str]] = DF, project_name: Optional[str] = P,
               project_directory: Optional[str] = PD, env_file: Optional[List[str]] = E,
               profile: Optional[List[str]] = PR,
               region: Optional[str] = RegionOpt, aws_profile: Optional[str] = AwsProfileOpt,
               endpoint_url: Optional[str] = EndpointOpt, cluster: Optional[str] = ClusterOpt,
               output: str = OutputOpt,
               services: Optional[List[str]] = typer.Argument(None, help="Only these services.")):
        """Per service: desired/running/pending, rollout, tasks, health, addresses, last events."""
        from .aws.commands import run_status

        name, ecs = _target(files, docker_run, docker_run_file, project_name, project_directory,
                            env_file, profile, region, cluster)
        clients = make_clients(region or (ecs.region if ecs else None), aws_profile, endpoint_url)
        run_status(name, clients, ecs, cluster, tuple(services or ()), output)

    app.command("status")(_guard(status))
    app.command("ps", help="Alias of status.")(_guard(status))


def _register_logs(app, F, D, DF, P, PD, E, PR) -> None:
    @app.command()
    @_guard
    def logs(files: Optional[List[str]] = F, docker_run: Optional[List[str]] = D,
             docker_run_file: Optional[List[str]] = DF, project_name: Optional[str] = P,
             project_directory: Optional[str] = PD, env_file: Optional[List[str]] = E,
             profile: Optional[List[str]] = PR,
             region: Optional[str] = RegionOpt, aws_profile: Optional[str] = AwsProfileOpt,
             endpoint_url: Optional[str] = EndpointOpt, cluster: Optional[str] = ClusterOpt,
             follow: bool = typer.Option(False, "--follow", help="Keep printing new lines."),
             since: Optional[str] = typer.Option(None, "--since", help="Only lines newer than this (10m, 2h)."),
             tail: Optional[int] = typer.Option(None, "--tail", "-n", help="Last N lines per container."),
             services: Optional[List[str]] = typer.Argument(None, help="Only these services.")):
        """CloudWatch Logs of the services, each line prefixed with service and task."""
        from .aws.commands import run_logs

        name, ecs = _target(files, docker_run, docker_run_file, project_name, project_directory,
                            env_file, profile, region, cluster)
        clients = make_clients(region or (ecs.region if ecs else None), aws_profile, endpoint_url)
        run_logs(name, clients, ecs, cluster, tuple(services or ()), follow, since, tail)


def _register_down(app, F, D, DF, P, PD, E, PR) -> None:
    @app.command()
    @_guard
    def down(files: Optional[List[str]] = F, docker_run: Optional[List[str]] = D,
             docker_run_file: Optional[List[str]] = DF, project_name: Optional[str] = P,
             project_directory: Optional[str] = PD, env_file: Optional[List[str]] = E,
             profile: Optional[List[str]] = PR,
             region: Optional[str] = RegionOpt, aws_profile: Optional[str] = AwsProfileOpt,
             endpoint_url: Optional[str] = EndpointOpt, cluster: Optional[str] = ClusterOpt,
             yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
             volumes: bool = typer.Option(False, "--volumes", help="Also delete the project's EFS file systems."),
             delete_logs: bool = typer.Option(False, "--logs", help="Also delete the log groups."),
             images: bool = typer.Option(False, "--images", help="Also delete the project's ECR repositories."),
             everything: bool = typer.Option(False, "--all", help="Delete every resource the project created, data too."),
             output: str = OutputOpt):
        """Remove what the project created (found by its tags); keeps data (logs, EFS, images, secrets) unless asked."""
        from .aws.commands import run_down

        name, ecs = _target(files, docker_run, docker_run_file, project_name, project_directory,
                            env_file, profile, region, cluster)
        clients = make_clients(region or (ecs.region if ecs else None), aws_profile, endpoint_url)
        run_down(name, clients, _progress(output), cluster or (ecs.cluster.name if ecs else None),
                 delete_logs, volumes, lambda text: _confirm(text, yes), images=images, everything=everything)


def _target(files, docker_run, docker_run_file, project_name, project_directory, env_file, profile,
            region, cluster) -> tuple:
    """``(project name, EcsProject or None)``: -p alone needs no compose file."""
    if _name_only(files, docker_run, docker_run_file, project_name):
        return project_name, None
    options = _inputs(files, docker_run, docker_run_file, project_name, project_directory, env_file,
                      profile, region, cluster)
    ecs = load_project(options, {})
    return ecs.name, ecs

