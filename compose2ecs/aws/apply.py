"""Execute a Plan: create or update each resource, in dependency order.

Order: cluster → log groups → execution role (then wait for IAM to propagate) → security
groups (all groups first, then their rules, which reference each other; each concurrently) → Service Connect
namespace → task definitions (registered only when they differ, different families
concurrently) → services, level by level of ``depends_on`` (providers before clients, as
Service Connect requires). Services of one level are created concurrently in a bounded pool
(``max_workers``); their events are reported in service order afterwards.
Nothing here deletes anything: a failure leaves what exists for the next run to continue.
"""
from __future__ import annotations

import json
import time
from dataclasses import field
from typing import Callable, Optional

from ..emit.secret_policy import concrete, policy_document
from ..errors import AwsError
from ..records import record
from . import network, services as svc
from .efs import apply_efs
from .errors import aws_errors
from .jobs import RUN, JobRunner
from .pool import MAX_WORKERS, bounded_map, run_all
from .plan import (CREATE, NO_CHANGE, ROLE_PATH, SECRETS_POLICY, UPDATE, Plan, ecs_tags, execution_policy_arn,
                   project_tags)
from .progress import NullProgress, Progress

TRUST_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


@record(frozen=False, slots=False)
class Deployer:
    """Applies plans. Clients, clock and sleep are injected (tests pass fakes; no real waits)."""

    clients: object
    progress: Progress = field(default_factory=NullProgress)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    iam_propagation_seconds: float = 10.0
    # Concurrent Create/UpdateService and RegisterTaskDefinition calls (pool.py).
    max_workers: int = MAX_WORKERS
    # Waits until the given {service: deployment} are steady (raises when one failed); called
    # between dependency levels so dependants start after their providers (compose's start
    # order). None: no waiting between levels (--no-wait).
    settle: Optional[Callable[[dict], None]] = None
    job_runner: Optional[JobRunner] = None

    def apply(self, plan: Plan) -> dict:
        """Run every change of ``plan``; returns service name → deployment id to wait for."""
        for resource, step in STEPS:
            actions = [a for a in plan.actions if a.resource == resource]
            step(self, plan, actions)
        return self._services(plan)

    # -- each step receives the actions of its resource type (including "no change")
    def _cluster(self, plan, actions):
        project = plan.project
        for action in _changed(actions):
            self.progress.event("cluster", action.name, "creating")
            kwargs = {"clusterName": action.name, "tags": ecs_tags(project),
                      "capacityProviders": list(project.cluster.capacity_providers),
                      "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]}
            if project.cluster.container_insights is not None:
                value = "enabled" if project.cluster.container_insights else "disabled"
                kwargs["settings"] = [{"name": "containerInsights", "value": value}]
            with aws_errors(f"cluster {action.name}"):
                self.clients.ecs.create_cluster(**kwargs)
            self.progress.event("cluster", action.name, "created")

    def _log_groups(self, plan, actions):
        retention = {g.name: g.retention_days for g in plan.project.log_groups}
        tags = {t["Key"]: t["Value"] for t in project_tags(plan.project)}
        for action in _changed(actions):
            self.progress.event("log-group", action.name, "creating")
            with aws_errors(f"log group {action.name}"):
                self.clients.logs.create_log_group(logGroupName=action.name, tags=tags)
                self.clients.logs.put_retention_policy(logGroupName=action.name,
                                                       retentionInDays=retention[action.name])
            self.progress.event("log-group", action.name, "created")

    def _role(self, plan, actions):
        for action in (a for a in actions if a.kind == UPDATE):  # only the secrets policy is updated
            self.progress.event("role", action.name, "updating", action.reason)
            with aws_errors(f"role {action.name}"):
                if plan.live.secrets_policy:
                    self.clients.iam.put_role_policy(RoleName=action.name, PolicyName=SECRETS_POLICY,
                                                     PolicyDocument=json.dumps(plan.live.secrets_policy))
                else:
                    self.clients.iam.delete_role_policy(RoleName=action.name, PolicyName=SECRETS_POLICY)
            self.progress.event("role", action.name, "updated")
        for action in (a for a in actions if a.kind == CREATE):
            self.progress.event("role", action.name, "creating")
            iam = self.clients.iam
            with aws_errors(f"role {action.name}"):
                role = iam.create_role(
                    RoleName=action.name, Path=ROLE_PATH, Tags=project_tags(plan.project),
                    AssumeRolePolicyDocument=json.dumps(TRUST_POLICY),
                    Description=f"ECS task execution role of compose2ecs project {plan.project.name}")
                iam.attach_role_policy(RoleName=action.name, PolicyArn=execution_policy_arn(self.clients.region))
                secrets = plan.live.secrets_policy
                if secrets:
                    iam.put_role_policy(RoleName=action.name, PolicyName=SECRETS_POLICY,
                                        PolicyDocument=json.dumps(secrets))
            plan.live.role_arn = role["Role"]["Arn"]
            # A new role is not usable everywhere at once; ECS rejects it for a few seconds.
            self.progress.event("role", action.name, "waiting", "for IAM to propagate")
            self.sleep(self.iam_propagation_seconds)
            self.progress.event("role", action.name, "created")

    def _security_groups(self, plan, actions):
        project, live = plan.project, plan.live
        by_group = {network.group_name(project.name, s.name): s for s in project.services}
        changed = _changed(actions)
        # All groups first (rules reference each other), then the rules; each phase in the pool.
        new = [by_group[a.name] for a in changed if by_group[a.name].name not in live.group_ids]
        for service in new:
            self.progress.event("security-group", network.group_name(project.name, service.name), "creating")
        ids = run_all(lambda s: network.create_group(self.clients.ec2, project, s, live.vpc_id,
                                                     project_tags(project)), new, self.max_workers)
        live.group_ids.update((s.name, group_id) for s, group_id in zip(new, ids))

        def rules(action):
            service = by_group[action.name]
            want, have = live.group_rules[service.name]
            network.sync_rules(self.clients.ec2, live.group_ids[service.name], action.name,
                               want, have, live.group_ids)

        run_all(rules, changed, self.max_workers)
        for action in changed:
            self.progress.event("security-group", action.name,
                                "created" if action.kind == CREATE else "updated", action.reason)

    def _namespace(self, plan, actions):
        sd = self.clients.servicediscovery
        for action in _changed(actions):
            self.progress.event("namespace", action.name, "creating")
            with aws_errors(f"namespace {action.name}"):
                op = sd.create_http_namespace(
                    Name=action.name, Tags=project_tags(plan.project),
                    Description=f"Service Connect namespace of compose2ecs project {action.name}")
                namespace_id = self._operation(sd, op["OperationId"], action.name)
                plan.live.namespace_arn = sd.get_namespace(Id=namespace_id)["Namespace"]["Arn"]
            self.progress.event("namespace", action.name, "created")

    def _operation(self, sd, operation_id: str, name: str) -> str:
        while True:
            op = sd.get_operation(OperationId=operation_id)["Operation"]
            if op["Status"] == "SUCCESS":
                return op["Targets"]["NAMESPACE"]
            if op["Status"] == "FAIL":
                raise AwsError(f"namespace {name}", op.get("ErrorMessage", "creation failed"),
                               code=op.get("ErrorCode", ""))
            self.sleep(2)

    def _task_definitions(self, plan, actions):
        """Register the changed families concurrently (bounded pool): ECS rejects concurrent
        registrations of one family, and the plan has one action per family, so a family is
        only ever registered by one worker. Events are reported in plan order."""
        live = plan.live
        todo = _changed(actions)
        for action in todo:
            self.progress.event("task-definition", action.name, "registering")
        for action, (registered, error) in zip(todo, self._pooled(lambda a: self._register(live, a), todo)):
            if error is not None:
                self.progress.event("task-definition", action.name, "failed", str(error))
                raise error
            live.td_arns[action.name] = registered["taskDefinitionArn"]
            self.progress.event("task-definition", action.name, "registered",
                                f"revision {registered['revision']}")

    def _register(self, live, action):
        """Register one family (runs in a worker thread; returns, never raises)."""
        body = dict(live.desired[action.name])
        body["executionRoleArn"] = live.role_arn or body.get("executionRoleArn")
        try:
            with aws_errors(f"task definition {action.name}"):
                return self.clients.ecs.register_task_definition(**body)["taskDefinition"], None
        except AwsError as error:
            return None, error

    def _pooled(self, work: Callable, items: list) -> list:
        """``[work(item) …]`` in at most ``max_workers`` threads, results in ``items`` order."""
        return bounded_map(work, items, self.max_workers)

    def _services(self, plan) -> dict:
        changed = {a.name: a for a in plan.actions if a.resource == "service" and a.kind != NO_CHANGE}
        to_run = {a.name for a in plan.actions if a.resource == "job" and a.kind == RUN}
        deployments: dict = {}
        levels = service_levels(plan.project)
        for index, level in enumerate(levels):
            self._create_level(plan, level, changed, deployments)
            for job in (s for s in level if s.name in to_run):
                self._run_job(plan, job)
            needed = providers_of(levels[index + 1:], changed, to_run)
            ready = {n: deployments[n] for n in sorted(needed) if n in deployments}
            if self.settle is not None and ready:
                self.settle(ready)
        return deployments

    def _run_job(self, plan, job) -> None:
        runner = self.job_runner or JobRunner(self.clients, self.progress, self.sleep, self.clock)
        runner.run(plan.project, job, plan.live, plan.live.td_arns[job.task_definition],
                   ecs_tags(plan.project))

    def _create_level(self, plan, level, changed: dict, deployments: dict) -> None:
        """Create or update the changed services of one dependency level, concurrently."""
        todo = [s for s in level if s.name in changed]
        for service in todo:
            verb = "creating" if changed[service.name].kind == CREATE else "updating"
            self.progress.event("service", service.name, verb)
        results = self._pooled(lambda s: self._service(plan, s, changed[s.name]), todo)
        for service, (deployment, error) in zip(todo, results):
            if error is not None:
                self.progress.event("service", service.name, "failed", str(error))
                raise error
            deployments[service.name] = deployment
            done = "created" if changed[service.name].kind == CREATE else "updated"
            self.progress.event("service", service.name, done)

    def _service(self, plan, service, action):
        """Create or update one service (runs in a worker thread; returns, never raises)."""
        project, live = plan.project, plan.live
        arn = live.td_arns[service.task_definition]
        try:
            with aws_errors(f"service {service.name}"):
                if action.kind == CREATE:
                    body = svc.create_input(project, service, live, arn, ecs_tags(project))
                    result = self.clients.ecs.create_service(**body)["service"]
                else:
                    body = svc.update_input(project, service, live, arn)
                    if service.name in live.force_new:  # a secret/config value it reads changed
                        body["forceNewDeployment"] = True
                    result = self.clients.ecs.update_service(**body)["service"]
            return primary_deployment(result), None
        except AwsError as error:
            return None, error


def _changed(actions: list) -> list:
    return [a for a in actions if a.kind in (CREATE, UPDATE)]


def primary_deployment(service: dict) -> str:
    """The id of the PRIMARY deployment a Create/UpdateService call started."""
    for deployment in service.get("deployments", []):
        if deployment.get("status") == "PRIMARY":
            return deployment["id"]
    return ""


def service_levels(project) -> list:
    """Services grouped so every service comes after the ones it depends on."""
    level: dict = {}
    for service in project.services:  # the model lists providers first
        deps = [level[d] for d in service.depends_on if d in level]
        level[service.name] = 1 + max(deps, default=-1)
    count = max(level.values(), default=-1) + 1
    return [[s for s in project.services if level[s.name] == i] for i in range(count)]


def providers_of(later_levels: list, changed: dict, to_run: set) -> set:
    """Services the changed services and jobs of ``later_levels`` wait for (compose depends_on)."""
    return {provider for level in later_levels for s in level
            if s.name in changed or s.name in to_run for provider in s.depends_on}


def secrets_policy(project, region: str, account: str) -> dict:
    """Inline policy letting the execution role read the project's secrets (or {}): the same
    statements as the CloudFormation execution role, with the Region's partition, the Region
    and the account (the caller's) in place of the template's variables."""
    return policy_document(project, concrete(region, account))


from .secrets import apply_values  # noqa: E402 (stores secret/config values first, issue 16)

STEPS = (("secret", apply_values),
         ("cluster", Deployer._cluster), ("log-group", Deployer._log_groups), ("role", Deployer._role),
         ("security-group", Deployer._security_groups), ("namespace", Deployer._namespace),
         ("efs", apply_efs), ("task-definition", Deployer._task_definitions))
