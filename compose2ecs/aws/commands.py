"""What each AWS command does once its options are parsed: call the library, render.

Kept apart from the typer layer so tests (and other front-ends) can run a command with
injected clients, progress, clock and sleep. Results go to stdout, progress to stderr.
"""
from __future__ import annotations

import sys
import time
from typing import Callable, Optional

from ..errors import AwsError, Cancelled, Location, UserError
from .progress import Progress


def run_deploy(ecs, clients, progress: Progress, via: Optional[str] = None, dry_run: bool = False,
               wait: bool = True, timeout: float = 900, confirm: Optional[Callable] = None,
               no_rollback: bool = False, s3_bucket: Optional[str] = None,
               sleep: Callable = time.sleep, clock: Callable = time.time, render=None,
               built_images: Optional[dict] = None):
    """`deploy`: the api path (plan → apply → wait) or the CloudFormation change-set path
    (``via`` None: api, unless the project needs what only CloudFormation creates; aws/via.py).
    ``built_images`` (service → digest URI) fill the template's image parameters."""
    from .via import choose_via

    via, note = choose_via(ecs, via)
    if note:
        progress.note(note)
    if via == "cloudformation":
        return _deploy_stack(ecs, clients, progress, dry_run, no_rollback, s3_bucket, timeout, sleep, clock,
                             built_images or {})
    check_via(via)
    from .deploy import DeployOptions, deploy, render_result
    from .plan import render_plan

    # Local emulators (--endpoint-url) have no IAM propagation delay to wait out.
    iam_wait = 0.0 if clients.endpoint_url() else DeployOptions.iam_propagation_seconds
    options = DeployOptions(dry_run=dry_run, wait=wait, timeout=timeout, iam_propagation_seconds=iam_wait)
    result = deploy(ecs, clients, options, progress, sleep, clock, render, confirm=confirm)
    if dry_run:
        progress.result(result.data(), render_plan(result.plan))
    else:
        progress.result(result.data(), render_result(result))
    progress.close()
    return result


def _built_image_parameters(template: dict, built_images) -> dict:
    if not built_images:
        return {}
    from ..images.command import image_parameters

    return image_parameters(template, built_images)


def _deploy_stack(ecs, clients, progress, dry_run, no_rollback, s3_bucket, timeout, sleep, clock, built_images=None):
    from .network import resolve_network
    from .stack import (StackDeployer, StackOptions, dump, refuse_placeholders, render_changes, stack_parameters,
                        templates_for, with_uploaded_nested)

    from .secrets import restart_services, stack_values

    ecs, restart = stack_values(ecs, clients, progress, dry_run)  # values stored first (issue 16)
    template, nested = templates_for(ecs)
    # before any AWS call; an image deploy has just built and pushed is filled in, not refused
    refuse_placeholders(ecs, template, _built_image_parameters(template, built_images))
    vpc_id, subnets = resolve_network(clients.ec2, ecs.vpc_id, ecs.subnets)
    known = {"VpcId": vpc_id, "Subnets": ",".join(subnets),
             # the default VPC has no NAT gateway: tasks without internet ports pull images over a public IP
             "PublicIpForPulls": "DISABLED" if ecs.vpc_id or ecs.subnets else "ENABLED"}
    if ecs.cluster.existing:
        known["ExistingClusterName"] = ecs.cluster.name
    known.update(existing_load_balancer(ecs, template, clients.elbv2))
    if built_images:
        from ..images.command import image_parameters

        known.update(image_parameters(template, built_images))
    parameters = stack_parameters(template, known)
    deployer = StackDeployer(clients.cloudformation, clients.s3 if s3_bucket else None, progress, sleep, clock)
    template = with_uploaded_nested(template, deployer.upload_nested(ecs, nested, s3_bucket))
    result = deployer.deploy(ecs, dump(template), StackOptions(dry_run=dry_run, no_rollback=no_rollback,
                                                               s3_bucket=s3_bucket, timeout=timeout), parameters)
    restart_services(clients, result.outputs.get("ClusterName") or ecs.cluster.name, restart, progress)
    progress.result(result.data(), render_changes(result))
    progress.close()
    return result


VIA = ("api", "cloudformation")


def check_via(via: str) -> None:
    """``--via`` is api or cloudformation (or not given); anything else is a user error (exit 2)."""
    if via is not None and via not in VIA:
        raise UserError.at(Location(key_path=("--via",)), f"{via!r} is not one of: {', '.join(VIA)}",
                           "use --via api (boto3) or --via cloudformation")


LB_PARAMETERS = ("LoadBalancerArn", "LoadBalancerSecurityGroupId")


def existing_load_balancer(ecs, template: dict, elbv2) -> dict:
    """Values for the existing load balancer's parameters the template leaves open (an
    x-aws-loadbalancer given by name; no x-ecs load_balancer_security_group), read from the
    load balancer. A load balancer with no or several security groups leaves that one open:
    the missing-parameter error then names it."""
    declared = template.get("Parameters", {})
    wanted = [k for k in LB_PARAMETERS if k in declared and "Default" not in declared[k]]
    given = dict(ecs.extensions).get("load_balancer_arn")
    if not wanted or not given:
        return {}
    from .errors import aws_errors

    query = {"LoadBalancerArns": [given]} if given.startswith("arn:") else {"Names": [given]}
    with aws_errors(f"load balancer {given}"):
        found = elbv2.describe_load_balancers(**query)["LoadBalancers"]
    if len(found) != 1:
        return {}
    groups = found[0].get("SecurityGroups") or []
    values = {"LoadBalancerArn": found[0]["LoadBalancerArn"]}
    if len(groups) == 1:
        values["LoadBalancerSecurityGroupId"] = groups[0]
    return {k: v for k, v in values.items() if k in wanted}


def run_plan(ecs, clients, progress: Progress, render=None) -> bool:
    """`plan`: print the actions and task-definition diffs; returns True when something changes."""
    from .plan import make_plan, plan_data, render_plan

    plan = make_plan(ecs, clients, render)
    progress.result(plan_data(plan), render_plan(plan))
    return bool(plan.changes())


def run_status(project: str, clients, ecs, cluster: Optional[str], only: tuple, output: str,
               write: Optional[Callable] = None):
    """`status`: the table (or JSON) of the project's services."""
    write = write or sys.stdout.write  # looked up per call: stdout may have been replaced
    from .status import project_status, render_json, render_text

    hint = cluster or (ecs.cluster.name if ecs is not None else None)
    found_cluster, rows = project_status(clients, project, hint, ecs, only)
    render = render_json if output == "json" else render_text
    write(render(project, found_cluster, rows))
    return rows


def run_ps(project: str, clients, ecs, cluster: Optional[str], only: tuple, output: str,
           write: Optional[Callable] = None):
    """`ps`: the project's running tasks (service, status, health, public IP, ports)."""
    write = write or sys.stdout.write
    from .ps import project_tasks, render_json, render_text

    hint = cluster or (ecs.cluster.name if ecs is not None else None)
    found_cluster, rows = project_tasks(clients, project, hint, ecs, only)
    write((render_json if output == "json" else render_text)(project, found_cluster, rows))
    return rows


def run_one_off(ecs, clients, progress: Progress, service: str, command: tuple, detach: bool,
                timeout: float = 3600, write: Callable = print, sleep: Callable = time.sleep,
                clock: Callable = time.time) -> int:
    """`run`: one task of ``service`` (command replaced when given); returns the container's
    exit code (0 with --detach, after printing the task ARN)."""
    from .run import RunOptions, run_service

    arn, code = run_service(ecs, clients, service, RunOptions(tuple(command), detach, timeout), write,
                            progress, sleep, clock)
    if detach:
        write(arn)
        return 0
    progress.note(f"run {service}: task {arn.rsplit('/', 1)[-1]} exited {code}")
    return code


def run_logs(project: str, clients, ecs, cluster: Optional[str], only: tuple, follow: bool,
             since: Optional[str], tail: Optional[int], write: Callable = print,
             sleep: Callable = time.sleep, clock: Callable = time.time, max_polls=None) -> int:
    """`logs`: merged CloudWatch lines of the selected services."""
    from .discover import find_project
    from .logs import log_sources, parse_since, stream

    since_ms = parse_since(since, clock()) if since else None  # before any AWS call
    found = find_project(clients, project, cluster or (ecs.cluster.name if ecs is not None else None))
    if found.cluster is None:
        raise AwsError(f"project {project}", "nothing is deployed", f"run `compose2ecs deploy -p {project}` first",
                       code="NotDeployed")
    services = [s for s in found.services if not only or s["serviceName"] in only]
    unknown = sorted(set(only) - {s["serviceName"] for s in found.services})
    if unknown:
        names = ", ".join(s["serviceName"] for s in found.services) or "none"
        raise UserError.at(Location(key_path=("SERVICE",)), f"project {project} has no deployed service named "
                           f"{', '.join(unknown)}", f"deployed services: {names}")
    return stream(clients.logs, log_sources(clients.ecs, services), write, since_ms, tail, follow,
                  sleep, clock, max_polls)


def run_down(project: str, clients, progress: Progress, cluster: Optional[str], logs: bool, volumes: bool,
             confirm: Callable[[str], bool], sleep: Callable = time.sleep, images: bool = False,
             everything: bool = False):
    """`down`: list what goes (and what stays), ask, delete, and report exactly what was done —
    also when interrupted or failing half-way. Returns the inventory; a "no" at the prompt raises
    :class:`Cancelled` (exit 1, like a declined deploy)."""
    from .down import Remover, find_inventory, removing

    inventory = find_inventory(clients, project, cluster, remove=removing(logs, volumes, images, everything))
    kept = inventory.kept_lines()
    if inventory.empty:
        text = f"{project}: nothing to remove" + "".join(f"\n  kept:{line}" for line in kept)
        progress.result({"project": project, "deleted": [], "kept": [k.strip() for k in kept]}, text)
        return inventory
    text = "\n".join([f"This removes from AWS ({project}):"] + inventory.lines()
                     + (["It keeps:"] + kept if kept else []))
    sys.stderr.write(text + "\n")
    if not confirm("Delete these resources?"):
        raise Cancelled(f"down {project}", "cancelled; nothing was deleted")
    remover = Remover(clients, progress, sleep)
    try:
        remover.remove(inventory)
    except KeyboardInterrupt:
        raise _stopped(project, remover, "interrupted", "Interrupted") from None
    except AwsError:
        done = remover.done_lines() or ["  nothing"]
        sys.stderr.write("\n".join([f"Deleted before the failure ({project}):"] + done
                                   + [f"The rest is still there: after fixing the cause, run `compose2ecs down -p "
                                      f"{project}` again to finish."]) + "\n")
        raise
    message = "\n".join([f"{project}: removed"] + remover.done_lines() + (["kept:"] + kept if kept else []))
    progress.result({"project": project, "deleted": [line.strip() for line in remover.done_lines()],
                     "kept": [k.strip() for k in kept]}, message)
    progress.close()
    return inventory


def _stopped(project: str, remover, what: str, code: str) -> AwsError:
    """The error for a `down` stopped half-way: what it deleted (listed on stderr, counted in
    the message), and that running it again finishes the job."""
    sys.stderr.write("\n".join([f"Deleted before it stopped ({project}):"] + (remover.done_lines() or ["  nothing"]))
                     + "\n")
    counts: dict = {}
    for kind, _name, _detail in remover.done:
        counts[kind] = counts.get(kind, 0) + 1
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    error = AwsError(f"down {project}", f"{what} after deleting {len(remover.done)} resource(s)"
                     + (f" ({summary}, listed above)" if summary else ""),
                     f"the rest is still there; run `compose2ecs down -p {project}` again to finish", code=code)
    error.exit_code = 130  # as for any Ctrl-C
    return error
