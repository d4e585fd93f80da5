"""The ECS model: what lowering produces and every back-end consumes.

Mirrors the four concepts users know from the ECS console — container → task definition →
service → cluster — plus the project-wide pieces a deployment needs (log groups, secrets,
EFS volumes, the compose networks that become security-group rules, placeholders).

Field names are snake_case versions of the ECS API names so a reader can map them at a
glance; :mod:`compose2ecs.emit.taskdef` turns a :class:`TaskDefinition` into the exact API
dict (the one ``register-task-definition`` takes), and CloudFormation only re-cases that dict.
Units here are ECS units (CPU units, MiB, seconds). Collections are tuples; maps are sorted
``(key, value)`` pairs. ``source`` fields name the compose service a node came from and
``at`` points at the compose file, so back-ends can name both in messages and metadata.
"""
from __future__ import annotations

from typing import Optional

from ..errors import Location
from ..records import record

Pairs = tuple


@record
class PortMapping:
    container_port: Optional[int] = None  # None when container_port_range is set
    protocol: str = "tcp"
    name: Optional[str] = None  # set for Service Connect / discovery
    app_protocol: Optional[str] = None  # http | http2 | grpc
    container_port_range: Optional[str] = None  # "a-b"
    published: Optional[int] = None  # the host port the compose file published (None = not public)
    at: Location = Location()


@record
class MountPoint:
    source_volume: str
    container_path: str
    read_only: bool = False


@record
class SecretRef:
    """One entry of a container's ``secrets`` (environment variable ← secret)."""

    name: str  # environment variable name
    value_from: str  # ARN, SSM parameter name, or a placeholder
    secret: str = ""  # key into EcsProject.secrets


@record
class HealthCheck:
    command: tuple  # ("CMD", ...) or ("CMD-SHELL", "...")
    interval: Optional[int] = None
    timeout: Optional[int] = None
    retries: Optional[int] = None
    start_period: Optional[int] = None


@record
class LogConfiguration:
    log_driver: str = "awslogs"
    options: Pairs = ()
    secret_options: tuple = ()  # SecretRef


@record
class ContainerDependency:
    container_name: str
    condition: str  # START | COMPLETE | SUCCESS | HEALTHY


@record
class Ulimit:
    name: str
    soft_limit: int
    hard_limit: int


@record
class LinuxParameters:
    capabilities_add: tuple = ()
    capabilities_drop: tuple = ()
    init_process_enabled: Optional[bool] = None
    shared_memory_size: Optional[int] = None  # MiB (EC2 only)
    devices: tuple = ()  # plain dicts {hostPath, containerPath, permissions} (EC2 only)
    tmpfs: tuple = ()  # plain dicts {containerPath, size, mountOptions} (EC2 only)

    def is_empty(self) -> bool:
        return self == LinuxParameters()


@record
class Container:
    name: str
    image: str
    source: str = ""  # compose service name
    essential: bool = True
    command: Optional[tuple] = None
    entry_point: Optional[tuple] = None
    environment: Pairs = ()  # sorted (name, value)
    secrets: tuple = ()  # SecretRef
    port_mappings: tuple = ()  # PortMapping
    mount_points: tuple = ()  # MountPoint
    volumes_from: tuple = ()  # (source_container, read_only)
    health_check: Optional[HealthCheck] = None
    log_configuration: Optional[LogConfiguration] = None
    cpu: Optional[int] = None  # CPU units
    memory: Optional[int] = None  # MiB, hard limit
    memory_reservation: Optional[int] = None  # MiB, soft limit
    working_directory: Optional[str] = None
    user: Optional[str] = None
    docker_labels: Pairs = ()
    readonly_root_filesystem: Optional[bool] = None
    interactive: Optional[bool] = None
    pseudo_terminal: Optional[bool] = None
    stop_timeout: Optional[int] = None
    start_timeout: Optional[int] = None
    system_controls: Pairs = ()  # (namespace, value)
    ulimits: tuple = ()  # Ulimit
    linux_parameters: LinuxParameters = LinuxParameters()
    depends_on: tuple = ()  # ContainerDependency
    # Keys valid only on the EC2 launch type, already in API spelling:
    # privileged, dnsServers, dnsSearchDomains, extraHosts, hostname, links, ...
    ec2_only: Pairs = ()
    repository_credentials: Optional[str] = None  # secret ARN for a private registry
    at: Location = Location()


@record
class EfsVolumeConfiguration:
    file_system_id: str  # fs-… or a placeholder / CloudFormation reference name
    root_directory: Optional[str] = None
    transit_encryption: str = "ENABLED"
    access_point_id: Optional[str] = None
    iam: Optional[str] = None  # ENABLED | DISABLED


@record
class TaskVolume:
    """A task-definition volume. ``efs`` None ⇒ task ephemeral storage (``host: {}``)."""

    name: str
    efs: Optional[EfsVolumeConfiguration] = None
    compose_volume: Optional[str] = None  # top-level compose volume key it came from


@record
class TaskDefinition:
    family: str
    containers: tuple  # Container
    cpu: str  # task CPU units as a string, e.g. "256"
    memory: str  # task memory MiB as a string, e.g. "512"
    network_mode: str = "awsvpc"
    requires_compatibilities: tuple = ("FARGATE",)
    cpu_architecture: Optional[str] = None  # X86_64 | ARM64
    operating_system_family: Optional[str] = None  # LINUX | WINDOWS_SERVER_...
    ephemeral_storage_gib: Optional[int] = None  # 21..200
    volumes: tuple = ()  # TaskVolume
    execution_role_arn: Optional[str] = None
    task_role_arn: Optional[str] = None
    pid_mode: Optional[str] = None
    ipc_mode: Optional[str] = None
    tags: Pairs = ()
    # The task needs a role (x-ecs.policies / x-aws-role / x-aws-policies / ECS Exec) but no ARN was
    # given: the task-definition output names this placeholder role; CloudFormation creates the role.
    task_role_placeholder: Optional[str] = None


@record
class ServiceConnectEndpoint:
    """One port a service offers to the others under its compose name."""

    port_name: str  # PortMapping.name
    discovery_name: str
    dns_name: str  # the compose service name (or network alias) clients use
    port: int


@record
class LoadBalancerTarget:
    container_name: str
    container_port: int
    listener_port: int
    protocol: str = "HTTP"  # HTTP | HTTPS | TCP | UDP
    host: Optional[str] = None  # host-header rule (x-ecs)
    path: Optional[str] = None  # path-pattern rule (x-ecs)
    health_check_path: Optional[str] = None


@record
class Autoscaling:
    min_capacity: int
    max_capacity: int
    cpu_target: Optional[float] = None
    memory_target: Optional[float] = None
    requests_per_target: Optional[int] = None


@record
class Service:
    name: str  # ECS service name (compose service name of the primary container)
    task_definition: str  # family
    compose_services: tuple  # compose services whose containers run in this task
    desired_count: int = 1
    launch_type: Optional[str] = "FARGATE"  # None when capacity_provider_strategy is used
    capacity_provider_strategy: tuple = ()  # ((provider, weight, base), ...)
    platform_version: Optional[str] = None
    minimum_healthy_percent: Optional[int] = None
    maximum_percent: Optional[int] = None
    circuit_breaker: bool = True
    health_check_grace_period: Optional[int] = None
    depends_on: tuple = ()  # ECS service names that must exist first (providers)
    networks: tuple = ()  # compose networks this service is attached to
    ingress_ports: tuple = ()  # (port, protocol) other services may reach
    public_ports: tuple = ()  # (port, protocol) published to the internet
    service_connect: tuple = ()  # ServiceConnectEndpoint (empty ⇒ client only)
    load_balancer: tuple = ()  # LoadBalancerTarget
    autoscaling: Optional[Autoscaling] = None
    assign_public_ip: Optional[bool] = None
    enable_execute_command: bool = False
    task_policies: tuple = ()  # IAM policy ARNs / documents for the task role (x-ecs / x-aws-policies)
    tags: Pairs = ()
    at: Location = Location()
    # A one-shot job (ecs/jobs.py): its task runs once per rollout (RunTask), no ECS service
    job: bool = False
    # No internet-published port and no x-ecs choice (ecs/exposure.py): the security group admits
    # nothing from the internet, and a public IP is given only where the subnets have no NAT
    # gateway (the default VPC), so the tasks can still pull images. Never ingress.
    egress_public_ip: bool = False


@record
class SecretSpec:
    """A secret a task reads. ``value_from`` is known (external ARN/SSM name) or a placeholder.
    ``create`` ⇒ the CloudFormation stack creates it (file/environment compose secrets); the
    value is never copied into output."""

    key: str  # compose secret key
    value_from: str
    store: str = "secretsmanager"  # secretsmanager | ssm
    create: bool = False
    source_file: Optional[str] = None  # for the report: where the user's value lives
    # Deploy stores created values (aws/secrets.py): where the value comes from (never the value).
    source_env: Optional[str] = None  # the environment variable named by ``environment:``
    kind: str = "secret"  # secret | config (compose top-level section)
    encoding: str = "text"  # text | base64 (a binary file is stored base64; the init container decodes)
    store_name: Optional[str] = None  # the Secrets Manager name / SSM parameter deploy writes
    source_content: Optional[str] = None  # a config's inline ``content:`` (configs only, never secrets)


@record
class EfsVolume:
    key: str  # compose volume key
    file_system_id: Optional[str] = None  # known id; None ⇒ the stack creates one
    services: tuple = ()  # ECS services that mount it
    uid: Optional[int] = None
    gid: Optional[int] = None


@record
class LogGroup:
    name: str
    retention_days: int = 30
    # True for the project's default group (/ecs/<project>), False when the user named it
    # (x-ecs log_group): CloudFormation derives only the default one from the stack name.
    default_name: bool = False


@record
class Placeholder:
    """A value that is still unknown offline: syntactically valid, impossible to mistake."""

    value: str
    what: str  # what it stands for
    how: str  # how to fill it (flag, x-ecs key, CloudFormation parameter)


@record
class Cluster:
    name: str
    existing: bool = False  # True ⇒ reuse, never create or delete
    capacity_providers: tuple = ("FARGATE", "FARGATE_SPOT")
    container_insights: Optional[bool] = None


@record
class EcsProject:
    name: str
    region: str
    cluster: Cluster
    services: tuple  # Service, in dependency order (providers first), ties by name
    task_definitions: tuple  # TaskDefinition, sorted by family
    log_groups: tuple = ()  # LogGroup
    secrets: tuple = ()  # SecretSpec
    efs_volumes: tuple = ()  # EfsVolume
    networks: Pairs = ()  # (compose network, (ECS service names...))
    placeholders: tuple = ()  # Placeholder
    findings: tuple = ()  # Finding
    execution_role: str = "ecsTaskExecutionRole"  # name or ARN
    load_balancer: Optional[str] = None  # None | "alb" | "nlb"
    certificate_arn: Optional[str] = None
    vpc_id: Optional[str] = None
    subnets: tuple = ()
    extensions: Pairs = ()  # project-level x-ecs settings not modelled above (e.g. cloudformation overlay)
    tags: Pairs = ()

    def task_definition(self, family: str) -> TaskDefinition:
        for td in self.task_definitions:
            if td.family == family:
                return td
        raise KeyError(family)

    def service(self, name: str) -> Service:
        for svc in self.services:
            if svc.name == name:
                return svc
        raise KeyError(name)
