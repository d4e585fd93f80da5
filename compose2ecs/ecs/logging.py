"""``logging`` → ``logConfiguration``: CloudWatch Logs (awslogs) unless the user said otherwise.

Fargate accepts awslogs, splunk and awsfirelens only (ecs-facts.md §3). ``splunk`` is kept when
its required options (``splunk-url``, ``splunk-token``) are given; ``awsfirelens`` needs a
FireLens log-router container compose cannot declare, so it is replaced. Local drivers
(json-file, local, journald, …) mean nothing on AWS: every other container logs to the project's
log group ``/ecs/<project>`` with its ECS container name as stream prefix.

An explicit ``awslogs-group`` that CloudWatch would reject (1–512 of ``[.-_/#A-Za-z0-9]``, not
starting ``aws/``) is a located error: the user named a group, so silently logging elsewhere
would be worse than stopping.
"""
from __future__ import annotations

import re
from typing import Optional

from .context import Ctx, Unit
from .model import LogConfiguration

# awslogs options ECS and cfn-lint accept besides the three we always set.
AWSLOGS_OPTIONS = ("awslogs-create-group", "awslogs-datetime-format", "awslogs-multiline-pattern",
                   "mode", "max-buffer-size")
LOCAL_DRIVERS = ("json-file", "local", "journald", "syslog", "etwlogs", "none")
SPLUNK_REQUIRED = ("splunk-token", "splunk-url")
LOG_GROUP = re.compile(r"^(?!aws/)[.\-_/#A-Za-z0-9]{1,512}$")


def default_log_group(project_name: str) -> str:
    return f"/ecs/{project_name}"


def log_configuration(ctx: Ctx, unit: Unit) -> Optional[LogConfiguration]:
    """The container's log configuration (None only for ``driver: none``)."""
    logging = unit.service.logging
    driver = (logging.driver if logging else None) or "json-file"
    options = dict(logging.options) if logging else {}
    if driver == "none":
        ctx.info(unit, ("logging", "driver"), "logging driver none: the container's output is discarded")
        return None
    base = {"awslogs-group": ctx.log_group, "awslogs-region": ctx.region,
            "awslogs-stream-prefix": unit.container}
    if driver == "awslogs":
        return LogConfiguration("awslogs", tuple(sorted({**base, **_awslogs_options(ctx, unit, options)}.items())))
    if driver == "splunk" and all(options.get(k) for k in SPLUNK_REQUIRED):
        return _splunk(ctx, unit, options)
    _replaced(ctx, unit, driver, options)
    return LogConfiguration("awslogs", tuple(sorted(base.items())))


def _replaced(ctx: Ctx, unit: Unit, driver: str, options: dict) -> None:
    where = f"CloudWatch log group {ctx.log_group}"
    if driver in LOCAL_DRIVERS:
        if options:
            ctx.info(unit, ("logging", "options"), f"{driver} options are ignored: logs go to {where}")
        elif unit.service.logging and unit.service.logging.driver:
            ctx.info(unit, ("logging", "driver"), f"logging driver {driver} is replaced by awslogs: "
                     f"logs go to {where}, stream prefix {unit.container}")
        return
    if driver == "splunk":
        missing = ", ".join(k for k in SPLUNK_REQUIRED if not options.get(k))
        reason = f"ECS needs the splunk options {missing}, which are missing"
        hint = "set splunk-url and splunk-token in logging.options to keep the splunk driver"
    elif driver == "awsfirelens":
        reason = "awsfirelens needs a FireLens log-router container (firelensConfiguration) in the task, " \
                 "which compose cannot declare"
        hint = "add the log router to the task definition yourself, or ship logs onwards from CloudWatch"
    else:
        reason = f"ECS tasks (Fargate) support only the awslogs, splunk and awsfirelens drivers, not {driver}"
        hint = "ship logs onwards from CloudWatch, or use a FireLens sidecar"
    ctx.lossy(unit, ("logging", "driver"), f"logging driver {driver} is replaced by awslogs: {reason}; "
              f"logs go to {where}", hint)


def _splunk(ctx: Ctx, unit: Unit, options: dict) -> LogConfiguration:
    ctx.info(unit, ("logging", "options", "splunk-token"), "the splunk token is written in plain text into "
             "the task definition", "store it in Secrets Manager and reference it from "
             "logConfiguration.secretOptions (name splunk-token)")
    values = {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in options.items()}
    return LogConfiguration("splunk", tuple(sorted(values.items())))


def _awslogs_options(ctx: Ctx, unit: Unit, options: dict) -> dict:
    out = {}
    for key, value in sorted(options.items()):
        if key in ("awslogs-group", "awslogs-stream-prefix"):
            out[key] = str(value)
        elif key == "awslogs-region":
            continue  # the region is the deployment's
        elif key in AWSLOGS_OPTIONS:
            out[key] = str(value).lower() if isinstance(value, bool) else str(value)
        else:
            ctx.lossy(unit, ("logging", "options", key), f"awslogs option {key} is not accepted by ECS; dropped")
    if "awslogs-group" in out and not LOG_GROUP.match(out["awslogs-group"]):
        raise ctx.error(ctx.svc_at(unit, "logging", "options", "awslogs-group"),
                        f"awslogs-group {out['awslogs-group']!r} is not a CloudWatch log group name (1–512 of "
                        "letters, digits and . - _ / #, not starting with aws/)",
                        f"use a name like /ecs/{ctx.project.name}, or remove it to use {ctx.log_group}")
    if "awslogs-datetime-format" in out and "awslogs-multiline-pattern" in out:
        del out["awslogs-multiline-pattern"]
        ctx.lossy(unit, ("logging", "options", "awslogs-multiline-pattern"),
                  "awslogs-multiline-pattern dropped: ECS accepts it or awslogs-datetime-format, not both")
    return out
