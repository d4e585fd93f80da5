"""THE support table: every compose service key → how it lowers onto ECS, or why it cannot.

One allow-list (design.md §6.5). ``docs/mapping.md`` is rendered from it by
:func:`render_mapping`, and ``tests/test_support.py`` fails when a key of the vendored
compose schema is missing here or when the document is stale.

Kinds:

* ``mapped``      lowered by a lowering module (which reports anything lossy itself);
* ``ec2``         not valid on Fargate: an ``unsupported`` finding there, lowered under the EC2
                  launch type (``ec2_key`` names the API field);
* ``unsupported`` ECS cannot express it on any launch type: dropped with a finding;
* ``info``        ignored on purpose (ECS does it its own way): an ``info`` finding;
* ``front-end``   consumed by the compose loader before lowering (nothing left to lower).
"""
from __future__ import annotations

from dataclasses import fields
from typing import Any

from ..records import record

MAPPED, EC2, UNSUPPORTED, INFO, FRONTEND = "mapped", "ec2", "unsupported", "info", "front-end"


@record
class Rule:
    kind: str
    how: str  # for docs/mapping.md: how it lowers, or why not
    message: str = ""  # finding text when the key is present (ec2/unsupported/info)
    hint: str = ""
    ec2_key: str = ""  # ContainerDefinition/TaskDefinition field used on EC2


_SC = "services reach each other by compose service name through Service Connect"

TABLE = {
    "annotations": Rule(UNSUPPORTED, "ECS has no OCI annotations", "has no ECS equivalent; dropped",
                        "use labels (they become dockerLabels)"),
    "attach": Rule(INFO, "log attachment is a local docker concern", "is ignored; logs go to CloudWatch"),
    "blkio_config": Rule(UNSUPPORTED, "ECS cannot set block-I/O weights or limits",
                         "cannot be expressed on ECS; dropped"),
    "build": Rule(MAPPED, "ECS runs images: `image` (or `--image SERVICE=URI` / `x-ecs.image`) is used; "
                  "a build-only service gets a placeholder image listed in the report; `deploy` builds, pushes "
                  "to ECR and pins the digest (docs/deploy.md)"),
    "cap_add": Rule(MAPPED, "`linuxParameters.capabilities.add`, `CAP_` prefix stripped; on Fargate only "
                    "SYS_PTRACE is allowed, others dropped (unsupported)"),
    "cap_drop": Rule(MAPPED, "`linuxParameters.capabilities.drop`, `CAP_` prefix stripped"),
    "cgroup": Rule(UNSUPPORTED, "ECS manages cgroups", "cannot be set on ECS; dropped"),
    "cgroup_parent": Rule(UNSUPPORTED, "ECS manages cgroups", "cannot be set on ECS; dropped"),
    "command": Rule(MAPPED, "`command` (string split into words like Compose does)"),
    "configs": Rule(MAPPED, "files at their target, written by the task's init container from an SSM "
                    "parameter (Secrets Manager above 4 KiB) that deploy stores (see docs/deploy.md)"),
    "container_name": Rule(INFO, "ECS names containers after the compose service",
                           "is ignored; ECS names the container after the service"),
    "cpu_count": Rule(UNSUPPORTED, "Windows-only Docker option", "has no ECS equivalent; dropped",
                      "use cpus"),
    "cpu_percent": Rule(UNSUPPORTED, "Windows-only Docker option", "has no ECS equivalent; dropped",
                        "use cpus"),
    "cpu_period": Rule(UNSUPPORTED, "ECS sizes CPU with CPU units", "has no ECS equivalent; dropped", "use cpus"),
    "cpu_quota": Rule(UNSUPPORTED, "ECS sizes CPU with CPU units", "has no ECS equivalent; dropped", "use cpus"),
    "cpu_rt_period": Rule(UNSUPPORTED, "no real-time scheduling on ECS", "has no ECS equivalent; dropped"),
    "cpu_rt_runtime": Rule(UNSUPPORTED, "no real-time scheduling on ECS", "has no ECS equivalent; dropped"),
    "cpu_shares": Rule(MAPPED, "container `cpu` (as-is) when neither limits nor reservations give cpus"),
    "cpus": Rule(MAPPED, "container `cpu` = cpus × 1024; task size rounded up to a Fargate size"),
    "cpuset": Rule(UNSUPPORTED, "ECS does not pin CPUs", "cannot be set on ECS; dropped"),
    "credential_spec": Rule(UNSUPPORTED, "gMSA credential specs are Windows/EC2 only",
                            "is not supported; dropped"),
    "depends_on": Rule(MAPPED, "deploy creates providers first and waits until they are steady before "
                       "their dependants (CloudFormation: `DependsOn`); inside one task (x-ecs.task) → container "
                       "`dependsOn` START/HEALTHY/SUCCESS; `service_completed_successfully` across tasks makes "
                       "the provider a one-shot job (ecs/jobs.py); `service_healthy` on a provider without "
                       "healthcheck waits until it runs (lossy) and `restart: true` is not kept (info), "
                       "ecs/startorder.py; `required: false` drops the edge when the provider is absent"),
    "deploy": Rule(MAPPED, "`replicas` → desired count; `resources` → cpu/memory; `update_config` → "
                   "deployment percents; placement/restart_policy/rollback_config → info"),
    "develop": Rule(INFO, "compose watch is a local development feature", "is ignored (local development only)"),
    "device_cgroup_rules": Rule(UNSUPPORTED, "ECS cannot set device cgroup rules",
                                "cannot be set on ECS; dropped"),
    "devices": Rule(EC2, "`linuxParameters.devices` on EC2", "is not supported on Fargate (no host devices); dropped",
                    "use the EC2 launch type (x-ecs.launch_type: EC2)", "linuxParameters.devices"),
    "dns": Rule(EC2, "`dnsServers` on EC2", "is not supported on Fargate (the VPC resolver is used); dropped",
                "use the EC2 launch type, or Route 53 resolver rules", "dnsServers"),
    "dns_opt": Rule(UNSUPPORTED, "ECS has no resolver options", "has no ECS equivalent; dropped"),
    "dns_search": Rule(EC2, "`dnsSearchDomains` on EC2", "is not supported on Fargate; dropped",
                       "use the EC2 launch type, or VPC DHCP options", "dnsSearchDomains"),
    "domainname": Rule(UNSUPPORTED, "no domain name setting in awsvpc mode", "has no ECS equivalent; dropped"),
    "entrypoint": Rule(MAPPED, "`entryPoint` (string split into words)"),
    "env_file": Rule(FRONTEND, "contents inlined into `environment` by the loader (values never logged)"),
    "environment": Rule(MAPPED, "`environment`, sorted by name"),
    "expose": Rule(MAPPED, "`portMappings` (reachable by other services only)"),
    "extends": Rule(FRONTEND, "resolved by the loader"),
    "external_links": Rule(UNSUPPORTED, "links to containers outside the project do not exist on ECS",
                           "cannot be expressed on ECS; dropped", "address the other service by its DNS name"),
    "extra_hosts": Rule(UNSUPPORTED, "`extraHosts` is not valid in awsvpc network mode",
                        "is not supported in awsvpc network mode (Fargate and EC2); dropped",
                        "use DNS (Route 53 private zone) or Service Connect names"),
    "gpus": Rule(EC2, "`resourceRequirements` GPU on EC2", "is not supported on Fargate (no GPUs); dropped",
                 "use the EC2 launch type with GPU instances", "resourceRequirements"),
    "group_add": Rule(UNSUPPORTED, "ECS cannot add supplementary groups", "has no ECS equivalent; dropped",
                      "set user: uid:gid"),
    "healthcheck": Rule(MAPPED, "`healthCheck` (CMD/CMD-SHELL, seconds, ranges clamped); disable → none"),
    "hostname": Rule(UNSUPPORTED, "`hostname` is not valid in awsvpc network mode",
                     "is not supported in awsvpc network mode; dropped", _SC),
    "image": Rule(MAPPED, "`image`"),
    "init": Rule(MAPPED, "`linuxParameters.initProcessEnabled`"),
    "ipc": Rule(EC2, "`ipcMode` on EC2 (host → host, shareable or service:<same task> → task, none → none); "
                "not supported on Fargate", "is not supported on Fargate; dropped",
                "use the EC2 launch type, or group the services into one task (x-ecs.task)", "ipcMode"),
    "isolation": Rule(UNSUPPORTED, "Windows isolation modes are not configurable on ECS",
                      "has no ECS equivalent; dropped"),
    "label_file": Rule(FRONTEND, "contents merged into `labels` by the loader"),
    "labels": Rule(MAPPED, "`dockerLabels`"),
    "links": Rule(UNSUPPORTED, "`links` only works in bridge mode; compose2ecs uses awsvpc (the start "
                  "order it implies is kept: the loader adds a `depends_on` entry, as Docker Compose does)",
                  "is not supported in awsvpc network mode; dropped", _SC),
    "logging": Rule(MAPPED, "awslogs (log group /ecs/<project>); other drivers replaced (lossy)"),
    "mac_address": Rule(UNSUPPORTED, "ENIs get AWS MAC addresses", "cannot be set on ECS; dropped"),
    "mem_limit": Rule(MAPPED, "container `memory` (hard limit, MiB)"),
    "mem_reservation": Rule(MAPPED, "container `memoryReservation` (soft limit, MiB)"),
    "mem_swappiness": Rule(UNSUPPORTED, "ECS `swappiness` needs `maxSwap` and the EC2 launch type; "
                           "compose2ecs does not enable swap", "is not supported (no swap on ECS tasks); dropped"),
    "memswap_limit": Rule(UNSUPPORTED, "ECS `maxSwap` has a different meaning and is EC2-only",
                          "is not supported; dropped"),
    "models": Rule(UNSUPPORTED, "compose AI models have no ECS equivalent", "is not supported; dropped"),
    "network_mode": Rule(UNSUPPORTED, "tasks always use awsvpc networking",
                         "is not supported (ECS tasks use awsvpc networking); dropped",
                         "to share a network namespace, put the services in one task (x-ecs.task)"),
    "networks": Rule(MAPPED, "security-group reachability between services sharing a network; "
                     "aliases → info (Service Connect names are the service names)"),
    "oom_kill_disable": Rule(UNSUPPORTED, "ECS cannot disable the OOM killer", "has no ECS equivalent; dropped"),
    "oom_score_adj": Rule(UNSUPPORTED, "ECS cannot adjust OOM scores", "has no ECS equivalent; dropped"),
    "pid": Rule(EC2, "`pidMode` host on EC2 (Fargate allows only task)",
                "is not supported on Fargate; dropped", "use the EC2 launch type", "pidMode"),
    "pids_limit": Rule(UNSUPPORTED, "ECS has no PID limit", "has no ECS equivalent; dropped",
                       "use ulimits nproc"),
    "platform": Rule(MAPPED, "`runtimePlatform` (linux/arm64 → ARM64, linux/amd64 → X86_64)"),
    "ports": Rule(MAPPED, "`portMappings` (containerPort, protocol, ranges, name); a published port "
                  "different from the target cannot be remapped (lossy), unless a load balancer "
                  "fronts the service (the published port is its listener port); a port published on a "
                  "loopback or private host address (`127.0.0.1:5432:5432`) is not opened to the internet, "
                  "only to services sharing a compose network (info)"),
    "post_start": Rule(UNSUPPORTED, "ECS has no lifecycle hooks", "is not supported; dropped",
                       "run the hook in the entrypoint"),
    "pre_stop": Rule(UNSUPPORTED, "ECS has no lifecycle hooks", "is not supported; dropped",
                     "handle SIGTERM in the application"),
    "privileged": Rule(EC2, "`privileged` on EC2", "is not supported on Fargate; dropped",
                       "use the EC2 launch type, or add only the capabilities you need", "privileged"),
    "profiles": Rule(FRONTEND, "inactive services are dropped by the loader"),
    "provider": Rule(UNSUPPORTED, "compose providers have no ECS equivalent", "is not supported; dropped"),
    "pull_policy": Rule(INFO, "ECS pulls the image at every task start", "is ignored; ECS pulls at every task start"),
    "pull_refresh_after": Rule(INFO, "ECS pulls the image at every task start", "is ignored"),
    "read_only": Rule(MAPPED, "`readonlyRootFilesystem`; on Fargate its tmpfs paths, and writable bind mounts "
                      "everywhere, become writable task ephemeral volumes (lossy finding) so it can still write"),
    "restart": Rule(INFO, "ECS services always replace stopped tasks; `\"no\"`/`on-failure` on a service "
                    "without ports makes it a one-shot job (RunTask once per deploy, ecs/jobs.py)",
                    "is ignored; an ECS service always restarts stopped tasks"),
    "runtime": Rule(UNSUPPORTED, "ECS chooses the container runtime", "cannot be set on ECS; dropped"),
    "scale": Rule(MAPPED, "service desired count"),
    "secrets": Rule(MAPPED, "files at /run/secrets/<name> (or the target, with uid/gid/mode), written by the "
                    "task's init container from Secrets Manager, where deploy stores the value; environment "
                    "variables with x-ecs.secrets"),
    "security_opt": Rule(EC2, "`dockerSecurityOptions` on EC2", "is not supported on Fargate; dropped",
                         "use the EC2 launch type", "dockerSecurityOptions"),
    "shm_size": Rule(EC2, "`linuxParameters.sharedMemorySize` on EC2", "is not supported on Fargate; dropped",
                     "use the EC2 launch type", "linuxParameters.sharedMemorySize"),
    "stdin_open": Rule(MAPPED, "`interactive`"),
    "stop_grace_period": Rule(MAPPED, "`stopTimeout` (seconds, clamped to 2–120 on Fargate)"),
    "stop_signal": Rule(UNSUPPORTED, "ECS always sends the image's STOPSIGNAL (default SIGTERM)",
                        "cannot be set on ECS; dropped", "set STOPSIGNAL in the Dockerfile"),
    "storage_opt": Rule(UNSUPPORTED, "ECS cannot set storage driver options", "has no ECS equivalent; dropped",
                        "use x-ecs.ephemeral_storage"),
    "sysctls": Rule(MAPPED, "`systemControls`"),
    "tmpfs": Rule(EC2, "`linuxParameters.tmpfs` on EC2; on Fargate a task ephemeral volume when `read_only` "
                  "is set, else dropped", "is not supported on Fargate; dropped",
                  "use a task ephemeral volume, or the EC2 launch type", "linuxParameters.tmpfs"),
    "tty": Rule(MAPPED, "`pseudoTerminal`"),
    "ulimits": Rule(MAPPED, "`ulimits`"),
    "use_api_socket": Rule(UNSUPPORTED, "there is no Docker API socket on ECS", "is not supported; dropped"),
    "user": Rule(MAPPED, "`user`"),
    "userns_mode": Rule(UNSUPPORTED, "ECS cannot set user namespaces", "has no ECS equivalent; dropped"),
    "uts": Rule(UNSUPPORTED, "ECS cannot share the host UTS namespace", "has no ECS equivalent; dropped"),
    "volumes": Rule(MAPPED, "named volumes → EFS (file-system id from x-ecs/--efs or a placeholder) or "
                    "task ephemeral storage; anonymous → ephemeral; bind mounts and tmpfs → unsupported on Fargate "
                    "(with `read_only`: writable ones → ephemeral)"),
    "volumes_from": Rule(MAPPED, "`volumesFrom` when both services are in one task; otherwise unsupported"),
    "working_dir": Rule(MAPPED, "`workingDirectory`"),
}

_TYPED = None
_RESOURCE_KEYS = {"mem_limit": "memory_limit", "mem_reservation": "memory_reservation",
                  "cpus": "cpus_limit", "cpu_shares": "cpu_shares", "pids_limit": "pids_limit"}


def value_of(service, key: str) -> Any:
    """The value a compose service has for ``key`` (typed field, resources, or extra)."""
    global _TYPED
    if _TYPED is None:
        _TYPED = {f.name for f in fields(type(service))} - {"extra", "at", "name"}
    if key in _TYPED:
        return getattr(service, key)
    extra = service.get(key)
    if extra is not None:
        return extra
    if key in _RESOURCE_KEYS:
        return getattr(service.deploy.resources, _RESOURCE_KEYS[key])
    return None


def present(value: Any) -> bool:
    """True when a key's value asks for something (``privileged: false`` asks for nothing)."""
    return value not in (None, False, (), [], {}, "")


def rule(key: str) -> Rule:
    return TABLE[key]


def render_mapping() -> str:
    """docs/mapping.md, generated from :data:`TABLE` (never edit the file by hand)."""
    lines = ["# Compose service keys on ECS", "",
             "<!-- GENERATED by compose2ecs.ecs.support.render_mapping(); do not edit. -->", "",
             "Every service key of the compose specification and what `compose2ecs` does with it.",
             "Kinds: **mapped** (lowered; anything lost is reported), **ec2** (unsupported on Fargate,",
             "lowered with the EC2 launch type), **unsupported** (dropped with a finding), **info**",
             "(ignored on purpose, with an info finding), **front-end** (consumed by the compose loader).",
             "", "| key | kind | how it lowers / why not | finding when present |", "|---|---|---|---|"]
    for key in sorted(TABLE):
        r = TABLE[key]
        finding = f"{r.kind}: `{key}` {r.message}" if r.message else ""
        if r.hint:
            finding += f" ({r.hint})"
        lines.append(f"| `{key}` | {r.kind} | {r.how} | {finding} |")
    counts = {}
    for r in TABLE.values():
        counts[r.kind] = counts.get(r.kind, 0) + 1
    lines += ["", "Totals: " + ", ".join(f"{k} {counts[k]}" for k in sorted(counts)) + ".", ""]
    from .limits import render_limits  # the numeric limits, from their own table

    lines += render_limits() + [""]
    from .files import mapping_notes  # how secrets and configs become files (issue 16)

    lines += mapping_notes()
    return "\n".join(lines)
