"""What ``--help`` says beyond the option declarations: each option's metavar (what it takes),
a description for the few declared without one, and one example per command.

Tables keyed by flag and command, applied to the click commands typer builds (through
:class:`HelpfulGroup`, the root group's class), so a command added later gets the same care
— and ``tests/test_cli_help.py`` fails until it is in these tables.
"""
from __future__ import annotations

import typer.core

METAVARS = {
    "--file": "FILE", "--docker-run": "'docker run …'", "--docker-run-file": "FILE",
    "--project-name": "NAME", "--project-directory": "DIR", "--env-file": "FILE", "--profile": "PROFILE",
    "--format": None,  # per command, below
    "--report": "FILE", "--region": "REGION", "--launch-type": "FARGATE|FARGATE_SPOT|EC2",
    "--execution-role-arn": "ARN", "--task-role-arn": "ARN", "--image": "SERVICE=URI",
    "--efs": "VOLUME=FS_ID", "--cluster": "NAME", "--load-balancer": "alb|nlb",
    "--aws-profile": "NAME", "--endpoint-url": "URL", "--via": "api|cloudformation",
    "--vpc": "VPC_ID", "--subnet": "SUBNET_ID", "--timeout": "SECONDS", "--s3-bucket": "BUCKET",
    "--since": "DURATION|TIME", "--tail": "N", "--output": "text|json",
    "--assume": "KEY=VALUE", "--prices": "offline|live",  # cost (on main, not yet on this branch)
}
COMMAND_METAVARS = {
    ("config", "--format"): "yaml|json", ("config", "--output"): "FILE",
    ("convert", "--format"): "taskdef|cloudformation|compose", ("convert", "--output"): "PATH",
    ("config", "services"): "[SERVICE]...", ("convert", "services"): "[SERVICE]...",
    ("status", "services"): "[SERVICE]...", ("ps", "services"): "[SERVICE]...",
    ("logs", "services"): "[SERVICE]...", ("run", "command"): "[COMMAND]...",
}
DESCRIPTIONS = {  # only for options declared without help text
    "--execution-role-arn": "Use this task execution role instead of creating one.",
    "--task-role-arn": "Task role for every task definition.",
    "--vpc": "VPC id (default: the default VPC).",
    "--subnet": "Subnet id (repeatable; default: the VPC's default subnets).",
}
EXAMPLES = {
    "config": "compose2ecs config -f compose.yaml --services",
    "convert": "compose2ecs convert -f compose.yaml --format cloudformation -o out/",
    "deploy": "compose2ecs deploy -f compose.yaml -p shop --timeout 600",
    "plan": "compose2ecs plan -f compose.yaml --detailed-exitcode",
    "status": "compose2ecs status -p shop --output json",
    "ps": "compose2ecs ps -p shop web",
    "logs": "compose2ecs logs -p shop --follow --since 10m web",
    "run": "compose2ecs run -f compose.yaml web ./manage.py migrate",
    "down": "compose2ecs down -p shop --yes",
    "cost": "compose2ecs cost -f compose.yaml --output json",
    "build": "compose2ecs build -f compose.yaml",
    "push": "compose2ecs push -f compose.yaml -p shop --output json",
}


def describe(command_name: str, command) -> None:
    """Fill metavars, missing descriptions and the example of one click command."""
    for param in command.params:
        flag = max(param.opts, key=len) if param.opts else param.name
        key = flag if param.param_type_name == "option" else param.name
        metavar = COMMAND_METAVARS.get((command_name, key), METAVARS.get(key))
        if metavar and param.metavar is None and not getattr(param, "is_flag", False):
            param.metavar = metavar
        if param.param_type_name == "option" and not param.help and key in DESCRIPTIONS:
            param.help = DESCRIPTIONS[key]
    if command_name in EXAMPLES and not command.epilog:
        command.epilog = f"\b\nExample:\n  {EXAMPLES[command_name]}"


class HelpfulGroup(typer.core.TyperGroup):
    """The root group: applies the tables above to itself and to every command."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        describe("compose2ecs", self)
        for name, command in self.commands.items():
            describe(name, command)
