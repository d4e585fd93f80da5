"""One entry point from user inputs to the models: what every command calls.

``InputOptions`` is what the CLI collected (compose files, docker run lines, project flags,
ECS flags); :func:`load_inputs` runs the front-ends and :func:`convert_inputs` adds the
lowering. Both are pure apart from reading the files the user named; the environment is
injected so tests and the CLI pass what they want.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping, Optional

from .errors import Finding


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Loaded:
    project: object  # compose.model.Project
    document: object  # the final canonical LDict (what `config` prints)
    findings: tuple = ()  # Finding


@dataclass(frozen=True)
class Conversion:
    project: object  # compose.model.Project
    ecs: object  # ecs.model.EcsProject
    findings: tuple = ()  # front-end + lowering findings, sorted


def aws_config_region(environ: Mapping[str, str]) -> Optional[str]:
    """The region of the active profile in the AWS config file, read without boto3 (an
    offline conversion must not import it): ``AWS_CONFIG_FILE`` or ``~/.aws/config``,
    profile ``AWS_PROFILE`` or ``default``."""
    import configparser

    path = environ.get("AWS_CONFIG_FILE") or os.path.join(os.path.expanduser("~"), ".aws", "config")
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
    loaded = load_inputs(options, env, stdin)
    lower_options = LowerOptions(
        region=options.region, launch_type=options.launch_type,
        execution_role_arn=options.execution_role_arn, task_role_arn=options.task_role_arn,
        images=dict(options.images), efs=dict(options.efs), cluster=options.cluster,
        load_balancer=options.load_balancer)
    ecs = lower(loaded.project, lower_options, env, lambda: aws_config_region(env))
    findings = sorted(set(loaded.findings) | set(ecs.findings), key=Finding.sort_key)
    return Conversion(loaded.project, ecs, tuple(findings))
