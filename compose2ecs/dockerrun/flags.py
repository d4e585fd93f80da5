"""The `docker run` flag table: every flag of Docker 27/28 → compose key, value kind, parser.

One row per flag (house habit 2: a table, not an if-chain). ``apply(svc, val)`` writes the
compose value into the service being built (see :class:`.values.ServiceBuilder`); value parsers raise
``ValueError`` with a plain-words message, which the caller turns into a located error.
Values are kept as the user wrote them when compose accepts that spelling ("512m", "30s",
"8080:80"), so the normal loader canonicalises them exactly like a compose file's.
The harder values live in :mod:`.values` (ports, -v, --mount) and
:mod:`.handlers` (environment, networks, GPUs, links).
"""
from __future__ import annotations

import re
from typing import Callable

from . import handlers
from . import values
from ..units import parse_bytes, parse_cpus, parse_duration
from ..records import record

# Flags that only matter to the terminal running `docker` (design: accepted, info finding).
TERMINAL_NOTE = "only affects the local docker client; a service has no terminal to attach"


@record
class Flag:
    """One `docker run` flag. ``target`` is the compose key it fills ("" = info only)."""

    long: str
    short: str = ""
    aliases: tuple = ()
    takes_value: bool = True
    target: str = ""
    kind: str = "string"  # value kind: drives docs and the property test's generators
    apply: Callable = None
    note: str = ""

    @property
    def names(self) -> tuple:
        return ("--" + self.long,) + tuple("--" + a for a in self.aliases) + \
            (("-" + self.short,) if self.short else ())


# ---- small value parsers (str -> compose value); ValueError = user error ----------------

def as_int(text: str, low: int | None = None, high: int | None = None) -> int:
    try:
        number = int(text, 10)
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"{number} is out of range ({low} to {high})")
    return number


def check_bytes(text: str) -> None:
    if text != "-1":
        parse_bytes(text)


def duration_text(text: str) -> str:
    """Docker durations need a unit; a bare number is read as seconds."""
    seconds = parse_duration(text)
    if seconds < 0:
        raise ValueError(f"{text!r} is negative")
    return f"{text}s" if re.fullmatch(r"\d+(\.\d+)?", text) else text


def key_value(text: str, need_equals: bool = True) -> tuple:
    key, sep, val = text.partition("=")
    if not key or (need_equals and not sep):
        raise ValueError(f"{text!r} is not in the form key=value")
    return key, (val if sep else None)


_RESTART = re.compile(r"(no|always|unless-stopped|on-failure(:\d+)?)\Z")
_ULIMITS = ("core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile",
            "nproc", "rss", "rtprio", "rttime", "sigpending", "stack")
_CGROUP_RULE = re.compile(r"[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}\Z")
_DEVICE_PATH = re.compile(r"/\S*\Z")


def restart_policy(text: str) -> str:
    if not _RESTART.match(text):
        raise ValueError(f"{text!r} is not a restart policy (use no, always, unless-stopped, "
                         "on-failure or on-failure:N)")
    return text


def ulimit(text: str) -> tuple:
    name, sep, limits = text.partition("=")
    if not sep or name not in _ULIMITS:
        raise ValueError(f"{text!r} is not a ulimit (use name=soft[:hard], name one of "
                         f"{', '.join(_ULIMITS)})")
    soft_text, colon, hard_text = limits.partition(":")
    soft = as_int(soft_text)
    hard = as_int(hard_text) if colon else soft
    if soft != -1 and hard != -1 and soft > hard:
        raise ValueError(f"soft limit {soft} is larger than hard limit {hard}")
    return name, (soft if not colon else {"soft": soft, "hard": hard})


def weight_device(text: str) -> dict:
    path, _, weight = text.rpartition(":")
    if not _DEVICE_PATH.match(path):
        raise ValueError(f"{text!r} is not in the form /dev/path:weight")
    return {"path": path, "weight": as_int(weight, 10, 1000)}


def throttle_device(kind: str) -> Callable:
    def parse(text: str) -> dict:
        path, _, rate = text.rpartition(":")
        if not _DEVICE_PATH.match(path):
            raise ValueError(f"{text!r} is not in the form /dev/path:rate")
        if kind == "bytes":
            parse_bytes(rate)
            return {"path": path, "rate": rate}
        return {"path": path, "rate": as_int(rate, 0)}
    return parse


def choice(*allowed: str, prefixes: tuple = ()) -> Callable:
    def parse(text: str) -> str:
        if text in allowed or any(text.startswith(p) and len(text) > len(p) for p in prefixes):
            return text
        options = ", ".join([a for a in allowed if a] + [p + "<name>" for p in prefixes])
        raise ValueError(f"{text!r} is not one of {options}")
    return parse


def cgroup_rule(text: str) -> str:
    if not _CGROUP_RULE.match(text):
        raise ValueError(f"{text!r} is not a device cgroup rule (e.g. 'c 42:* rmw')")
    return text


def extra_host(text: str) -> str:
    host, sep, addr = text.partition("=")
    if not sep:
        host, sep, addr = text.partition(":")
    if not host or not addr:
        raise ValueError(f"{text!r} is not in the form host:ip (or host=ip)")
    return text


# ---- table builders: one line per flag ----------------------------------------------------

def _checked(parse: Callable, keep_text: bool) -> Callable:
    """Validate with ``parse`` unless the value holds a variable (the loader checks it after
    interpolation); return the escaped original text or the parsed value."""
    def convert(val):
        if val.has_vars:
            return val.esc()
        out = parse(val.text)
        return val.esc() if keep_text or out is None else out
    return convert


def _str(path: str, kind: str = "string", parse: Callable = None, keep: bool = True, **kw):
    conv = _checked(parse, keep) if parse else (lambda val: val.esc())
    return dict(target=path, kind=kind, apply=lambda svc, val: svc.set(path, conv(val), val), **kw)


def _list(path: str, kind: str = "string", parse: Callable = None, keep: bool = True, **kw):
    conv = _checked(parse, keep) if parse else (lambda val: val.esc())
    return dict(target=path, kind=kind + " (repeatable)",
                apply=lambda svc, val: svc.append(path, conv(val), val), **kw)


def _map(path: str, need_equals: bool = True, **kw):
    def apply(svc, val):
        key, rest = key_value(val.text, need_equals)
        svc.put(path, key, None if rest is None else val.esc(len(key) + 1), val)
    return dict(target=path, kind="key=value (repeatable)", apply=apply, **kw)


def _bool(path: str, **kw):
    return dict(target=path, kind="boolean", takes_value=False,
                apply=lambda svc, val: svc.set(path, val.flag, val), **kw)


def _terminal_bool(path: str, message: str):
    """-i / -t: real container settings (a -dit shell stays up), so they are kept, and
    noted, since in a README they usually only mean "show me the output"."""
    def apply(svc, val):
        svc.set(path, val.flag, val)
        svc.info(val, message, "remove it if the container does not read a terminal")
    return dict(target=path, kind="boolean", takes_value=False, apply=apply,
                note=message + " (ECS: interactive / pseudoTerminal); info finding")


def _info(message: str, takes_value: bool = True, **kw):
    return dict(target="", kind="info", takes_value=takes_value,
                apply=lambda svc, val: svc.info(val, message), note=message, **kw)


def _int(path, low=None, high=None, **kw):
    return _str(path, "integer", lambda t: as_int(t, low, high), keep=False, **kw)


def _bytes(path, **kw):
    return _str(path, "byte size", check_bytes, **kw)


def _duration(path, **kw):
    def apply(svc, val):
        svc.set(path, val.esc() if val.has_vars else duration_text(val.text), val)
    return dict(target=path, kind="duration", apply=apply, **kw)


def _stop_timeout(svc, val):
    svc.set("stop_grace_period", val.esc() if val.has_vars else duration_text(val.text), val)


def _pair(path: str, parse: Callable, **kw):
    def apply(svc, val):
        if val.has_vars:
            raise ValueError("a variable cannot be used here (the value is split into parts)")
        key, out = parse(val.text)
        svc.put(path, key, out, val)
    return dict(target=path, kind="name=limit (repeatable)", apply=apply, **kw)


def _call(function: Callable, target: str, kind: str, **kw):
    return dict(target=target, kind=kind, apply=function, **kw)


_ROWS = [
    # identity, command and process
    ("name", "", _call(handlers.apply_name, "service name", "container name",
                        note="the service name (lowercased); no container_name is written")),
    ("entrypoint", "", _call(handlers.apply_entrypoint, "entrypoint", "string",
                              note="one-element list, not split (as docker); \"\" clears it")),
    ("workdir", "w", _str("working_dir")),
    ("user", "u", _str("user")),
    ("env", "e", _call(handlers.apply_env, "environment", "VAR[=value] (repeatable)",
                       note="VAR alone: taken from the environment (null)")),
    ("env-file", "", _call(handlers.apply_env_file, "environment", "file (repeatable)",
                             note="read from the current directory in docker's format and inlined")),
    ("label", "l", _map("labels", need_equals=False)),
    ("label-file", "", _call(handlers.apply_label_file, "labels", "file (repeatable)",
                               note="read and inlined like --env-file")),
    ("annotation", "", _map("annotations")),
    ("platform", "", _str("platform")),
    ("pull", "", _str("pull_policy", parse=choice("always", "missing", "never"))),
    ("init", "", _bool("init")),
    ("privileged", "", _bool("privileged")),
    ("read-only", "", _bool("read_only")),
    ("interactive", "i", _terminal_bool("stdin_open", "-i is kept as stdin_open")),
    ("tty", "t", _terminal_bool("tty", "-t is kept as tty")),
    ("restart", "", _str("restart", parse=restart_policy)),
    ("stop-signal", "", _str("stop_signal")),
    ("stop-timeout", "", _call(_stop_timeout, "stop_grace_period", "seconds or duration",
                                note="20 becomes 20s")),
    ("runtime", "", _str("runtime")),
    ("isolation", "", _str("isolation")),
    ("use-api-socket", "", _bool("use_api_socket")),
    # networking
    ("publish", "p", _call(values.apply_publish, "ports", "port (repeatable)",
                           note="short syntax kept; dropped (info) with --network host")),
    ("publish-all", "P", dict(target="ports", kind="boolean", takes_value=False,
                              apply=values.apply_publish_all,
                              note="publishes the --expose ports; info finding")),
    ("expose", "", _list("expose", "port", parse=values.check_expose)),
    ("network", "", _call(handlers.apply_network, "networks / network_mode", "network",
                          note="host/none/bridge/container:x → network_mode; a name → networks "
                          "(declared external, as docker run needs it to exist)"), ("net",)),
    ("network-alias", "", _call(handlers.network_attr("aliases"), "networks.<net>.aliases",
                                "string (repeatable)"), ("net-alias",)),
    ("ip", "", _call(handlers.network_attr("ipv4_address"), "networks.<net>.ipv4_address",
                     "IPv4 address")),
    ("ip6", "", _call(handlers.network_attr("ipv6_address"), "networks.<net>.ipv6_address",
                      "IPv6 address")),
    ("link-local-ip", "", _call(handlers.network_attr("link_local_ips"),
                                "networks.<net>.link_local_ips", "IP address (repeatable)")),
    ("mac-address", "", _str("mac_address")),
    ("hostname", "h", _str("hostname")),
    ("domainname", "", _str("domainname")),
    ("add-host", "", _list("extra_hosts", "host:ip", parse=extra_host)),
    ("dns", "", _list("dns", "IP address")),
    ("dns-search", "", _list("dns_search")),
    ("dns-option", "", _list("dns_opt"), ("dns-opt",)),
    ("link", "", _call(handlers.apply_link, "links / external_links", "name[:alias] (repeatable)",
                      note="links when the container is another command's, else external_links")),
    # storage
    ("volume", "v", _call(values.apply_volume, "volumes", "volume (repeatable)",
                          note="short syntax kept; named volumes declared at top level")),
    ("mount", "", _call(values.apply_mount, "volumes (long syntax)", "mount csv (repeatable)",
                         note="every field; volume-driver/opt/label go to the top-level volume")),
    ("tmpfs", "", _list("tmpfs", "path[:options]")),
    ("volumes-from", "", _call(values.apply_volumes_from, "volumes_from",
                               "container[:ro|rw] (repeatable)")),
    ("volume-driver", "", _call(values.apply_volume_driver, "volumes.<name>.driver", "string",
                                note="applies to the named volumes of the line")),
    ("storage-opt", "", _map("storage_opt")),
    ("shm-size", "", _bytes("shm_size")),
    # health
    ("health-cmd", "", _call(handlers.apply_health_cmd, "healthcheck.test", "shell command",
                              note="[CMD-SHELL, command]")),
    ("health-interval", "", _duration("healthcheck.interval")),
    ("health-timeout", "", _duration("healthcheck.timeout")),
    ("health-start-period", "", _duration("healthcheck.start_period")),
    ("health-start-interval", "", _duration("healthcheck.start_interval")),
    ("health-retries", "", _int("healthcheck.retries", 0)),
    ("no-healthcheck", "", _bool("healthcheck.disable")),
    # resources
    ("memory", "m", _bytes("mem_limit")),
    ("memory-reservation", "", _bytes("mem_reservation")),
    ("memory-swap", "", _bytes("memswap_limit")),
    ("memory-swappiness", "", _int("mem_swappiness", -1, 100)),
    ("cpus", "", _str("cpus", "CPU count", parse=parse_cpus)),
    ("cpu-shares", "c", _int("cpu_shares", 0)),
    ("cpu-period", "", _int("cpu_period", 0)),
    ("cpu-quota", "", _int("cpu_quota", -1)),
    ("cpu-rt-period", "", _int("cpu_rt_period", 0)),
    ("cpu-rt-runtime", "", _int("cpu_rt_runtime", -1)),
    ("cpu-count", "", _int("cpu_count", 0)),
    ("cpu-percent", "", _int("cpu_percent", 0, 100)),
    ("cpuset-cpus", "", _str("cpuset")),
    ("pids-limit", "", _int("pids_limit", -1)),
    ("ulimit", "", _pair("ulimits", ulimit)),
    ("gpus", "", _call(handlers.apply_gpus, "deploy.resources.reservations.devices", "gpu request",
                        note="capabilities always include gpu; driver defaults to nvidia")),
    ("oom-kill-disable", "", _bool("oom_kill_disable")),
    ("oom-score-adj", "", _int("oom_score_adj", -1000, 1000)),
    ("blkio-weight", "", _int("blkio_config.weight", 0, 1000)),
    ("blkio-weight-device", "", _list("blkio_config.weight_device", "/dev/x:weight",
                                      parse=weight_device, keep=False)),
    ("device-read-bps", "", _list("blkio_config.device_read_bps", "/dev/x:rate",
                                  parse=throttle_device("bytes"), keep=False)),
    ("device-write-bps", "", _list("blkio_config.device_write_bps", "/dev/x:rate",
                                   parse=throttle_device("bytes"), keep=False)),
    ("device-read-iops", "", _list("blkio_config.device_read_iops", "/dev/x:rate",
                                   parse=throttle_device("iops"), keep=False)),
    ("device-write-iops", "", _list("blkio_config.device_write_iops", "/dev/x:rate",
                                    parse=throttle_device("iops"), keep=False)),
    # security, devices, kernel
    ("cap-add", "", _list("cap_add")),
    ("cap-drop", "", _list("cap_drop")),
    ("security-opt", "", _list("security_opt")),
    ("device", "", _list("devices", "/dev/host[:/dev/ctr[:rwm]]")),
    ("device-cgroup-rule", "", _list("device_cgroup_rules", parse=cgroup_rule)),
    ("group-add", "", _list("group_add")),
    ("sysctl", "", _map("sysctls")),
    ("pid", "", _str("pid", parse=choice("host", "", prefixes=("container:",)))),
    ("ipc", "", _str("ipc", parse=choice("none", "private", "shareable", "host", "",
                                         prefixes=("container:",)))),
    ("uts", "", _str("uts", parse=choice("host", ""))),
    ("userns", "", _str("userns_mode", parse=choice("host", ""))),
    ("cgroupns", "", _str("cgroup", parse=choice("host", "private"))),
    ("cgroup-parent", "", _str("cgroup_parent")),
    ("log-driver", "", _str("logging.driver")),
    ("log-opt", "", _map("logging.options")),
    # accepted, recorded as info findings
    ("detach", "d", _info(TERMINAL_NOTE, takes_value=False)),
    ("rm", "", _info("--rm is implied: a service's containers are replaced, not kept",
                     takes_value=False)),
    ("sig-proxy", "", _info(TERMINAL_NOTE, takes_value=False)),
    ("detach-keys", "", _info(TERMINAL_NOTE)),
    ("attach", "a", _info(TERMINAL_NOTE)),
    ("cidfile", "", _info("--cidfile writes a local file; a service has no such file")),
    ("quiet", "q", _info("--quiet only silences the local pull output", takes_value=False)),
    ("disable-content-trust", "", _info("--disable-content-trust is a client setting",
                                        takes_value=False)),
    ("help", "", _info("--help prints docker's help; ignored", takes_value=False)),
    ("cpuset-mems", "", _info("--cpuset-mems has no compose key; dropped")),
    ("kernel-memory", "", _info("--kernel-memory is deprecated and ignored by Docker; dropped")),
    ("io-maxbandwidth", "", _info("--io-maxbandwidth is Windows-only and has no compose key")),
    ("io-maxiops", "", _info("--io-maxiops is Windows-only and has no compose key")),
]


def _build() -> dict:
    table = {}
    for row in _ROWS:
        long, short, spec = row[0], row[1], row[2]
        aliases = row[3] if len(row) > 3 else ()
        flag = Flag(long=long, short=short, aliases=aliases, **spec)
        for name in flag.names:
            table[name] = flag
    return table


FLAGS: dict = _build()  # "--publish" / "-p" / "--net" → Flag
ALL_FLAGS: tuple = tuple(dict.fromkeys(FLAGS.values()))  # each Flag once, table order
