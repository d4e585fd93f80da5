"""Values that convert cleanly but are quietly risky once on AWS (issue 15.10).

* a plaintext ``*_PASSWORD`` / ``*_SECRET`` / ``*_TOKEN`` environment value: it would sit
  readable in the task definition (and in every describe call and console view) — a warning
  that shows how to move it to Secrets Manager, never the value itself;
* task-definition files that name ``ecsTaskExecutionRole``: that role exists in an account only
  once someone created it (the ECS console does on first use) — an info with how to create it.

Pure functions of the models; the lowering and ``convert`` add their findings.
"""
from __future__ import annotations

import re

from ..errors import Finding, Location, Severity

SECRET_NAME = re.compile(r"(?:^|_)(?:PASSWORD|SECRET|TOKEN)$")
REFERENCE = re.compile(r"^arn:aws[a-z-]*:(secretsmanager|ssm):")  # already a pointer, not a secret
DEFAULT_EXECUTION_ROLE = "ecsTaskExecutionRole"
TRUST_POLICY = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                '"Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}')


def plaintext_secrets(project) -> list:
    """A warning per service environment variable named like a secret that holds a value."""
    found = []
    for service in project.services:
        for name, value in service.environment or ():
            if not SECRET_NAME.search(str(name).upper()) or value in (None, "") or REFERENCE.match(str(value)):
                continue
            secret = name.lower()
            found.append(Finding(
                Severity.WARNING, project.locate("services", service.name, "environment", name),
                f"{name} holds a plaintext value: it would be readable in the task definition",
                f"move it to Secrets Manager: `aws secretsmanager create-secret --name {project.name}/{secret} "
                f"--secret-string …`, declare top-level `secrets: {{{secret}: {{environment: {name}}}}}`, "
                f"give the service `secrets: [{secret}]` instead of the variable, and set "
                f"`x-ecs: {{secrets: {{{secret}: <the secret's ARN>}}}}`", service.name))
    return found


def default_execution_role(ecs) -> list:
    """An info when task definitions name ``ecsTaskExecutionRole`` (files registered by hand)."""
    families = [td.family for td in ecs.task_definitions if td.execution_role_arn == DEFAULT_EXECUTION_ROLE]
    if not families:
        return []
    return [Finding(
        Severity.INFO, Location(key_path=("executionRoleArn",)),
        f"task definition(s) {', '.join(families)} use the execution role {DEFAULT_EXECUTION_ROLE}, which exists "
        "in an AWS account only once created (the ECS console creates it on first use)",
        f"create it: aws iam create-role --role-name {DEFAULT_EXECUTION_ROLE} --assume-role-policy-document "
        f"'{TRUST_POLICY}' && aws iam attach-role-policy --role-name {DEFAULT_EXECUTION_ROLE} --policy-arn "
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy; or pass --execution-role-arn "
        "(`compose2ecs deploy` creates a role of its own)")]
