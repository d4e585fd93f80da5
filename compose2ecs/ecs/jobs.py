"""One-shot services (migrations, ``*-init``, ``createbuckets``): run to completion, not kept alive.

Under Compose such a service runs once; services that wait for it with ``condition:
service_completed_successfully`` start only after it exited 0. An ECS service would restart
it forever, so a job never becomes an ECS service. It lowers one of two ways:

``init`` (the default for a job others wait for)
    The job's container joins the task of every service that waits for it, as a
    non-essential container the others ``dependsOn`` with condition ``SUCCESS``. ECS starts
    the app only after the job exited 0 and stops the task when it fails, so the order holds
    in every task, in all three back-ends alike (it is the task definition), and the job
    reaches other services by name through the task's Service Connect proxy. It runs once
    per task start: with several replicas or several dependants it runs in each task, so it
    must be safe to repeat (migrations usually are). The finding says so.

``run-task`` (the default for a job nobody waits for; ``x-ecs.job: run-task``)
    The job keeps a task definition (network, log group, roles) but no ECS service.
    ``compose2ecs deploy`` runs it once per rollout with RunTask — when its task definition
    or a service that depends on it changes — before its dependants, waits for it to stop and
    stops on a non-zero exit with the exit code, reason and last log lines. A CloudFormation
    stack registers the task definition without running it (a template cannot run a task
    once); `compose2ecs run SERVICE` runs it by hand. A RunTask task is not part of Service
    Connect: it reaches other services only by address, which the finding says.

Which services are jobs, in order of precedence: ``x-ecs.job`` (``false``, ``true``,
``init``, ``run-task``); a service in another task waits for it with
``service_completed_successfully``; ``restart: "no"`` / ``on-failure[:N]`` (or
``deploy.restart_policy.condition`` ``none`` / ``on-failure``) written explicitly and no
published or exposed port. Only a task's primary service can make it a job.
"""
from __future__ import annotations

import copy

from .context import Ctx
from .grouping import MAX_CONTAINERS

INIT, RUN_TASK = "init", "run-task"
ONE_SHOT_RESTARTS = ("no", "on-failure")
ONE_SHOT_POLICIES = ("none", "on-failure")


def lower_jobs(ctx: Ctx, groups: list) -> tuple:
    """``(groups, run-task job names)``: ``init`` jobs are moved into their dependants' tasks."""
    owner = {u.name: g for g in groups for u in g.units}
    awaited = _awaited_across_tasks(groups, owner)
    run_task, merged = set(), set()
    for group in groups:
        unit = group.primary
        if len(group.units) > 1:
            continue  # a task with several containers is a service (its members chose it)
        found = _job_kind(unit, awaited.get(unit.name))
        if found is None:
            continue
        kind, path, why = found
        dependants = sorted(awaited.get(unit.name) or ())
        # "others wait for it" is written in the first dependant's depends_on: point there
        where = (_unit_named(owner[dependants[0]], dependants[0]), ("depends_on", unit.name)) \
            if path == ("depends_on",) else (unit, path)
        if kind == INIT and dependants:
            _join_dependants(ctx, unit, [owner[d] for d in dependants])
            merged.add(group.name)
            _say_init(ctx, where, unit.name, why, dependants)
        else:
            run_task.add(group.name)
            _say_run_task(ctx, where, unit.name, why, dependants)
    return [g for g in groups if g.name not in merged], run_task


def _join_dependants(ctx: Ctx, job, targets: list) -> None:
    seen = set()
    for target in targets:
        if target.name in seen or any(u.name == job.name for u in target.units):
            continue
        seen.add(target.name)
        if len(target.units) >= MAX_CONTAINERS:
            raise ctx.error(ctx.svc_at(job), f"the one-shot job {job.name} would be the "
                            f"{MAX_CONTAINERS + 1}th container of task {target.name!r}",
                            "set x-ecs.job: run-task on it to run it on its own")
        member = copy.copy(job)
        member.group = target.name
        target.units.append(member)


def _unit_named(group, name: str):
    return next(u for u in group.units if u.name == name)


def _say_init(ctx: Ctx, where, job: str, why: str, dependants: list) -> None:
    tasks = ", ".join(dependants)
    ctx.info(*where, f"{job} is a one-shot job ({why}): it runs as a non-essential container "
             f"in the task of {tasks}, which start only after it exited 0; it gets no ECS service. It "
             "runs once per task start (in each replica and each of those tasks), so it must be safe "
             "to repeat", "set x-ecs.job: run-task to run it once per deploy with RunTask instead, or "
             "x-ecs.job: false to keep it running as an ECS service")


def _say_run_task(ctx: Ctx, where, job: str, why: str, dependants: list) -> None:
    before = f" before {', '.join(dependants)}" if dependants else ""
    ctx.info(*where, f"{job} is a one-shot job ({why}): it gets a task definition and no "
             f"ECS service; `compose2ecs deploy` runs it once per rollout (RunTask){before} and stops "
             "on a non-zero exit; a CloudFormation stack registers it without running it; a RunTask "
             "task is outside Service Connect, so it cannot reach other services by name",
             f"run it by hand with `compose2ecs run {job}`; x-ecs.job: false keeps it running "
             "as an ECS service")


def _awaited_across_tasks(groups: list, owner: dict) -> dict:
    """compose service → services in *other* tasks that wait for it to complete."""
    out: dict = {}
    for group in groups:
        for unit in group.units:
            for dep in unit.service.depends_on:
                target = owner.get(dep.service)
                if dep.condition == "service_completed_successfully" and target not in (None, group):
                    out.setdefault(dep.service, set()).add(unit.name)
    return out


def _job_kind(unit, awaited_by):
    """(kind, key path, why) when ``unit`` is a job, else None."""
    explicit = unit.settings.get("job")
    if explicit is False:
        return None
    default = INIT if awaited_by else RUN_TASK
    if explicit is not None:
        kind = default if explicit is True else explicit
        return kind, ("x-ecs", "job"), f"x-ecs.job: {str(explicit).lower()}"
    if awaited_by:
        return INIT, ("depends_on",), f"{', '.join(sorted(awaited_by))} wait(s) for it to complete"
    if service_has_ports(unit.service):
        return None
    restart = (unit.service.restart or "").split(":", 1)[0]
    if restart in ONE_SHOT_RESTARTS:
        return RUN_TASK, ("restart",), f"restart: {unit.service.restart}"
    policy = dict(unit.service.deploy.restart_policy).get("condition")
    if policy in ONE_SHOT_POLICIES:
        return RUN_TASK, ("deploy", "restart_policy", "condition"), f"restart_policy condition {policy}"
    return None


def restart_makes_job(unit) -> bool:
    """True when ``restart`` alone makes ``unit`` a job (its generic finding would be wrong)."""
    found = _job_kind(unit, None)
    return found is not None and found[1] == ("restart",)


def service_has_ports(service) -> bool:
    return bool(service.ports) or bool(service.expose)
