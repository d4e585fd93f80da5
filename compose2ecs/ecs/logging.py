"""``logging`` → ``logConfiguration``: CloudWatch Logs (awslogs) unless the user said ``none``.

Fargate accepts awslogs, splunk and awsfirelens only (ecs-facts.md §3); local drivers
(json-file, local, journald, …) mean nothing on AWS, so every container logs to the project's
log group ``/ecs/<project>`` with the compose service as stream prefix.
"""
from __future__ import annotations

from typing import Optional

from .context import Ctx, Unit
from .model import LogConfiguration

# awslogs options ECS and cfn-lint accept besides the three we always set.
AWSLOGS_OPTIONS = ("awslogs-create-group", "awslogs-datetime-format", "awslogs-multiline-pattern",
                   "mode", "max-buffer-size")
LOCAL_DRIVERS = ("json-file", "local", "journald", "syslog", "etwlogs", "none")


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
    if driver in LOCAL_DRIVERS:
        if options:
            ctx.info(unit, ("logging", "options"), f"{driver} options are ignored: logs go to CloudWatch "
                     f"log group {ctx.log_group}")
    else:
        ctx.lossy(unit, ("logging", "driver"), f"logging driver {driver} is replaced by awslogs (Fargate supports "
                  f"awslogs, splunk and awsfirelens); logs go to CloudWatch log group {ctx.log_group}",
                  "ship logs onwards from CloudWatch, or use a FireLens sidecar")
    return LogConfiguration("awslogs", tuple(sorted(base.items())))


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
    if "awslogs-datetime-format" in out and "awslogs-multiline-pattern" in out:
        del out["awslogs-multiline-pattern"]
        ctx.lossy(unit, ("logging", "options", "awslogs-multiline-pattern"),
                  "awslogs-multiline-pattern dropped: ECS accepts it or awslogs-datetime-format, not both")
    return out
