"""Which deploy path a project needs when ``--via`` is not given.

The api path (boto3, aws/plan.py + aws/apply.py) creates the cluster, log groups, roles,
security groups, EFS volumes (aws/efs.py), the Service Connect namespace, task definitions
and services. What only the CloudFormation path creates is listed in :data:`STACK_ONLY`;
a project that needs one of those deploys through CloudFormation, and deploy says why in
one line. ``--via api`` given explicitly keeps the api path (which then refuses, naming it).
"""
from __future__ import annotations

from typing import Optional


def _load_balanced(project) -> list:
    return [s.name for s in project.services if s.load_balancer]


def _autoscaled(project) -> list:
    return [s.name for s in project.services if s.autoscaling is not None]


def _task_roles(project) -> list:
    return [td.family for td in project.task_definitions if td.task_role_placeholder and not td.task_role_arn]


# (what the api path does not create, the services/families that need it)
STACK_ONLY = (("load balancer", _load_balanced), ("autoscaling", _autoscaled), ("task role", _task_roles))


def stack_only_needs(project) -> list:
    """``["load balancer (web)", …]``: what the project needs that only CloudFormation creates."""
    out = []
    for what, find in STACK_ONLY:
        names = find(project)
        if names:
            out.append(f"{what} ({', '.join(names)})")
    return out


def choose_via(project, via: Optional[str]) -> tuple:
    """``(via, note)``: the given path, else api unless the project needs CloudFormation."""
    if via is not None:
        return via, ""
    needs = stack_only_needs(project)
    if not needs:
        return "api", ""
    return "cloudformation", (f"deploy: the project needs {'; '.join(needs)}, which only the CloudFormation "
                              "path creates: deploying with --via cloudformation")
