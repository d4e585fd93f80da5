"""`docker run` flags that need more than a parser: names, environment (and env files),
health, networks, links, GPUs — and the final pass that joins flags which only make sense
together (``--ip`` with ``--network``, ``-P`` with ``--expose``, ``--volume-driver`` with
``-v``).
"""
from __future__ import annotations

import csv
import ipaddress
import os
import re

from ..compose.source import LDict, LList
from ..errors import Location, UserError
from .values import ServiceBuilder, Val

_CONTAINER_NAME = re.compile(r"/?[a-zA-Z0-9][a-zA-Z0-9_.-]*\Z")
_NETWORK_NAME = re.compile(r"[a-zA-Z0-9._-]+\Z")
_NETWORK_MODES = {"host": "host", "none": "none", "bridge": "bridge", "default": "bridge"}


def apply_name(svc: ServiceBuilder, val: Val) -> None:
    if val.has_vars or not _CONTAINER_NAME.match(val.text) or len(val.text.lstrip("/")) < 2:
        raise ValueError(f"{val.text!r} is not a container name (two or more of a-z A-Z 0-9 "
                         "_ . -, starting with a letter or digit; no variables)")
    svc.container_name = val.text.lstrip("/")


def apply_entrypoint(svc: ServiceBuilder, val: Val) -> None:
    # docker does not split --entrypoint: the whole string is the executable
    svc.set("entrypoint", LList([val.esc()], at=val.loc) if val.text else LList(at=val.loc), val)


def apply_env(svc: ServiceBuilder, val: Val) -> None:
    key, sep, _ = val.text.partition("=")
    if not key:
        raise ValueError(f"{val.text!r} has no variable name (use -e NAME=value or -e NAME)")
    svc.put("environment", key, val.esc(len(key) + 1) if sep else None, val)


def _read_key_values(svc: ServiceBuilder, val: Val, what: str) -> list:
    """Docker's env-file format: ``KEY=value`` verbatim (no quotes removed, nothing
    expanded), ``KEY`` alone, ``#`` comments. Returns [(key, value or None)]."""
    if val.has_vars:
        raise ValueError(f"a variable cannot be used in the {what} path")
    path = os.path.join(svc.cwd, os.path.expanduser(val.text))
    try:
        text = svc.read_file(path)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ValueError(f"cannot read {what} {val.text!r}: {reason}") from None
    out = []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        line = line.lstrip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not key or re.search(r"\s", key):
            raise UserError.at(Location(path, number, 1),
                               f"{what}: {key!r} is not a variable name",
                               "write NAME=value, one per line")
        out.append((key, value.replace("$", "$$") if sep else None))
    return out


def apply_env_file(svc: ServiceBuilder, val: Val) -> None:
    for key, value in _read_key_values(svc, val, "env file"):
        svc.put("environment", key, value, val)


def apply_label_file(svc: ServiceBuilder, val: Val) -> None:
    for key, value in _read_key_values(svc, val, "label file"):
        svc.put("labels", key, "" if value is None else value, val)


def apply_health_cmd(svc: ServiceBuilder, val: Val) -> None:
    svc.set("healthcheck.test", LList(["CMD-SHELL", val.esc()], at=val.loc), val)


# ---- networks -------------------------------------------------------------------------------
_NET_FIELDS = {"alias": "aliases", "ip": "ipv4_address", "ip6": "ipv6_address",
               "mac-address": "mac_address", "link-local-ip": "link_local_ips",
               "driver-opt": "driver_opts", "gw-priority": "gw_priority"}


def apply_network(svc: ServiceBuilder, val: Val) -> None:
    text = val.text
    attrs = LDict(at=val.loc)
    if "=" in text:
        text = _network_csv(text, attrs, val)
    if text in _NETWORK_MODES or text.startswith("container:"):
        if svc.networks or "network_mode" in svc.doc:
            raise ValueError(f"--network {text} cannot be combined with another --network")
        svc.set("network_mode", _NETWORK_MODES.get(text, val.esc()), val)
        return
    if "network_mode" in svc.doc:
        raise ValueError(f"--network {text} cannot be combined with --network "
                         f"{svc.doc['network_mode']}")
    if not _NETWORK_NAME.match(text):
        raise ValueError(f"{text!r} is not a network name (letters, digits, . _ -; no "
                         "variables)")
    svc.networks.append([text, attrs, val])
    svc.declare("networks", text, {"external": True, "name": text}, val)


def _network_csv(text: str, attrs: LDict, val: Val) -> str:
    name = ""
    for field in next(csv.reader([text]), []):
        key, _, value = field.partition("=")
        if key == "name":
            name = value
        elif key in _NET_FIELDS:
            _add_attr(attrs, _NET_FIELDS[key], value, val)
        else:
            raise ValueError(f"unknown --network field {key!r} (use name, alias, ip, ip6, "
                             "mac-address, link-local-ip, driver-opt, gw-priority)")
    if not name:
        raise ValueError("--network with fields needs name=<network>")
    return name


def _add_attr(attrs: LDict, attr: str, value: str, val: Val) -> None:
    if attr in ("ipv4_address", "ipv6_address", "link_local_ips") and "$" not in value:
        version = {"ipv4_address": 4, "ipv6_address": 6}.get(attr)
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address") from None
        if version and address.version != version:
            raise ValueError(f"{value!r} is not an IPv{version} address")
    if attr in ("aliases", "link_local_ips"):
        attrs.setdefault(attr, LList(at=val.loc)).append_located(value, val.loc)
    elif attr == "driver_opts":
        key, _, rest = value.partition("=")
        attrs.setdefault(attr, LDict(at=val.loc))[key] = rest
    elif attr == "gw_priority":
        attrs[attr] = int(value) if re.fullmatch(r"-?\d+", value) else value
    else:
        attrs[attr] = value
    attrs.locs[attr] = val.loc


def network_attr(attr: str):
    """``--ip``, ``--ip6``, ``--network-alias``, ``--link-local-ip``: kept until the final
    pass, because the network they belong to may come later on the line."""
    def apply(svc: ServiceBuilder, val: Val) -> None:
        scratch = LDict(at=val.loc)
        _add_attr(scratch, attr, val.esc(), val)  # validates now, so the error is located
        svc.net_attrs.append((attr, val.esc(), val))
    return apply


def apply_link(svc: ServiceBuilder, val: Val) -> None:
    name, _, alias = val.text.partition(":")
    if not _CONTAINER_NAME.match(name) or (alias and not _CONTAINER_NAME.match(alias)):
        raise ValueError(f"{val.text!r} is not CONTAINER[:ALIAS]")
    # an external link until the final pass finds the container among the other commands
    svc.append("external_links", val.text if alias else f"{name}:{name}", val)


# ---- GPUs (docker's opts.GpuOpts) -----------------------------------------------------------
def parse_gpus(text: str) -> dict:
    request: dict = {}
    seen: set = set()
    for field in next(csv.reader([text]), []):
        key, sep, value = field.partition("=")
        if key in seen:
            raise ValueError(f"gpu request key {key!r} can be given only once")
        seen.add(key)
        if not sep:
            seen.add("count")
            request["count"] = _gpu_count(key)
        elif key in ("driver", "count", "device", "capabilities", "options"):
            _gpu_field(request, key, value)
        else:
            raise ValueError(f"unexpected key {key!r} in --gpus (use count, device, driver, "
                             "capabilities, options, or all / a number)")
    if "count" not in seen and "device_ids" not in request:
        request["count"] = 1
    request.setdefault("driver", "nvidia")  # what dockerd picks for the gpu capability
    request.setdefault("capabilities", ["gpu"])
    return {k: request[k] for k in ("driver", "count", "device_ids", "capabilities",
                                    "options") if k in request}


def _gpu_count(text: str):
    if text == "all":
        return "all"
    if not re.fullmatch(r"\d+", text):
        raise ValueError(f"{text!r} is not a GPU count (use all or a number)")
    return int(text)


def _gpu_field(request: dict, key: str, value: str) -> None:
    if key == "count":
        request["count"] = _gpu_count(value)
    elif key == "device":
        request["device_ids"] = value.split(",")
    elif key == "capabilities":
        request["capabilities"] = value.split(",") + ["gpu"]
    elif key == "options":
        request["options"] = dict(f.partition("=")[::2] for f in next(csv.reader([value]), []))
    else:
        request["driver"] = value


def apply_gpus(svc: ServiceBuilder, val: Val) -> None:
    if val.has_vars:
        raise ValueError("a variable cannot be used in --gpus (the value is split into parts)")
    request = parse_gpus(val.text)
    device = LDict(at=val.loc)
    for key, value in request.items():
        device[key] = LList(value, at=val.loc) if isinstance(value, list) else value
        device.locs[key] = val.loc
    svc.append("deploy.resources.reservations.devices", device, val)


# ---- the final pass ---------------------------------------------------------------------------
def finish(svc: ServiceBuilder) -> None:
    """Join flags that depend on each other; raises ValueError-carrying (Val, message)."""
    _finish_networks(svc)
    _finish_ports(svc)
    _finish_volume_driver(svc)
    health = svc.doc.get("healthcheck")
    if isinstance(health, dict) and health.get("disable") and len(health) > 1:
        raise FinishError(health.loc("disable"), "--no-healthcheck conflicts with the "
                          "--health-* options", "keep one of them")


class FinishError(Exception):
    def __init__(self, loc: Location, message: str, hint: str = ""):
        super().__init__(message)
        self.loc, self.message, self.hint = loc, message, hint


def _finish_networks(svc: ServiceBuilder) -> None:
    if svc.net_attrs and not svc.networks:
        _, _, val = svc.net_attrs[0]
        raise FinishError(val.loc, "--ip, --ip6, --network-alias and --link-local-ip need a "
                          "user-defined network", "add --network <name> (docker rejects "
                          "them on the default bridge network too)")
    if not svc.networks:
        return
    first = svc.networks[0][1]
    for attr, value, val in svc.net_attrs:
        _add_attr(first, attr, value, val)
    if all(not attrs for _, attrs, _ in svc.networks):
        names = LList(at=svc.networks[0][2].loc)
        for name, _, val in svc.networks:
            names.append_located(name, val.loc)
        svc.set("networks", names, svc.networks[0][2])
        return
    for name, attrs, val in svc.networks:
        svc.put("networks", name, attrs, val)


def _finish_ports(svc: ServiceBuilder) -> None:
    if svc.publish_all is not None:
        for port, loc in zip(svc.doc.get("expose", ()), svc.doc.get("expose", LList()).locs):
            svc.append("ports", str(port), Val(None, 0, loc))
        svc.info(svc.publish_all, "-P publishes the --expose ports of this line to random "
                 "host ports; ports the image EXPOSEs are not known here",
                 "list them with -p if they must be reachable")
    if svc.doc.get("network_mode") == "host" and "ports" in svc.doc:
        loc = svc.doc.loc("ports")
        del svc.doc["ports"]
        svc.findings.append(_info(loc, "-p is ignored with --network host (docker discards "
                                  "published ports in host mode); ports dropped"))


def _finish_volume_driver(svc: ServiceBuilder) -> None:
    val = svc.volume_driver
    if val is None:
        return
    named = [attrs for attrs in svc.top["volumes"].values() if "driver" not in attrs]
    for attrs in named:
        attrs["driver"] = val.esc()
        attrs.locs["driver"] = val.loc
    if not named:
        svc.info(val, "--volume-driver has no named volume on this line to apply to")


def _info(loc: Location, message: str):
    from ..errors import Finding, Severity
    return Finding(Severity.INFO, loc, message)
