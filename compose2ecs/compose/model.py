"""The typed compose model: what every front-end produces and the lowering consumes.

Built by :mod:`compose2ecs.compose.build` from the canonical (long-syntax) project dict.
Conventions (design.md §3):

* frozen, slotted dataclasses; collections are tuples; maps are tuples of ``(key, value)``
  pairs sorted by key (use :func:`as_dict` to read them);
* ``None`` means *unset*, ``()`` means *explicitly empty* (``command: []``);
* canonical units: bytes (int), seconds (float), CPUs (float);
* every node that came from a file has ``at: Location``; for any other key path ask
  :meth:`Project.locate`.
"""
from __future__ import annotations

from dataclasses import field
from typing import Any, Callable, Optional

from ..errors import Location
from ..records import record

Pairs = tuple  # tuple[tuple[str, Any], ...], sorted by key


def as_dict(pairs: Optional[Pairs]) -> dict:
    """``(("A", "1"),)`` → ``{"A": "1"}``; ``None`` → ``{}``."""
    return dict(pairs or ())


@record
class Port:
    """One published/exposed port. Short-syntax ranges are expanded one entry per port,
    as ``docker compose config`` does; ``published`` stays a string (it may be a range)."""

    target: int
    published: Optional[str] = None
    host_ip: Optional[str] = None
    protocol: str = "tcp"
    app_protocol: Optional[str] = None
    mode: str = "ingress"
    name: Optional[str] = None
    at: Location = Location()
    extensions: Pairs = ()  # x-* keys of the long form (x-aws-protocol), sorted pairs


@record
class VolumeMount:
    """A service volume in long form. ``type`` is volume|bind|tmpfs|image|npipe|cluster.

    For binds ``source`` is an absolute host path (relative and ``~`` paths resolved);
    for named volumes it is the top-level volume key; ``None`` for anonymous volumes/tmpfs.
    """

    type: str
    target: str
    source: Optional[str] = None
    read_only: bool = False
    consistency: Optional[str] = None
    bind: Pairs = ()  # propagation, create_host_path, selinux
    volume: Pairs = ()  # nocopy, subpath
    tmpfs: Pairs = ()  # size (bytes), mode
    image: Pairs = ()  # subpath
    at: Location = Location()


@record
class FileReference:
    """A service's use of a secret or config (long form)."""

    source: str
    target: Optional[str] = None  # as written; None = default (/run/secrets/<source> or /<source>)
    uid: Optional[str] = None
    gid: Optional[str] = None
    mode: Optional[int] = None
    at: Location = Location()


@record
class Dependency:
    service: str
    condition: str = "service_started"  # service_healthy | service_completed_successfully
    restart: bool = False
    required: bool = True
    at: Location = Location()


@record
class Healthcheck:
    """``test`` is the full list form (``("CMD", ...)``, ``("CMD-SHELL", s)`` or ``("NONE",)``)."""

    test: Optional[tuple] = None
    interval: Optional[float] = None
    timeout: Optional[float] = None
    retries: Optional[int] = None
    start_period: Optional[float] = None
    start_interval: Optional[float] = None
    disable: bool = False
    at: Location = Location()


@record
class Logging:
    driver: Optional[str] = None
    options: Pairs = ()
    at: Location = Location()


@record
class Ulimit:
    name: str
    soft: int
    hard: int
    at: Location = Location()


@record
class ServiceNetwork:
    name: str
    aliases: tuple = ()
    ipv4_address: Optional[str] = None
    ipv6_address: Optional[str] = None
    extra: Pairs = ()  # link_local_ips, mac_address, driver_opts, priority, ...
    at: Location = Location()


@record
class Resources:
    """Reconciled from ``cpus``/``mem_limit``/``mem_reservation``/``cpu_shares`` and
    ``deploy.resources``; bytes and float CPUs."""

    cpus_limit: Optional[float] = None
    cpus_reservation: Optional[float] = None
    memory_limit: Optional[int] = None
    memory_reservation: Optional[int] = None
    pids_limit: Optional[int] = None
    cpu_shares: Optional[int] = None
    devices: tuple = ()  # deploy.resources.reservations.devices, as plain dicts
    generic_resources: tuple = ()
    at: Location = Location()


@record
class Deploy:
    mode: Optional[str] = None  # replicated | global | ...
    replicas: Optional[int] = None
    resources: Resources = Resources()
    restart_policy: Pairs = ()  # condition, delay (s), max_attempts, window (s)
    update_config: Pairs = ()  # parallelism, delay, failure_action, monitor, max_failure_ratio, order
    rollback_config: Pairs = ()
    placement: Pairs = ()  # constraints, preferences, max_replicas_per_node
    labels: Pairs = ()
    endpoint_mode: Optional[str] = None
    at: Location = Location()
    extensions: Pairs = ()  # x-* keys under deploy (x-aws-autoscaling), sorted pairs


@record
class Build:
    context: Optional[str] = None  # absolute path or URL
    dockerfile: Optional[str] = None
    target: Optional[str] = None
    args: Pairs = ()
    platforms: tuple = ()
    extra: Pairs = ()  # every other build key, verbatim
    at: Location = Location()


@record
class Service:
    name: str
    image: Optional[str] = None
    build: Optional[Build] = None
    command: Optional[tuple] = None
    entrypoint: Optional[tuple] = None
    environment: Pairs = ()  # env_file contents merged in; value None = unset in host env
    working_dir: Optional[str] = None
    user: Optional[str] = None
    labels: Pairs = ()
    ports: tuple = ()  # Port
    expose: tuple = ()  # strings "port[/proto]" or "start-end[/proto]"
    volumes: tuple = ()  # VolumeMount
    tmpfs: tuple = ()  # strings "path[:opts]"
    secrets: tuple = ()  # FileReference
    configs: tuple = ()  # FileReference
    depends_on: tuple = ()  # Dependency
    healthcheck: Optional[Healthcheck] = None
    logging: Optional[Logging] = None
    deploy: Deploy = Deploy()
    ulimits: tuple = ()  # Ulimit
    sysctls: Pairs = ()
    cap_add: tuple = ()
    cap_drop: tuple = ()
    networks: tuple = ()  # ServiceNetwork (empty tuple when network_mode is set)
    network_mode: Optional[str] = None
    platform: Optional[str] = None
    stop_grace_period: Optional[float] = None
    stop_signal: Optional[str] = None
    init: Optional[bool] = None
    read_only: Optional[bool] = None
    tty: Optional[bool] = None
    stdin_open: Optional[bool] = None
    privileged: Optional[bool] = None
    restart: Optional[str] = None
    profiles: tuple = ()
    # Every other service key of the schema, canonicalised but untyped (nothing dropped
    # at this stage): e.g. ("devices", (...)), ("extra_hosts", (...)), ("x-ecs", {...}).
    extra: Pairs = ()
    at: Location = Location()

    def get(self, key: str, default: Any = None) -> Any:
        """Value of an untyped key from :attr:`extra` (``x-*`` extensions included)."""
        for k, v in self.extra:
            if k == key:
                return v
        return default


@record
class TopLevelResource:
    """A top-level volume, network, secret or config. ``attrs`` holds the long-form keys
    (driver, driver_opts, external, name, file, environment, content, labels, ...);
    ``file`` paths are absolute."""

    key: str
    attrs: Pairs = ()
    at: Location = Location()

    def get(self, name: str, default: Any = None) -> Any:
        for k, v in self.attrs:
            if k == name:
                return v
        return default

    @property
    def external(self) -> bool:
        return bool(self.get("external", False))


@record
class Project:
    name: str
    working_dir: str
    services: tuple = ()  # Service, sorted by name
    volumes: tuple = ()  # TopLevelResource
    networks: tuple = ()
    secrets: tuple = ()
    configs: tuple = ()
    extensions: Pairs = ()  # top-level x-* keys (x-ecs, x-aws-*)
    files: tuple = ()  # the compose files read, in order
    # Look up the best Location for a key path (("services","web","privileged")).
    locator: Callable = field(default=lambda path: Location(key_path=tuple(path)),
                              compare=False, repr=False)

    def locate(self, *path) -> Location:
        return self.locator(tuple(path))

    def service(self, name: str) -> Service:
        for svc in self.services:
            if svc.name == name:
                return svc
        raise KeyError(name)

    def extension(self, key: str, default: Any = None) -> Any:
        for k, v in self.extensions:
            if k == key:
                return v
        return default

    def resource(self, kind: str, key: str) -> Optional[TopLevelResource]:
        for res in getattr(self, kind):
            if res.key == key:
                return res
        return None
