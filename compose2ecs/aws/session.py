"""Lazy boto3 clients shared by every AWS command.

boto3 is imported here and only when the first client is asked for, so ``import
compose2ecs.cli`` stays light. Credentials and region come from the standard boto3 chain
(``AWS_PROFILE``, SSO, web identity, instance roles); ``--profile``/``--region`` override it,
and ``--endpoint-url`` or ``AWS_ENDPOINT_URL`` point every client at LocalStack or moto.
Retries use botocore's *standard* mode for transient errors; throttling errors are retried by
retry.py (exponential backoff with full jitter through an injected sleep, so tests see it).
"""
from __future__ import annotations

import threading
from dataclasses import field
from typing import Callable, Mapping, Optional

from ..records import record

MUTATING_PREFIXES = ("Describe", "List", "Get")  # everything else changes something
DEFAULT_MAX_ATTEMPTS = 8  # standard mode: ~20 s of backoff before a throttle becomes an error


@record(slots=False)
class AwsOptions:
    region: Optional[str] = None
    profile: Optional[str] = None
    endpoint_url: Optional[str] = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


@record(frozen=False, slots=False)
class CallRecorder:
    """Records every API call (``("ecs", "DescribeServices")``) through botocore's
    ``before-call`` event; the idempotency test and the benchmark read it."""

    calls: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def attach(self, client) -> None:
        client.meta.events.register("before-call.*.*", self._record)

    def _record(self, model=None, **_kwargs) -> None:
        with self._lock:
            self.calls.append((model.service_model.service_name, model.name))

    def mutating(self) -> list:
        """Calls whose operation is not a Describe*/List*/Get* read."""
        return [c for c in self.calls if not c[1].startswith(MUTATING_PREFIXES)]

    def names(self) -> list:
        return [f"{service}:{op}" for service, op in self.calls]


class Clients:
    """One boto3 session, one client per service, created on first use (thread-safe).

    ``hooks`` are called with each new client (the call recorder attaches itself there).
    Tests pass ``session`` to reuse a moto-backed boto3 session.
    """

    def __init__(self, options: AwsOptions = AwsOptions(), environ: Optional[Mapping] = None,
                 session=None, hooks: tuple = (), sleep: Optional[Callable[[float], None]] = None,
                 random: Optional[Callable[[], float]] = None, clock: Optional[Callable[[], float]] = None):
        from .pace import Pacer
        from .retry import Backoff

        self.options = options
        given = {k: v for k, v in (("sleep", sleep), ("random", random), ("clock", clock)) if v is not None}
        # throttling retries (retry.py; max_attempts counts retries, as in botocore) and pacing (pace.py)
        self.backoff = Backoff(options.max_attempts, **{k: v for k, v in given.items() if k != "clock"})
        self.pacer = Pacer(**{k: v for k, v in given.items() if k != "random"})
        self._environ = environ or {}
        self._session = session
        self._clients: dict = {}
        self._lock = threading.Lock()
        self.hooks: list = list(hooks)

    @property
    def session(self):
        if self._session is None:
            import boto3  # lazy: only the AWS commands pay for it

            self._session = boto3.session.Session(profile_name=self.options.profile,
                                                  region_name=self.options.region)
        return self._session

    @property
    def region(self) -> str:
        # AWS_REGION is what the AWS CLI v2 and SDKs read first; older botocore only knows
        # AWS_DEFAULT_REGION, so look at it ourselves before falling back to the session.
        return (self.options.region or self._environ.get("AWS_REGION")
                or self.session.region_name or "")

    def endpoint_url(self) -> Optional[str]:
        if self.options.endpoint_url:
            return check_endpoint_url(self.options.endpoint_url, "--endpoint-url")
        if self._environ.get("AWS_ENDPOINT_URL"):
            return check_endpoint_url(self._environ["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL")
        return None

    def client(self, name: str):
        """The client for service ``name`` (``ecs``, ``ec2``, ``iam`` …), created once."""
        with self._lock:
            if name not in self._clients:
                self._clients[name] = self._make(name)
            return self._clients[name]

    def _make(self, name: str):
        from botocore.config import Config

        config = Config(retries={"mode": "standard", "max_attempts": self.options.max_attempts},
                        user_agent_extra="compose2ecs")
        kwargs = {"config": config}
        if self.region:
            kwargs["region_name"] = self.region
        endpoint = self.endpoint_url()
        if endpoint:
            kwargs["endpoint_url"] = endpoint
        client = self.session.client(name, **kwargs)
        self.backoff.attach(client)
        self.pacer.attach(client)
        for hook in self.hooks:
            hook(client)
        return client

    def __getattr__(self, name: str):
        # clients.ecs, clients.ec2 … read like the boto3 service names.
        if name.startswith("_") or name not in SERVICES:
            raise AttributeError(name)
        return self.client(name)


def check_endpoint_url(url: str, source: str) -> str:
    """``url`` when it is an http(s) URL with a host; else a UserError naming ``source`` (exit 2)."""
    from urllib.parse import urlsplit

    from ..errors import Location, UserError

    try:
        parts = urlsplit(url)
        parts.port  # raises ValueError for a port that is not a number in 0–65535
        ok = bool(parts.hostname) and parts.scheme in ("http", "https")
    except ValueError:
        ok = False
    ok = ok and not any(c.isspace() for c in url)
    if not ok:
        raise UserError.at(Location(key_path=(source,)), f"{url!r} is not an endpoint URL",
                           "give an http:// or https:// URL with a host, e.g. http://127.0.0.1:5000")
    return url


SERVICES = frozenset({"ecs", "ec2", "iam", "logs", "servicediscovery", "cloudformation", "s3",
                      "sts", "elbv2", "efs", "ecr", "secretsmanager", "ssm"})


def make_clients(options: AwsOptions, environ: Mapping, recorder: Optional[CallRecorder] = None,
                 session=None) -> Clients:
    """Clients for a command run; ``recorder`` (if given) sees every call."""
    hooks: tuple = (recorder.attach,) if recorder else ()
    return Clients(options, environ, session=session, hooks=hooks)


Sleep = Callable[[float], None]
Clock = Callable[[], float]
