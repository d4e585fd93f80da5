"""The task-definition ORACLE: would ECS accept this ``register-task-definition`` input?

``task_definition_problems(td)`` returns plain-words problems (empty list = accepted):
botocore's ParamValidator on the RegisterTaskDefinition input shape, enum values, and the
ECS/Fargate rules of ../shared/reference/ecs-facts.md §1–3 that the shape cannot express.
Shared by every suite that emits task definitions (taskdef, CloudFormation, deploy).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache

FARGATE_LOG_DRIVERS = {"awslogs", "splunk", "awsfirelens"}
AWSLOGS_OPTIONS = {"awslogs-group", "awslogs-region", "awslogs-stream-prefix", "awslogs-create-group",
                   "awslogs-datetime-format", "awslogs-multiline-pattern", "mode", "max-buffer-size",
                   "awslogs-endpoint", "awslogs-credentials-endpoint"}
NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
PORT_NAME = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,63}$")
MAX_BYTES = 65536
HEALTH_RANGES = {"interval": (5, 300), "timeout": (2, 60), "retries": (1, 10), "startPeriod": (0, 300)}
FARGATE_INVALID = ("privileged", "dnsServers", "dnsSearchDomains", "dockerSecurityOptions", "extraHosts",
                   "links", "disableNetworking", "gpu")
AWSVPC_INVALID = ("hostname", "extraHosts", "links")
FARGATE_INVALID_LINUX = ("devices", "sharedMemorySize", "tmpfs", "maxSwap", "swappiness")
FARGATE_SYSCTL = re.compile(r"^(net\.|kernel\.msg|kernel\.sem|kernel\.shm|fs\.mqueue\.)")
ULIMITS = set("core cpu data fsize locks memlock msgqueue nice nofile nproc rss rtprio rttime sigpending stack".split())
USER_TEXT = {"environment", "command", "entryPoint", "healthCheck", "dockerLabels"}


def _tiers():
    grid = lambda a, b, s: set(range(a, b + 1, s))  # noqa: E731
    return {256: {512, 1024, 2048}, 512: grid(1024, 4096, 1024), 1024: grid(2048, 8192, 1024),
            2048: grid(4096, 16384, 1024), 4096: grid(8192, 30720, 1024), 8192: grid(16384, 61440, 4096),
            16384: grid(32768, 122880, 8192)}


FARGATE_SIZES = _tiers()


@lru_cache(maxsize=1)
def _shape():
    import botocore.session

    model = botocore.session.get_session().get_service_model("ecs")
    return model.operation_model("RegisterTaskDefinition").input_shape


def shape_problems(td: dict) -> list:
    """botocore ParamValidator + enum membership, recursively."""
    from botocore.validate import ParamValidator

    report = ParamValidator().validate(td, _shape())
    problems = [report.generate_report()] if report.has_errors() else []
    _enums(_shape(), td, "", problems)
    return problems


def _enums(shape, value, path, problems):
    if shape.type_name == "structure" and isinstance(value, dict):
        for key, member in shape.members.items():
            if key in value:
                _enums(member, value[key], f"{path}.{key}" if path else key, problems)
    elif shape.type_name == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            _enums(shape.member, item, f"{path}[{i}]", problems)
    elif shape.type_name == "string" and getattr(shape, "enum", None) and isinstance(value, str):
        if value not in shape.enum:
            problems.append(f"{path}: {value!r} is not one of {sorted(shape.enum)}")


def task_definition_problems(td: dict) -> list:
    """Every reason ECS would reject ``td`` (a RegisterTaskDefinition input); [] when valid."""
    problems = shape_problems(td)
    containers = td.get("containerDefinitions") or []
    fargate = "FARGATE" in (td.get("requiresCompatibilities") or [])
    size = len(json.dumps(td, separators=(",", ":")).encode("utf-8"))
    if size > MAX_BYTES:
        problems.append(f"task definition is {size} bytes; ECS allows {MAX_BYTES}")
    if not NAME.match(str(td.get("family", ""))):
        problems.append(f"family {td.get('family')!r} does not match {NAME.pattern}")
    if not 1 <= len(containers) <= 10:
        problems.append(f"{len(containers)} containers; ECS allows 1 to 10")
    problems += _task_level(td, containers, fargate)
    names = [c.get("name") for c in containers]
    if len(set(names)) != len(names):
        problems.append(f"duplicate container names {names}")
    if containers and not any(c.get("essential", True) for c in containers):
        problems.append("no essential container")
    problems += _ports(td, containers)
    volumes = {v.get("name") for v in td.get("volumes") or []}
    by_name = {c.get("name"): c for c in containers}
    for c in containers:
        problems += [f"container {c.get('name')}: {p}" for p in _container(td, c, fargate, volumes, by_name)]
    problems += _placeholders(td, "")
    return problems


def _task_level(td: dict, containers: list, fargate: bool) -> list:
    out = []
    if fargate or td.get("networkMode") == "awsvpc":
        if td.get("networkMode") != "awsvpc":
            out.append("Fargate requires networkMode awsvpc")
    if fargate:
        try:
            cpu, mem = int(td["cpu"]), int(td["memory"])
        except (KeyError, ValueError):
            out.append("Fargate requires task cpu and memory as numbers in strings")
            cpu = mem = None
        if cpu is not None and mem not in FARGATE_SIZES.get(cpu, ()):
            out.append(f"cpu {cpu} / memory {mem} is not a valid Fargate size")
        if td.get("ipcMode"):
            out.append("ipcMode is not supported on Fargate")
        if td.get("pidMode") not in (None, "task"):
            out.append("Fargate allows pidMode task only")
        if td.get("placementConstraints"):
            out.append("placementConstraints are not valid on Fargate")
        for v in td.get("volumes") or []:
            if "dockerVolumeConfiguration" in v or (v.get("host") or {}).get("sourcePath"):
                out.append(f"volume {v.get('name')}: Fargate supports EFS and host volumes without sourcePath only")
        if (td.get("runtimePlatform") or {}).get("cpuArchitecture") == "ARM64" and \
                str((td.get("runtimePlatform") or {}).get("operatingSystemFamily", "LINUX")) != "LINUX":
            out.append("ARM64 is Linux only")
    eph = (td.get("ephemeralStorage") or {}).get("sizeInGiB")
    if eph is not None and not 21 <= eph <= 200:
        out.append(f"ephemeralStorage {eph} GiB outside 21-200")
    out += _volumes(td)
    out += _sums(td, containers)
    uses_role = any((c.get("logConfiguration") or {}).get("logDriver") == "awslogs" or c.get("secrets")
                    or c.get("repositoryCredentials") for c in containers)
    if uses_role and not td.get("executionRoleArn"):
        out.append("awslogs, secrets or repositoryCredentials need executionRoleArn")
    return out


def _volumes(td: dict) -> list:
    out, names = [], []
    for v in td.get("volumes") or []:
        names.append(v.get("name"))
        if not NAME.match(str(v.get("name", ""))):
            out.append(f"volume name {v.get('name')!r} does not match {NAME.pattern}")
        efs = v.get("efsVolumeConfiguration")
        if efs:
            auth = efs.get("authorizationConfig") or {}
            if (auth.get("accessPointId") or auth.get("iam") == "ENABLED"):
                if efs.get("transitEncryption") != "ENABLED":
                    out.append(f"volume {v['name']}: access point / IAM needs transitEncryption ENABLED")
                if efs.get("rootDirectory") not in (None, "/"):
                    out.append(f"volume {v['name']}: access point / IAM needs rootDirectory omitted or /")
    if len(set(names)) != len(names):
        out.append(f"duplicate volume names {names}")
    return out


def _sums(td: dict, containers: list) -> list:
    out = []
    try:
        cpu, mem = int(td.get("cpu", 0) or 0), int(td.get("memory", 0) or 0)
    except ValueError:
        return out
    need_cpu = sum(c.get("cpu", 0) for c in containers)
    need_mem = sum(max(c.get("memory", 0), c.get("memoryReservation", 0)) for c in containers)
    if cpu and need_cpu > cpu:
        out.append(f"containers ask for {need_cpu} CPU units, task has {cpu}")
    if mem and need_mem > mem:
        out.append(f"containers ask for {need_mem} MiB, task has {mem}")
    if not mem and any("memory" not in c and "memoryReservation" not in c for c in containers):
        out.append("without task memory every container needs memory or memoryReservation")
    return out


def _ports(td: dict, containers: list) -> list:
    out, seen, port_names = [], {}, set()
    awsvpc = td.get("networkMode") == "awsvpc"
    for c in containers:
        for m in c.get("portMappings") or []:
            cp, rng = m.get("containerPort"), m.get("containerPortRange")
            if (cp is None) == (rng is None):
                out.append(f"container {c.get('name')}: a port mapping needs containerPort or containerPortRange")
            if awsvpc and m.get("hostPort") not in (None, cp):
                out.append(f"container {c.get('name')}: awsvpc hostPort must equal containerPort {cp}")
            if m.get("name") is not None:
                if not PORT_NAME.match(m["name"]):
                    out.append(f"port name {m['name']!r} does not match {PORT_NAME.pattern}")
                if m["name"] in port_names:
                    out.append(f"duplicate port name {m['name']!r}")
                port_names.add(m["name"])
            if m.get("appProtocol") and not m.get("name"):
                out.append(f"container {c.get('name')}: appProtocol needs a port name")
            key = cp if cp is not None else rng
            proto = m.get("protocol", "tcp")
            if key in seen and awsvpc:
                out.append(f"port {key} is mapped twice in the task ({seen[key]} and {c.get('name')}/{proto})")
            seen.setdefault(key, f"{c.get('name')}/{proto}")
    return out


def _container(td: dict, c: dict, fargate: bool, volumes: set, by_name: dict) -> list:
    out = []
    if not NAME.match(str(c.get("name", ""))):
        out.append(f"name does not match {NAME.pattern}")
    image = str(c.get("image", ""))
    if not image or len(image) > 255 or "${" in image:
        out.append(f"image {image!r} is empty, too long or unresolved")
    if c.get("memory") is not None and c.get("memoryReservation") is not None \
            and c["memory"] <= c["memoryReservation"]:
        out.append("memory must be greater than memoryReservation")
    out += _logging(c, fargate)
    out += _health(c.get("healthCheck"))
    out += _depends(c, by_name)
    for m in c.get("mountPoints") or []:
        if m.get("sourceVolume") not in volumes:
            out.append(f"mountPoint volume {m.get('sourceVolume')!r} is not a task volume")
    for v in c.get("volumesFrom") or []:
        if v.get("sourceContainer") not in by_name or v.get("sourceContainer") == c.get("name"):
            out.append(f"volumesFrom {v.get('sourceContainer')!r} is not another container of the task")
    env = [e["name"] for e in c.get("environment") or []]
    secrets = [s["name"] for s in c.get("secrets") or []]
    if len(set(env)) != len(env) or len(set(secrets)) != len(secrets) or set(env) & set(secrets):
        out.append("environment/secrets variable names are not unique")
    for u in c.get("ulimits") or []:
        if u.get("name") not in ULIMITS:
            out.append(f"ulimit {u.get('name')} is unknown")
    if td.get("networkMode") == "awsvpc":
        out += [f"{k} is not valid in awsvpc network mode" for k in AWSVPC_INVALID if k in c]
    if fargate:
        out += _fargate_container(c)
    return out


def _fargate_container(c: dict) -> list:
    out = [f"{k} is not valid on Fargate" for k in FARGATE_INVALID if c.get(k)]
    if any(r.get("type") == "GPU" for r in c.get("resourceRequirements") or []):
        out.append("GPU is not available on Fargate")
    lp = c.get("linuxParameters") or {}
    out += [f"linuxParameters.{k} is not valid on Fargate" for k in FARGATE_INVALID_LINUX if k in lp]
    added = set((lp.get("capabilities") or {}).get("add") or [])
    if added - {"SYS_PTRACE"}:
        out.append(f"Fargate can only add SYS_PTRACE, not {sorted(added - {'SYS_PTRACE'})}")
    stop = c.get("stopTimeout")
    if stop is not None and not 2 <= stop <= 120:
        out.append(f"stopTimeout {stop} outside Fargate's 2-120")
    for s in c.get("systemControls") or []:
        if not FARGATE_SYSCTL.match(str(s.get("namespace", ""))):
            out.append(f"systemControl {s.get('namespace')} is not namespaced (Fargate)")
    return out


def _logging(c: dict, fargate: bool) -> list:
    log = c.get("logConfiguration")
    if not log:
        return []
    out = []
    driver = log.get("logDriver")
    if fargate and driver not in FARGATE_LOG_DRIVERS:
        out.append(f"log driver {driver} is not available on Fargate")
    if driver == "awslogs":
        options = log.get("options") or {}
        required = {"awslogs-group", "awslogs-region"} | ({"awslogs-stream-prefix"} if fargate else set())
        out += [f"awslogs option {k} is required" for k in sorted(required - set(options))]
        out += [f"awslogs option {k} is not accepted" for k in sorted(set(options) - AWSLOGS_OPTIONS)]
        if "awslogs-datetime-format" in options and "awslogs-multiline-pattern" in options:
            out.append("awslogs-datetime-format and awslogs-multiline-pattern are exclusive")
        group = str(options.get("awslogs-group", ""))
        if group and (not re.match(r"^[.\-_/#A-Za-z0-9]{1,512}$", group) or group.startswith("aws/")):
            out.append(f"log group name {group!r} is invalid")
    return out


def _health(hc) -> list:
    if not hc:
        return []
    out = []
    cmd = hc.get("command") or []
    if not cmd or cmd[0] not in ("CMD", "CMD-SHELL"):
        out.append(f"healthCheck command must start with CMD or CMD-SHELL: {cmd[:1]}")
    for key, (lo, hi) in HEALTH_RANGES.items():
        if key in hc and not lo <= hc[key] <= hi:
            out.append(f"healthCheck {key} {hc[key]} outside {lo}-{hi}")
    return out


def _depends(c: dict, by_name: dict) -> list:
    out = []
    for d in c.get("dependsOn") or []:
        target = by_name.get(d.get("containerName"))
        if target is None or target is c:
            out.append(f"dependsOn {d.get('containerName')!r} is not another container of the task")
            continue
        cond = d.get("condition")
        if cond in ("COMPLETE", "SUCCESS") and target.get("essential", True):
            out.append(f"dependsOn {cond} cannot target essential container {target['name']}")
        if cond == "HEALTHY" and not target.get("healthCheck"):
            out.append(f"dependsOn HEALTHY needs a healthCheck on {target['name']}")
    return out


def _placeholders(value, path: str) -> list:
    """``${`` outside user-supplied text means an unresolved compose variable leaked."""
    if isinstance(value, dict):
        return [p for k, v in value.items() if k not in USER_TEXT for p in _placeholders(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _placeholders(v, f"{path}[{i}]")]
    if isinstance(value, str) and "${" in value:
        return [f"{path}: {value!r} looks like an unresolved variable"]
    return []
