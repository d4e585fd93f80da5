"""One entry point from user inputs to the models: what every command calls.

``InputOptions`` is what the CLI collected (compose files, docker run lines, project flags,
ECS flags); :func:`load_inputs` runs the front-ends and :func:`convert_inputs` adds the
lowering. Both are pure apart from reading the files the user named; the environment is
injected so tests and the CLI pass what they want.
"""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import field
from typing import Mapping, Optional

from .compose.loaded import Loaded  # pipeline.Loaded: the loader's result
from .errors import Finding, Location, UserError, diagnostic
from .records import record


@record(slots=False)
class InputOptions:
    files: tuple = ()  # -f values ("-" = stdin)
    docker_run: tuple = ()  # --docker-run texts
    docker_run_files: tuple = ()  # --docker-run-file paths ("-" = stdin)
    project_name: Optional[str] = None
    project_directory: Optional[str] = None
    env_files: tuple = ()
    profiles: tuple = ()
    services: tuple = ()  # explicitly selected services (activate their profiles)
    # ECS-side options (LowerOptions fields)
    region: Optional[str] = None
    launch_type: Optional[str] = None
    execution_role_arn: Optional[str] = None
    task_role_arn: Optional[str] = None
    images: tuple = ()  # ("web", "uri") pairs from --image SERVICE=URI
    efs: tuple = ()  # ("data", "fs-123") pairs from --efs VOLUME=ID
    cluster: Optional[str] = None
    load_balancer: Optional[str] = None
    cwd: str = field(default_factory=os.getcwd)


@record(slots=False)
class Conversion:
    project: object  # compose.model.Project
    ecs: object  # ecs.model.EcsProject
    findings: tuple = ()  # front-end + lowering findings, sorted


LAUNCH_TYPES = ("FARGATE", "FARGATE_SPOT", "EC2")
LOAD_BALANCERS = ("alb", "nlb")
_EFS_ID = re.compile(r"^fs-[0-9a-f]{8}([0-9a-f]{9})?$")


def check_ecs_options(options: InputOptions) -> None:
    """Flag values that cannot be right whatever the project says (before loading it)."""
    errors = []
    if options.launch_type and options.launch_type not in LAUNCH_TYPES:
        errors.append(diagnostic(Location(key_path=("--launch-type",)),
                                 f"{options.launch_type!r} is not a launch type",
                                 "use " + ", ".join(LAUNCH_TYPES)))
    if options.load_balancer and options.load_balancer not in LOAD_BALANCERS:
        errors.append(diagnostic(Location(key_path=("--load-balancer",)),
                                 f"{options.load_balancer!r} is not a load balancer type",
                                 "use alb or nlb"))
    for volume, fs_id in options.efs:
        if not _EFS_ID.match(fs_id):
            errors.append(diagnostic(Location(key_path=(f"--efs {volume}={fs_id}",)),
                                     f"{fs_id!r} is not an EFS file system id",
                                     "EFS ids look like fs-0123456789abcdef0"))
    if errors:
        raise UserError(errors)


def check_something_selected(loaded: Loaded) -> None:
    """Nothing to run on ECS is an error, as ``docker compose up`` says "no service selected"
    (``config`` still prints the empty project, as Docker Compose's does)."""
    if loaded.project.services:
        return
    where = Location(loaded.project.files[0]) if loaded.project.files else Location()
    if loaded.profiles:
        shown = ", ".join(loaded.profiles)
        raise UserError.at(where, f"no service selected: every service belongs to a profile "
                           f"that is not active (profiles: {shown})",
                           f"activate one with --profile {loaded.profiles[0]} or "
                           f"COMPOSE_PROFILES={loaded.profiles[0]}")
    raise UserError.at(where, "no service selected: the project defines no services",
                       "add a service under `services:`")


def check_names(options: InputOptions, project) -> None:
    """--image and --efs must name a service and a volume of the project (a typo would
    otherwise be ignored and a placeholder emitted)."""
    services = {s.name for s in project.services}
    volumes = {v.key for v in project.volumes}
    errors = []
    for flag, pairs, known, what in (("--image", options.images, services, "service"),
                                     ("--efs", options.efs, volumes, "named volume")):
        for name, _ in pairs:
            if name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f"did you mean {close[0]!r}?" if close else \
                    f"the project's {what}s: {', '.join(sorted(known)) or 'none'}"
                errors.append(diagnostic(Location(key_path=(f"{flag} {name}=…",)),
                                         f"the project has no {what} {name!r}", hint))
    if errors:
        raise UserError(errors)


def aws_config_region(environ: Mapping[str, str]) -> Optional[str]:
    """The region of the active profile in the AWS config file, read without boto3 (an
    offline conversion must not import it): ``AWS_CONFIG_FILE`` or ``~/.aws/config``,
    profile ``AWS_PROFILE`` or ``default``."""
    path = environ.get("AWS_CONFIG_FILE") or os.path.join(os.path.expanduser("~"), ".aws", "config")
    if not os.path.isfile(path):
        return None  # (the usual case offline: configparser is not even imported)
    import configparser

    parser = configparser.RawConfigParser()
    try:
        if not parser.read(path, encoding="utf-8"):
            return None
    except (configparser.Error, UnicodeDecodeError):
        return None
    profile = environ.get("AWS_PROFILE") or "default"
    for section in (f"profile {profile}", profile):
        if parser.has_option(section, "region"):
            return parser.get(section, "region").strip() or None
    return None


def load_inputs(options: InputOptions, environ: Optional[Mapping[str, str]] = None,
                stdin=None) -> Loaded:
    """Run the compose / docker-run front-ends. Raises UserError on invalid input."""
    from .compose.load import load  # local: keeps `import compose2ecs.pipeline` light

    return load(options, dict(os.environ) if environ is None else environ, stdin=stdin)


def convert_inputs(options: InputOptions, environ: Optional[Mapping[str, str]] = None,
                   stdin=None) -> Conversion:
    """Front-ends, then lowering onto the ECS model."""
    from .ecs.lower import LowerOptions, lower

    env = dict(os.environ) if environ is None else environ
    check_ecs_options(options)
    loaded = load_inputs(options, env, stdin)
    check_something_selected(loaded)
    check_names(options, loaded.project)
    lower_options = LowerOptions(
        region=options.region, launch_type=options.launch_type,
        execution_role_arn=options.execution_role_arn, task_role_arn=options.task_role_arn,
        images=dict(options.images), efs=dict(options.efs), cluster=options.cluster,
        load_balancer=options.load_balancer)
    ecs = lower(loaded.project, lower_options, env, lambda: aws_config_region(env))
    findings = sorted(set(loaded.findings) | set(ecs.findings), key=Finding.sort_key)
    return Conversion(loaded.project, ecs, tuple(findings))
