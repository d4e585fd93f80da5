"""Every `docker run` line of the shared corpus converts — or fails with the clean error its
content deserves — and, where composerize's expected output exists, agrees with it on what
matters once both sides are normalised. Where the expected output is itself wrong, the case
is listed with the reason in tests/data/dockerrun_expected_exceptions.json."""
from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import yaml

from compose2ecs.dockerrun import to_compose
from compose2ecs.errors import UserError
from compose2ecs.compose.source import plain
from compose2ecs.units import parse_bytes, parse_cpus, parse_duration
from tests.conftest import corpus_available, corpus_dir

EXCEPTIONS = json.loads((Path(__file__).parent / "data" /
                         "dockerrun_expected_exceptions.json").read_text())
FIELDS = ("image", "ports", "environment", "volumes", "command", "entrypoint", "user",
          "working_dir", "restart", "healthcheck", "logging", "ulimits", "cap_add", "cap_drop",
          "resources", "devices", "networks")


def case_key(case: dict) -> str:
    path = case["source"].split(":", 1)[1].replace("packages/composerize/__tests__/", "")
    return f"{path}#{case['line']}"


def load_cases() -> list:
    path = corpus_dir("docker-run", "cases.jsonl")
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# ---- normalisation: both sides to one shape --------------------------------------------------

def _env(value) -> dict:
    """Mapping form, with compose's $$ read back as the $ the container sees."""
    if isinstance(value, list):
        value = {k: (v if sep else None) for k, sep, v in (str(e).partition("=") for e in value)}
    return {k: None if v is None else str(v).replace("$$", "$") for k, v in (value or {}).items()}


def _words(value):
    if value is None:
        return None
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def _volume(value) -> tuple:
    if isinstance(value, dict):
        return (value.get("source"), value["target"], bool(value.get("read_only")))
    parts = str(value).split(":")
    modes = set(parts[2].split(",")) if len(parts) > 2 else set()
    return (parts[0] if len(parts) > 1 else None, parts[1] if len(parts) > 1 else parts[0],
            "ro" in modes)


def _health(value) -> dict:
    if not value:
        return {}
    out = {}
    for key, val in value.items():
        if key == "test":
            out[key] = ["CMD-SHELL", val] if isinstance(val, str) else list(val)
        elif key in ("interval", "timeout", "start_period", "start_interval"):
            out[key] = parse_duration(val)
        elif key == "retries":
            out[key] = int(val)
        else:
            out[key] = val
    return out


def _ulimits(value) -> dict:
    out = {}
    for name, limit in (value or {}).items():
        out[name] = (int(limit["soft"]), int(limit["hard"])) if isinstance(limit, dict) \
            else (int(limit), int(limit))
    return out


def _resources(svc: dict) -> dict:
    deploy = (svc.get("deploy") or {}).get("resources") or {}
    limits, reservations = deploy.get("limits") or {}, deploy.get("reservations") or {}
    out = {"cpus": svc.get("cpus", limits.get("cpus")),
           "memory": svc.get("mem_limit", limits.get("memory")),
           "memory_reservation": svc.get("mem_reservation", reservations.get("memory")),
           "cpu_shares": svc.get("cpu_shares"),
           "gpus": reservations.get("devices")}
    if out["cpus"] is not None:
        out["cpus"] = parse_cpus(out["cpus"])
    for key in ("memory", "memory_reservation"):
        if out[key] is not None:
            out[key] = parse_bytes(out[key])
    return {k: v for k, v in out.items() if v is not None}


def _networks(svc: dict) -> dict:
    nets = svc.get("networks")
    if isinstance(nets, list):
        nets = {n: {} for n in nets}
    out = {name: {k: v for k, v in (attrs or {}).items()} for name, attrs in (nets or {}).items()}
    if svc.get("network_mode"):
        out["mode"] = svc["network_mode"]
    return out


def normalise(svc: dict) -> dict:
    """The fields the issue names, in one comparable shape."""
    out = {
        "image": svc.get("image"),
        "ports": [str(p) for p in svc.get("ports", [])],
        "environment": _env(svc.get("environment")),
        "volumes": [_volume(v) for v in svc.get("volumes", [])],
        "command": _words(svc.get("command")),
        "entrypoint": _words(svc.get("entrypoint")),
        "user": svc.get("user"), "working_dir": svc.get("working_dir"),
        "restart": svc.get("restart"),
        "healthcheck": _health(svc.get("healthcheck")),
        "logging": {"driver": (svc.get("logging") or {}).get("driver"),
                    "options": {k: str(v) for k, v in
                                ((svc.get("logging") or {}).get("options") or {}).items()}},
        "ulimits": _ulimits(svc.get("ulimits")),
        "cap_add": svc.get("cap_add", []), "cap_drop": svc.get("cap_drop", []),
        "resources": _resources(svc),
        "devices": [str(d) for d in svc.get("devices", [])],
        "networks": _networks(svc),
    }
    return out


def expected_service(case: dict) -> dict:
    """The service composerize added (an existing compose file may hold others)."""
    doc = yaml.safe_load(case["expected_compose"])
    existing = yaml.safe_load((case["composerize_options"] or {}).get("existing_compose")
                              or "") or {}
    before = set((existing.get("services") or {}) if isinstance(existing, dict) else {})
    added = [svc for name, svc in doc["services"].items() if name not in before]
    assert len(added) == 1
    return added[0]


def convert(case: dict):
    return to_compose([(case["command"], "<case>")], cwd="/corpus",
                      read_file=lambda path: "FROM_FILE=1\n")


CASES = load_cases() if corpus_available() else []


@pytest.mark.parametrize("index", range(len(CASES)) if CASES else [pytest.param(
    0, marks=pytest.mark.skip(reason="corpus not available"))])
def test_corpus_case(index):
    case = load_cases()[index]
    key = case_key(case)
    expected_error = EXCEPTIONS["errors"].get(key)
    if expected_error:
        with pytest.raises(UserError) as info:
            convert(case)
        assert expected_error["message"] in str(info.value), str(info.value)
        return
    doc, _ = convert(case)
    services = plain(doc)["services"]
    assert len(services) == 1
    if not case.get("expected_compose"):
        return
    ours = normalise(next(iter(services.values())))
    theirs = normalise(expected_service(case))
    differs = EXCEPTIONS["differs"].get(key, {}).get("fields", {})
    for field in FIELDS:
        if field in differs:
            # the listed wrong field must really differ, and ours must be the stated value
            assert ours[field] != theirs[field], f"{key}: {field} agrees now; drop the exception"
            assert ours[field] == differs[field]["ours"], f"{key}: {field}: {ours[field]!r}"
        else:
            assert ours[field] == theirs[field], f"{key}: {field}"


def test_exception_list_names_real_cases():
    keys = {case_key(c) for c in load_cases()}
    listed = set(EXCEPTIONS["errors"]) | set(EXCEPTIONS["differs"])
    assert listed <= keys, sorted(listed - keys)
    for entry in list(EXCEPTIONS["errors"].values()) + list(EXCEPTIONS["differs"].values()):
        assert entry["reason"].strip()
