"""ECS's numeric limits per launch type, checked on the lowered containers and task.

Fargate sizes are a grid (fargate.py); under EC2 the task size is free within a range and the
container numbers only have to fit the API's 32-bit integers. Values outside become one
located user error each (exit 2) instead of a task definition ECS would refuse.

Sources (ecs-facts.md §1–3, botocore ``ecs`` model docs):
RegisterTaskDefinitionRequest.cpu ("between 128 CPU units … and 196608 CPU units" on EC2),
ContainerDefinition.cpu/memory/memoryReservation/stopTimeout and LinuxParameters.sharedMemorySize
(``Integer`` = signed 32-bit), stopTimeout/startTimeout on Fargate 2–120 s.
"""
from __future__ import annotations


from ..errors import diagnostic
from . import fargate
from ..records import record

INT32_MAX = 2**31 - 1


@record
class Range:
    low: int
    high: int
    unit: str  # "CPU units", "MiB", "s"
    why: str  # where the limit comes from, in plain words


# limit name → launch type ("FARGATE" covers FARGATE_SPOT) → Range.
TABLE = {
    "task_cpu": {
        "FARGATE": Range(256, fargate.MAX_CPU, "CPU units", "the largest Fargate task (16 vCPU)"),
        "EC2": Range(128, 196608, "CPU units", "ECS's task range on EC2 is 0.125–192 vCPU"),
    },
    "task_memory": {
        "FARGATE": Range(512, fargate.MAX_MEMORY, "MiB", "the largest Fargate task (120 GiB)"),
        "EC2": Range(1, INT32_MAX, "MiB", "the largest value ECS's API accepts"),
    },
    # On Fargate the container numbers are bounded by the task-size grid (resources.task_size) and
    # stopTimeout is clamped to 2–120 s with a lossy finding (containers.stop_timeout).
    "container_cpu": {
        "EC2": Range(0, 196608, "CPU units", "an ECS task on EC2 has at most 192 vCPU"),
    },
    "container_memory": {
        "EC2": Range(0, INT32_MAX, "MiB", "the largest value ECS's API accepts"),
    },
    "shared_memory": {
        "EC2": Range(1, INT32_MAX, "MiB", "the largest value ECS's API accepts"),
    },
    "stop_timeout": {
        "EC2": Range(0, INT32_MAX, "s", "the largest value ECS's API accepts"),
    },
}

# container attribute → (limit name, what the user wrote)
_CONTAINER_FIELDS = (
    ("cpu", "container_cpu", "CPU"),
    ("memory", "container_memory", "memory limit"),
    ("memory_reservation", "container_memory", "memory reservation"),
    ("stop_timeout", "stop_timeout", "stop_grace_period"),
)


def column(launch_type: str) -> str:
    """The TABLE column for a launch type (FARGATE_SPOT shares Fargate's limits)."""
    return "EC2" if launch_type == "EC2" else "FARGATE"


def limit(name: str, launch_type: str):
    """The Range of ``name`` under ``launch_type``, or None when ECS has no such field there."""
    return TABLE[name].get(column(launch_type))


def outside(name: str, launch_type: str, value) -> str:
    """"" when ``value`` fits ``name`` under ``launch_type``, else the reason in plain words."""
    rng = limit(name, launch_type)
    if value is None or rng is None or rng.low <= value <= rng.high:
        return ""
    side = f"more than {rng.high:,}" if value > rng.high else f"less than {rng.low:,}"
    return f"{_big(value)} {rng.unit}, {side} {rng.unit} ({rng.why})"


def _big(value) -> str:
    text = f"{value:,}"
    return text if len(text) <= 24 else f"{float(value):.3g}"


def check_container(container, launch_type: str, locate) -> list:
    """Diagnostics for container numbers ECS would refuse under ``launch_type``.

    ``locate(attr)`` gives the compose Location of a container attribute (``cpu``, ``memory``,
    ``memory_reservation``, ``stop_timeout``, ``shared_memory_size``).
    """
    out = []
    shm = container.linux_parameters.shared_memory_size if container.linux_parameters else None
    values = [(attr, name, label, getattr(container, attr)) for attr, name, label in _CONTAINER_FIELDS]
    values.append(("shared_memory_size", "shared_memory", "shm_size", shm))
    for attr, name, label, value in values:
        reason = outside(name, launch_type, value)
        if reason:
            out.append(diagnostic(locate(attr), f"container {container.name}: {label} is {reason}",
                                  _HINTS[name]))
    return out


def check_task(cpu: int, memory: int, launch_type: str, at, memory_at=None, hint: str = "") -> list:
    """Diagnostics for a task size (CPU units, MiB) outside ``launch_type``'s range.

    ``memory_at`` (default ``at``) locates the memory; ``hint`` replaces the default fix.
    """
    out = []
    for name, value, label, where in (("task_cpu", cpu, "CPU", at), ("task_memory", memory, "memory",
                                                                      memory_at or at)):
        reason = outside(name, launch_type, value)
        if reason:
            out.append(diagnostic(where, f"the task's {label} is {reason}", hint or _HINTS[name]))
    return out


_HINTS = {
    "task_cpu": "lower the containers' cpus, or split the services into separate tasks (x-ecs.task)",
    "task_memory": "lower the containers' memory, or split the services into separate tasks (x-ecs.task)",
    "container_cpu": "lower cpus / cpu_shares / deploy.resources cpus",
    "container_memory": "lower mem_limit / mem_reservation / deploy.resources memory",
    "stop_timeout": "lower stop_grace_period",
    "shared_memory": "lower shm_size, e.g. 64m",
}


def render_limits() -> list:
    """Markdown lines for docs/mapping.md: the limits this module and tdsize.py enforce."""
    from .tdsize import MAX_BYTES

    lines = ["## Limits checked per launch type", "",
             "A value outside its range stops the conversion with an error at the compose key (exit 2),",
             "unless the table says it is clamped or dropped; a Fargate task size is rounded up to the size",
             "grid (docs/x-ecs.md), and one above the largest size is an error.", "",
             "| limit | Fargate | EC2 |", "|---|---|---|"]
    for name in TABLE:
        cells = []
        for launch in ("FARGATE", "EC2"):
            rng = TABLE[name].get(launch)
            cells.append(f"{rng.low:,}–{rng.high:,} {rng.unit}" if rng else _FARGATE_NOTE[name])
        lines.append(f"| {name.replace('_', ' ')} | {cells[0]} | {cells[1]} |")
    lines += ["", "* `shm_size` must be a byte size (`64m`, `1g`) on every launch type; `ulimits` are checked",
              "  by the loader (0–2,147,483,647 or -1, soft ≤ hard).",
              f"* A task definition may be at most {MAX_BYTES:,} bytes (64 KiB) as JSON, the way ECS measures",
              "  the registered request (compact; the pretty-printed file may be longer). Above it the error",
              "  names the ECS service and the biggest parts with their file:line (an `env_file` variable points",
              "  at its line): move large variables to an S3 environment file or to Secrets Manager",
              "  (`x-ecs.secrets`), or split the task.",
              "* Names: a name cut to its AWS length (families, containers, services, volumes 255; port and",
              "  Service Connect discovery names 64; security groups 255) ends with `-` and a 6-character hash",
              "  of the whole name, and port names clashing within a task (also `Web`/`web`: they are lower",
              "  case) get a hash suffix with an info finding, so two resources never share a name. Service",
              "  Connect aliases are unique per port in the namespace: services whose names differ only in",
              "  case (`Web`, `web`) cannot both be `web:80`; the later one gets a hashed alias (lossy)."]
    return lines


_FARGATE_NOTE = {"container_cpu": "within the task size", "container_memory": "within the task size",
                 "shared_memory": "not supported (dropped)", "stop_timeout": "2–120 s (clamped, lossy)"}
