"""The AWS commands: deploy, plan, status, ps, run, logs, down.

Thin: collect options, load the project, call compose2ecs.aws, render. boto3 is imported
only when one of these commands runs (compose2ecs.aws.session imports it lazily), so
registering them keeps ``import compose2ecs.cli`` light.

``--profile`` is the compose profile option shared by every command; the AWS profile is
``--aws-profile`` (or ``AWS_PROFILE``).
"""
from __future__ import annotations

import dataclasses
import functools
import gc
import os
import sys
from typing import List, Optional

import typer

from .cli_options import (AwsProfileOpt, ClusterOpt, DockerRunFileOpt, DockerRunOpt, EfsOpt,
                          EndpointOpt, EnvFileOpt, ExecRoleOpt, FilesOpt, ImageOpt, OutputOpt,
                          ProfileOpt, ProjectDirOpt, ProjectNameOpt, RegionOpt, TaskRoleOpt,
                          check_output, input_options, parse_pairs)
from .cli_run import apply_globals, print_findings, run_command
from .errors import AwsError, Location, UserError


def _wants_json(kwargs: dict) -> bool:
    return kwargs.get("output") == "json"


def _guard(fn, wants_json=_wants_json, exit_codes=None):
    """Run a command; botocore failures that escaped become one AwsError line (exit 4).
    With ``--output json`` every failure also ends with a JSON result object on stdout."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        gc.enable()  # off for start-up (entry.py); these commands run for minutes and make cyclic garbage
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, UserError, AwsError, KeyboardInterrupt):
            raise
        except ImportError as error:
            if (error.name or "").split(".")[0] in ("boto3", "botocore"):
                raise UserError.at(Location(key_path=(fn.__name__,)),
                                   f"the AWS commands need boto3, which is not installed ({error.name})",
                                   "run `python3 -m pip install boto3` (or reinstall compose2ecs)") from None
            raise
        except Exception as error:
            from .aws.errors import unreadable_response

            unreadable = None if os.environ.get("COMPOSE2ECS_DEBUG") else unreadable_response(error, fn.__name__)
            if unreadable is not None:
                raise unreadable from None
            if type(error).__module__.startswith(("botocore", "boto3")):
                from .aws.errors import translate

                raise translate(error, fn.__name__) from None
            raise
    return run_command(wrapper, wants_json, exit_codes)


def load_project(options, overrides: dict):
    """Compose/docker-run inputs → EcsProject (findings printed to stderr). Tests replace it."""
    from .pipeline import convert_inputs

    conversion = convert_inputs(options, stdin=sys.stdin)
    print_findings(conversion.findings, quiet=True)
    changes = {k: v for k, v in overrides.items() if v}
    return dataclasses.replace(conversion.ecs, **changes) if changes else conversion.ecs


def make_clients(region, aws_profile, endpoint_url, recorder=None):
    """The lazy boto3 clients for a command run (tests replace it to share a moto session)."""
    from .aws.session import AwsOptions, make_clients as build

    return build(AwsOptions(region=region, profile=aws_profile, endpoint_url=endpoint_url),
                 dict(os.environ), recorder)


def _progress(output: str):
    from .aws.progress import choose

    check_output(output)
    return choose(output, sys.stderr, os.environ)


def _stdin_is_terminal() -> bool:
    """Whether a person can answer a prompt (tests replace it to answer one)."""
    return sys.stdin.isatty()


def _confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not _stdin_is_terminal():
        raise UserError.at(Location(key_path=("--yes",)), "refusing to go on without confirmation",
                           "pass --yes to confirm when not on a terminal")
    return typer.confirm(question, default=False, err=True)


def _inputs(files, docker_run, docker_run_file, project_name, project_directory, env_file, profile,
            region=None, cluster=None, efs=None, image=None, execution_role_arn=None, task_role_arn=None):
    return input_options(files, docker_run, docker_run_file, project_name, project_directory,
                         env_file, profile, region=region, cluster=cluster,
                         efs=parse_pairs(efs, "--efs"), images=parse_pairs(image, "--image"),
                         execution_role_arn=execution_role_arn, task_role_arn=task_role_arn)


def _name_only(files, docker_run, docker_run_file, project_name) -> bool:
    """`status`/`logs`/`down` with only -p NAME: no compose file is read."""
    return bool(project_name) and not (files or docker_run or docker_run_file)


def register(app) -> None:
    """Add deploy, plan, status, ps, logs, down, run, build and push to the root typer app."""
    shared = (FilesOpt, DockerRunOpt, DockerRunFileOpt, ProjectNameOpt, ProjectDirOpt, EnvFileOpt,
              ProfileOpt)
    for registrar in (_register_deploy, _register_plan, _register_status, _register_logs, _register_down,
                      _register_run, _register_build):
        registrar(app, *shared)


def _register_deploy(app, F, D, DF, P, PD, E, PR) -> None:
    @app.command()
    @_guard
    def deploy(files: Optional[List[str]] = F, docker_run: Optional[List[str]] = D,
               docker_run_file: Optional[List[str]] = DF, project_name: Optional[str] = P,
               project_directory: Optional[str] = PD, env_file: Optional[List[str]] = E,
               profile: Optional[List[str]] = PR,
               via: Optional[str] = typer.Option(None, "--via", help="api (boto3) or cloudformation (default: api, "
                                                 "or cloudformation when the project needs a load balancer)."),
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
               no_build: bool = typer.Option(False, "--no-build", help="Build nothing: deploy pinned images only."),
               output: str = OutputOpt):
        """Deploy the project to ECS (Fargate): plan, apply, wait, print where it answers."""
        from .aws.commands import check_via, run_deploy

        check_via(via)
        progress = _progress(output)
        options = _inputs(files, docker_run, docker_run_file, project_name, project_directory, env_file,
                          profile, region, cluster, efs, image, execution_role_arn, task_role_arn)
        options, built = build_images(options, progress, region, aws_profile, endpoint_url, no_build, dry_run, via)
        ecs = load_project(options, {"vpc_id": vpc, "subnets": tuple(subnet or ())})
        clients = make_clients(region or ecs.region, aws_profile, endpoint_url)
        run_deploy(ecs, clients, progress, via=via, dry_run=dry_run, wait=not no_wait, timeout=timeout,
                   confirm=lambda text: _confirm("Apply these changes?", yes or not _stdin_is_terminal()),
                   no_rollback=no_rollback, s3_bucket=s3_bucket, built_images=built)


def make_docker(progress):
    """The local Docker (tests put a fake `docker` on PATH or replace this)."""
    from .images.docker import Docker

    return Docker(tick=progress.tick)


def build_images(options, progress, region, aws_profile, endpoint_url, no_build=False, dry_run=False, via="api"):
    """Build and push the services with a build section; ``(options pinned to the digests, images)``.
    ``--via cloudformation`` fills the template's image parameters of build-only services instead."""
    import io

    from .images.command import for_deploy

    def clients_for(project_region):
        return make_clients(region or project_region, aws_profile, endpoint_url)

    stdin = None
    if "-" in options.files or "-" in options.docker_run_files:  # read twice: here and by load_project
        text = sys.stdin.read()
        sys.stdin, stdin = io.StringIO(text), io.StringIO(text)
    return for_deploy(options, clients_for, progress, make_docker(progress), no_build, dry_run,
                      parameters=via == "cloudformation", stdin=stdin)


def _register_build(app, F, D, DF, P, PD, E, PR) -> None:
    docs = {"build": "Build the images of the services with a build section (docker buildx), tagged for the "
                     "project's ECR repositories.",
            "push": "Build what ECR does not have yet, push it, and print each image by digest."}
    for name in ("build", "push"):
        app.command(name, help=docs[name])(_guard(_images_command(name, F, D, DF, P, PD, E, PR)))


def _images_command(name, F, D, DF, P, PD, E, PR):
    def command(files: Optional[List[str]] = F, docker_run: Optional[List[str]] = D,
                docker_run_file: Optional[List[str]] = DF, project_name: Optional[str] = P,
                project_directory: Optional[str] = PD, env_file: Optional[List[str]] = E,
                profile: Optional[List[str]] = PR,
                region: Optional[str] = RegionOpt, aws_profile: Optional[str] = AwsProfileOpt,
                endpoint_url: Optional[str] = EndpointOpt, image: Optional[List[str]] = ImageOpt,
                output: str = OutputOpt):
        from .images.command import run_images

        progress = _progress(output)
        options = _inputs(files, docker_run, docker_run_file, project_name, project_directory, env_file,
                          profile, region, image=image)
        run_images(options, lambda project_region: make_clients(region or project_region, aws_profile, endpoint_url),
                   progress, make_docker(progress), push=name == "push")
    command.__name__ = name  # AWS error lines name the command
    return command


def _register_plan(app, F, D, DF, P, PD, E, PR) -> None:
    @app.command()
    @apply_globals
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
            check_output(output)  # a bad --output is a user error before anything is read
            options = _inputs(files, docker_run, docker_run_file, project_name, project_directory, env_file,
                              profile, region, cluster, efs, image, execution_role_arn, task_role_arn)
            options, _built = build_images(options, _progress(output), region, aws_profile, endpoint_url,
                                           dry_run=True)
            ecs = load_project(options, {"vpc_id": vpc, "subnets": tuple(subnet or ())})
            clients = make_clients(region or ecs.region, aws_profile, endpoint_url)
            return run_plan(ecs, clients, _progress(output))
        body.__name__ = "plan"  # AWS error lines name the command ("error: plan: …")

        # --detailed-exitcode (Terraform's): every error is 1, in the JSON result too
        guarded = _guard(body, lambda _kwargs: output == "json", (lambda _code: 1) if detailed_exitcode else None)
        if not detailed_exitcode:
            guarded()
            return
        changed = guarded()
        raise typer.Exit(2 if changed else 0)


def _show_project(runner, inputs: tuple, region, aws_profile, endpoint_url, cluster, services, output) -> None:
    """`status` and `ps`: find the project (compose inputs or -p), then one read-only view of it."""
    check_output(output)
    name, ecs = _target(*inputs, region, cluster)
    clients = make_clients(region or (ecs.region if ecs else None), aws_profile, endpoint_url)
    runner(name, clients, ecs, cluster, tuple(services or ()), output)


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

        _show_project(run_status, (files, docker_run, docker_run_file, project_name, project_directory, env_file,
                      profile), region, aws_profile, endpoint_url, cluster, services, output)

    app.command("status")(_guard(status))

    def ps(files: Optional[List[str]] = F, docker_run: Optional[List[str]] = D,
           docker_run_file: Optional[List[str]] = DF, project_name: Optional[str] = P,
           project_directory: Optional[str] = PD, env_file: Optional[List[str]] = E,
           profile: Optional[List[str]] = PR,
           region: Optional[str] = RegionOpt, aws_profile: Optional[str] = AwsProfileOpt,
           endpoint_url: Optional[str] = EndpointOpt, cluster: Optional[str] = ClusterOpt,
           output: str = OutputOpt,
           services: Optional[List[str]] = typer.Argument(None, help="Only these services.")):
        """The project's running tasks: service, status, health, public IP, ports (docker compose ps)."""
        from .aws.commands import run_ps

        _show_project(run_ps, (files, docker_run, docker_run_file, project_name, project_directory, env_file,
                      profile), region, aws_profile, endpoint_url, cluster, services, output)

    app.command("ps")(_guard(ps))


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

        _follow_habit(files, project_directory)
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

        check_output(output)
        name, ecs = _target(files, docker_run, docker_run_file, project_name, project_directory,
                            env_file, profile, region, cluster)
        clients = make_clients(region or (ecs.region if ecs else None), aws_profile, endpoint_url)
        run_down(name, clients, _progress(output), cluster or (ecs.cluster.name if ecs else None),
                 delete_logs, volumes, lambda text: _confirm(text, yes), images=images, everything=everything)


def _register_run(app, F, D, DF, P, PD, E, PR) -> None:
    # Options go before SERVICE (as in `docker compose run`): what follows it is the command.
    @app.command(context_settings={"allow_interspersed_args": False})
    @_guard
    def run(service: str = typer.Argument(..., metavar="SERVICE", help="The service whose task definition runs."),
            command: Optional[List[str]] = typer.Argument(None, help="Command instead of the service's."),
            files: Optional[List[str]] = F, docker_run: Optional[List[str]] = D,
            docker_run_file: Optional[List[str]] = DF, project_name: Optional[str] = P,
            project_directory: Optional[str] = PD, env_file: Optional[List[str]] = E,
            profile: Optional[List[str]] = PR,
            region: Optional[str] = RegionOpt, aws_profile: Optional[str] = AwsProfileOpt,
            endpoint_url: Optional[str] = EndpointOpt, cluster: Optional[str] = ClusterOpt,
            detach: bool = typer.Option(False, "--detach", "-d", help="Print the task ARN and return at once."),
            timeout: float = typer.Option(3600, "--timeout", help="Seconds to wait for the task to stop."),
            efs: Optional[List[str]] = EfsOpt, image: Optional[List[str]] = ImageOpt):
        """Run a one-off task of a deployed service, its logs on stdout; exits with its exit code."""
        from .aws.commands import run_one_off

        progress = _progress("text")
        options = _inputs(files, docker_run, docker_run_file, project_name, project_directory, env_file,
                          profile, region, cluster, efs, image)
        ecs = load_project(options, {})
        clients = make_clients(region or ecs.region, aws_profile, endpoint_url)
        code = run_one_off(ecs, clients, progress, service, tuple(command or ()), detach, timeout)
        if code:
            raise typer.Exit(code)


def _follow_habit(files, project_directory) -> None:
    """``logs -f web`` (Docker Compose: follow) reads ``web`` as a compose file here: say so."""
    import re

    base = project_directory or "."
    for name in files or ():
        if name != "-" and re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", name) and \
                not name.endswith((".yml", ".yaml", ".json")) and not os.path.exists(os.path.join(base, name)):
            raise UserError.at(Location(key_path=("-f",)),
                               f"no compose file {name!r} (in compose2ecs, -f is --file, as for every command)",
                               f"did you mean --follow? compose2ecs logs --follow {name}")


def _target(files, docker_run, docker_run_file, project_name, project_directory, env_file, profile,
            region, cluster) -> tuple:
    """``(project name, EcsProject or None)``: -p alone needs no compose file."""
    if _name_only(files, docker_run, docker_run_file, project_name):
        return project_name, None
    options = _inputs(files, docker_run, docker_run_file, project_name, project_directory, env_file,
                      profile, region, cluster)
    ecs = load_project(options, {})
    return ecs.name, ecs

