"""Phase: canonicalise one validated compose document — short syntax → long syntax.

Table-driven like compose-go's ``transform`` package: :data:`SERVICE_CANONICALISERS` maps a
service key to the function that rewrites its value, :data:`TOP_LEVEL_CANONICALISERS` does
the same for ``volumes``/``networks``/``secrets``/``configs`` entries. Keys without an entry
are copied unchanged (nothing is dropped). The long forms match what ``docker compose
config`` prints, so the merge phase can key ports, volumes, secrets and configs reliably.

Locations survive: each new mapping or list carries the location of the value it replaces.
``!reset``/``!override`` wrappers are kept around the canonical inner value.
"""
from __future__ import annotations

from typing import Any, Optional

from .. import units
from ..errors import Location, UserError
from .canonical_base import (Canonicaliser, Ctx, absolute, at_of, copy_dict,
                             default_home, dict_items, go_string, is_remote, list_items,
                             loc_of, new_dict, new_list, through_wrappers)
from .canonical_maps import (canonical_additional_contexts, canonical_environment,
                             canonical_extra_hosts, canonical_labels, canonical_sysctls)
from .canonical_misc import (canonical_develop, canonical_devices, canonical_gpus,
                             canonical_hooks, canonical_ulimits)
from .canonical_ports import canonical_expose, canonical_ports
from .canonical_volumes import canonical_volumes
from .source import LDict, Override, Reset


def _string_list(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``dns: 8.8.8.8`` → ``[8.8.8.8]``."""
    if isinstance(value, str):
        return new_list(at, [(value, at)])
    return value


def _command(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """A string is split into words like Compose does (no shell runs it); ``''`` → ``[]``."""
    if not isinstance(value, str):
        return value
    try:
        words = units.split_command(value)
    except ValueError as exc:
        ctx.error(at, path, str(exc), "balance the quotes, or write the command as a list")
        return value
    return new_list(at, ((w, at) for w in words))


def _env_file(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``env_file`` → list of ``{path: absolute, required: true[, format]}``."""
    entries = [value] if isinstance(value, str) else value
    if not isinstance(entries, list):
        return value
    items = []
    for _, entry, loc in list_items(entries, at):
        if isinstance(entry, str):
            item = new_dict(loc, [("path", absolute(entry, ctx), loc), ("required", True, loc)])
        elif isinstance(entry, dict):
            updates = {"path": absolute(entry.get("path"), ctx),
                       "required": entry.get("required", True)}
            item = copy_dict(entry, loc, updates)
        else:
            item = entry
        items.append((item, loc))
    return new_list(at_of(value, at), items)


def _label_file(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    entries = [value] if isinstance(value, str) else value
    if not isinstance(entries, list):
        return value
    return new_list(at_of(value, at), ((absolute(v, ctx), loc) for _, v, loc in
                                       list_items(entries, at)))


def _healthcheck(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``test: cmd`` → ``["CMD-SHELL", cmd]``; durations stay as written."""
    if not isinstance(value, dict) or not isinstance(value.get("test"), str):
        return value
    loc = loc_of(value, "test", at)
    return copy_dict(value, at, {"test": new_list(loc, [("CMD-SHELL", loc),
                                                         (value["test"], loc)])})


DEPENDENCY_DEFAULTS = (("condition", "service_started"), ("required", True), ("restart", False))


def _depends_on(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """List of names → mapping name → {condition, required, restart} with defaults filled."""
    if isinstance(value, list):
        pairs = [(name, LDict(at=loc), loc) for _, name, loc in list_items(value, at)]
    elif isinstance(value, dict):
        pairs = [(k, v if isinstance(v, dict) else LDict(at=loc), loc)
                 for k, v, loc in dict_items(value, at)]
    else:
        return value
    out = []
    for name, spec, loc in pairs:
        updates = {k: spec.get(k, default) for k, default in DEPENDENCY_DEFAULTS}
        if isinstance(updates["restart"], str):  # the schema allows "true"/"false" strings
            updates["restart"] = updates["restart"].lower() == "true"
        out.append((str(name), copy_dict(spec, loc, updates), loc))
    return new_dict(at_of(value, at), out)


def _service_networks(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``networks: [a, b]`` → ``{a: null, b: null}``."""
    if isinstance(value, list):
        return new_dict(at_of(value, at), ((n, None, loc) for _, n, loc in list_items(value, at)))
    return value


def _file_mode(entry: dict, at: Location, path: tuple, ctx: Ctx) -> dict:
    mode = entry.get("mode")
    if isinstance(mode, str):  # "0440" is octal, as in chmod
        try:
            return {"mode": int(mode, 8)}
        except ValueError:
            ctx.error(loc_of(entry, "mode", at), path + ("mode",),
                      f"invalid file mode {mode!r}", "use an octal number such as 0440")
    return {}


def _file_refs(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``secrets``/``configs`` of a service: ``- name`` → ``{source: name}``."""
    if not isinstance(value, list):
        return value
    items = []
    for i, entry, loc in list_items(value, at):
        if isinstance(entry, str):
            items.append((new_dict(loc, [("source", entry, loc)]), loc))
        elif isinstance(entry, dict):
            items.append((copy_dict(entry, loc, _file_mode(entry, loc, path + (i,), ctx)), loc))
        else:
            items.append((entry, loc))
    return new_list(at_of(value, at), items)


def _extends(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``extends: web`` → ``{service: web}``. ``file`` stays as written: it is relative to
    the file holding it, which may differ from ``base_dir``; the extends phase resolves it."""
    if isinstance(value, str):
        return new_dict(at, [("service", value, at)])
    return value


def _build_context(context: Any, ctx: Ctx) -> Any:
    if isinstance(context, str) and not is_remote(context):
        return absolute(context, ctx)
    return context


BUILD_CANONICALISERS: dict = {
    "args": canonical_environment,
    "labels": canonical_labels,
    "extra_hosts": canonical_extra_hosts,
    "additional_contexts": canonical_additional_contexts,
    "secrets": _file_refs,
    "ulimits": canonical_ulimits,
    "tags": _string_list,
    "cache_from": _string_list,
    "cache_to": _string_list,
}


def _build(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """``build: ./dir`` → ``{context: /abs/dir}``; URLs and git refs are left alone."""
    if isinstance(value, str):
        return new_dict(at, [("context", _build_context(value, ctx), at)])
    if not isinstance(value, dict):
        return value
    out = _apply_table(BUILD_CANONICALISERS, value, at, path, ctx)
    if "context" in out:
        out["context"] = _build_context(out["context"], ctx)
    return out


DEPLOY_CANONICALISERS: dict = {"labels": canonical_labels}


def _deploy(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    if not isinstance(value, dict):
        return value
    return _apply_table(DEPLOY_CANONICALISERS, value, at, path, ctx)


SERVICE_CANONICALISERS: dict = {
    "annotations": canonical_labels,
    "build": _build,
    "command": _command,
    "configs": _file_refs,
    "depends_on": _depends_on,
    "deploy": _deploy,
    "develop": canonical_develop,
    "devices": canonical_devices,
    "dns": _string_list,
    "dns_search": _string_list,
    "entrypoint": _command,
    "env_file": _env_file,
    "environment": canonical_environment,
    "expose": canonical_expose,
    "extends": _extends,
    "extra_hosts": canonical_extra_hosts,
    "gpus": canonical_gpus,
    "healthcheck": _healthcheck,
    "label_file": _label_file,
    "labels": canonical_labels,
    "networks": _service_networks,
    "ports": canonical_ports,
    "post_start": canonical_hooks,
    "pre_stop": canonical_hooks,
    "secrets": _file_refs,
    "sysctls": canonical_sysctls,
    "tmpfs": _string_list,
    "ulimits": canonical_ulimits,
    "volumes": canonical_volumes,
}


def _apply_table(table: dict, node: dict, at: Location, path: tuple, ctx: Ctx) -> LDict:
    """Copy ``node`` rewriting each key that has a canonicaliser in ``table``."""
    at = at_of(node, at)
    items = []
    for key, value, loc in dict_items(node, at):
        fn: Optional[Canonicaliser] = table.get(key)
        if fn is not None:
            value = through_wrappers(fn, value, loc, path + (key,), ctx)
        items.append((key, value, loc))
    return new_dict(at, items)


def _service(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    if not isinstance(value, dict):
        return value
    return _apply_table(SERVICE_CANONICALISERS, value, at, path, ctx)


def _services(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    if not isinstance(value, dict):
        return value
    return new_dict(at_of(value, at), ((name, through_wrappers(_service, svc, loc, path + (name,), ctx),
                                        loc) for name, svc, loc in dict_items(value, at)))


# --- top-level resources -------------------------------------------------------------

def _legacy_external(entry: dict, updates: dict) -> None:
    """``external: {name: x}`` (compose file v3.3-) → ``external: true`` + ``name: x``."""
    external = entry.get("external")
    if isinstance(external, dict):
        updates["external"] = True
        if external.get("name") is not None and entry.get("name") is None:
            updates["name"] = external["name"]


def _volume_device(entry: dict, updates: dict, ctx: Ctx) -> None:
    """A ``local`` volume with ``o: bind`` mounts ``device`` from the host: resolve it."""
    opts = entry.get("driver_opts")
    if not isinstance(opts, dict) or not isinstance(opts.get("device"), str):
        return
    if "bind" in str(opts.get("o", "")).split(","):
        updates["driver_opts"] = copy_dict(opts, at_of(opts, Location()),
                                           {"device": absolute(opts["device"], ctx)})


def _resource(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    """A top-level volume/network/secret/config entry: ``null`` → ``{}``, paths absolute."""
    if not isinstance(value, dict):
        return LDict(at=at)
    updates: dict = {}
    _legacy_external(value, updates)
    if isinstance(value.get("file"), str):
        updates["file"] = absolute(value["file"], ctx)
    if path[0] == "volumes":
        _volume_device(value, updates, ctx)
    if path[0] in ("volumes", "networks") and "labels" in value:
        updates["labels"] = canonical_labels(value["labels"], loc_of(value, "labels", at),
                                             path + ("labels",), ctx)
    return copy_dict(value, at, updates)


def _resources(value: Any, at: Location, path: tuple, ctx: Ctx) -> Any:
    if not isinstance(value, dict):
        return value
    items = []
    for key, entry, loc in dict_items(value, at):
        if str(key).startswith("x-"):
            pass  # extensions are the user's own data
        elif isinstance(entry, (Reset, Override)):
            entry = through_wrappers(_resource, entry, loc, path + (key,), ctx)
        else:
            entry = _resource(entry, loc, path + (key,), ctx)
        items.append((key, entry, loc))
    return new_dict(at_of(value, at), items)


TOP_LEVEL_CANONICALISERS: dict = {
    "services": _services,
    "volumes": _resources,
    "networks": _resources,
    "secrets": _resources,
    "configs": _resources,
}


def canonicalise(doc: Any, base_dir: str, home: Optional[str] = None, relative_binds: bool = False) -> Any:
    """Rewrite one validated compose document into long syntax.

    ``base_dir`` is the directory relative host paths resolve from (bind mounts, build
    contexts, env files, secret/config files); ``home`` replaces ``~`` (default: the
    user's home); ``relative_binds`` keeps relative bind-mount sources as written (docker run
    lines: the converted file must not carry this machine's paths). Returns a new located
    document; the input is not modified. Raises
    :class:`UserError` listing every malformed value (ports, volumes, commands, ...).
    """
    if not isinstance(doc, dict):
        return doc
    ctx = Ctx(base_dir=base_dir, home=default_home(home), relative_binds=relative_binds)
    at = at_of(doc, Location())
    out = _apply_table(TOP_LEVEL_CANONICALISERS, doc, at, (), ctx)
    if ctx.errors:
        raise UserError(sorted(ctx.errors, key=lambda d: d.sort_key()))
    return out


__all__ = ["canonicalise", "SERVICE_CANONICALISERS", "TOP_LEVEL_CANONICALISERS",
           "BUILD_CANONICALISERS", "DEPLOY_CANONICALISERS", "go_string"]
