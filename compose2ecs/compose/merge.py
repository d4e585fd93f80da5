"""Phase: merge several compose documents (``-f a -f b``) into one; also the engine of ``extends``.

The rules come from the compose spec (``13-merge.md``) and its reference implementation,
compose-go ``override/merge.go`` + ``override/uncity.go``. They are written down once, as a
TABLE keyed by key path (``("services", "*", "ports")``); anything not in the table follows
the defaults: mappings merge key by key, scalars: the later file wins, sequences are appended,
and an explicit ``null`` in the later file keeps the earlier value.

Inputs are canonical (long-syntax) LDict/LList trees. ``!reset`` (:class:`Reset`) removes the
key from the result; ``!override`` (:class:`Override`) replaces the value wholesale. Every
merged value keeps the Location of the file that supplied it, so a later finding points at
the override file when the override file won.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Optional, Sequence

from ..errors import Location, UserError, format_key_path
from .source import LDict, LList, Override, Reset
from ..records import record

_ABSENT = object()  # "no value": a !reset key, or a key one side does not have


@record
class _Site:
    """Where a merge happens: the key path and the two values' locations."""

    path: tuple
    base_loc: Location
    over_loc: Location

    def child(self, key, base_loc: Location, over_loc: Location) -> "_Site":
        return _Site(self.path + (key,), base_loc, over_loc)


@record
class _Ctx:
    rules: Mapping
    # extends runs before the file merge: it keeps !reset/!override markers of the local
    # service so that the later file merge still honours them (merge_documents strips them).
    keep_tags: bool


Rule = Callable[[Any, Any, _Site, _Ctx], Any]


# --- copying and tag handling ------------------------------------------------------------

_NOWHERE = Location()
_SCALARS = frozenset((str, int, float, bool, type(None)))


def _clone(value, keep_tags: bool):
    """Deep copy of located data; wrappers are kept, unwrapped (Override) or dropped (Reset).
    (It copies every value of a project: written for speed, locations read directly.)"""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, (Reset, Override)):
        inner = _clone(value.value, keep_tags)
        if keep_tags:
            return type(value)(inner)
        return inner if isinstance(value, Override) else _ABSENT
    if isinstance(value, dict):
        out = LDict(at=getattr(value, "at", _NOWHERE))
        at, locs, out_locs = out.at, getattr(value, "locs", None), out.locs
        for key, item in value.items():
            copied = _clone(item, keep_tags)
            if copied is not _ABSENT:
                out[key] = copied
                out_locs[key] = locs.get(key, at) if locs is not None else at
        return out
    if isinstance(value, list):
        out = LList(at=getattr(value, "at", _NOWHERE))
        at, locs = out.at, value.locs if isinstance(value, LList) else None
        for i, item in enumerate(value):
            copied = _clone(item, keep_tags)
            if copied is not _ABSENT:
                out.append(copied)
                out.locs.append(locs[i] if locs is not None and i < len(locs) else at)
        return out
    return value


def strip_tags(doc):
    """A copy of ``doc`` without Reset/Override wrappers: ``!reset`` keys are removed,
    ``!override`` values unwrapped. A single compose file goes through this instead of a merge."""
    copied = _clone(doc, keep_tags=False)
    return None if copied is _ABSENT else copied


def _unwrap(value):
    return value.value if isinstance(value, Override) else value


# --- the core ----------------------------------------------------------------------------

def _merge(base, over, site: _Site, ctx: _Ctx):
    """Merge ``over`` (later file / local service) onto ``base``; returns a new value or _ABSENT."""
    if isinstance(over, Reset):
        return Reset(None) if ctx.keep_tags else _ABSENT
    if isinstance(over, Override):
        return _clone(over, ctx.keep_tags)
    base = _unwrap(base)
    if base is _ABSENT or isinstance(base, Reset):
        return _clone(over, ctx.keep_tags)
    return _lookup(ctx.rules, site.path)(base, over, site, ctx)


def _lookup(rules: Mapping, path: tuple) -> Rule:
    for pattern, rule in rules.items():
        if len(pattern) == len(path) and all(p in ("*", k) for p, k in zip(pattern, path)):
            return rule
    return merge_default


def _kind(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a single value"


def _mismatch(base, over, site: _Site) -> UserError:
    where = site.over_loc.with_path(site.path)
    return UserError.at(
        where,
        f"cannot merge {format_key_path(site.path)}: it is {_kind(over)} here but "
        f"{_kind(base)} in {site.base_loc.file or 'the earlier file'}"
        + (f":{site.base_loc.line}" if site.base_loc.line else ""),
        "write it in the same form in both files, or tag this value !override to replace it")


def merge_default(base, over, site: _Site, ctx: _Ctx):
    """Mappings merge key by key, lists append, scalars: later wins, null keeps the earlier."""
    if over is None:
        return _clone(base, ctx.keep_tags)
    if isinstance(base, dict) and isinstance(over, dict):
        return merge_mappings(base, over, site, ctx)
    if isinstance(base, list) and isinstance(over, list):
        return append(base, over, site, ctx)
    if isinstance(base, (dict, list)):
        raise _mismatch(base, over, site)
    return _clone(over, ctx.keep_tags)


def _pick_loc(merged, base_v, over_v, base_loc: Location, over_loc: Location) -> Location:
    """The location of whichever file supplied the merged value."""
    if over_v is None:
        return base_loc
    if isinstance(merged, (LDict, LList)) and isinstance(base_v, (dict, list)) \
            and merged.at == getattr(base_v, "at", None):
        return base_loc  # merged container: it lives where it was first defined
    return over_loc


def merge_mappings(base: dict, over: dict, site: _Site, ctx: _Ctx) -> LDict:
    """Key by key: keys only in one side are copied, keys in both merge by their own rule."""
    out = LDict(at=getattr(base, "at", Location()))
    bloc = base.loc if isinstance(base, LDict) else (lambda k: out.at)
    oloc = over.loc if isinstance(over, LDict) else (lambda k: out.at)
    for key in list(base) + [k for k in over if k not in base]:
        if key not in over:
            value, loc = _clone(base[key], ctx.keep_tags), bloc(key)
        elif key not in base:
            value, loc = _clone(over[key], ctx.keep_tags), oloc(key)
        else:
            value = _merge(base[key], over[key], site.child(key, bloc(key), oloc(key)), ctx)
            loc = _pick_loc(value, _unwrap(base[key]), over[key], bloc(key), oloc(key))
        if value is not _ABSENT:
            out[key] = value
            out.locs[key] = loc
    return out


def _items(seq, ctx: _Ctx):
    """(copied item, location) of a list, skipping !reset items."""
    for i, item in enumerate(seq):
        copied = _clone(item, ctx.keep_tags)
        if copied is not _ABSENT:
            yield copied, seq.loc(i) if isinstance(seq, LList) else getattr(seq, "at", Location())


def append(base, over, site: _Site, ctx: _Ctx):
    """Sequences: the later file's items after the earlier file's."""
    if not (isinstance(base, list) and isinstance(over, list)):
        return merge_default(base, over, site, ctx)
    out = LList(at=getattr(base, "at", Location()))
    for src in (base, over):
        for item, loc in _items(src, ctx):
            out.append_located(item, loc)
    return out


def replace(base, over, site: _Site, ctx: _Ctx):
    """The later value replaces the earlier one entirely (command, entrypoint, healthcheck.test)."""
    return _clone(over, ctx.keep_tags)


def merge_by_key(key_fn: Callable[[Any], Any]) -> Rule:
    """Sequences of unique items: an item whose key is already present replaces it in place."""
    def rule(base, over, site: _Site, ctx: _Ctx):
        if not (isinstance(base, list) and isinstance(over, list)):
            return merge_default(base, over, site, ctx)
        out = LList(at=getattr(base, "at", Location()))
        index: dict = {}
        for src in (base, over):
            for item, loc in _items(src, ctx):
                key = _freeze(key_fn(_unwrap(item)))
                if key in index:
                    out[index[key]] = item
                    out.locs[index[key]] = loc
                else:
                    index[key] = len(out)
                    out.append_located(item, loc)
        return out
    rule.__name__ = f"merge_by_key({getattr(key_fn, '__name__', 'key')})"
    return rule


def _freeze(value):
    """A hashable stand-in for any plain value."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


# --- keys of unique items (compose-go uncity.go) ------------------------------------------

def port_key(port):
    """Ports are unique by (host ip, published, target, protocol)."""
    if not isinstance(port, dict):
        return str(port)
    published = port.get("published")
    return (port.get("host_ip") or "0.0.0.0", "" if published is None else str(published),
            port.get("target"), port.get("protocol") or "tcp")


def mount_target(mount):
    """Volumes and devices are unique by their path inside the container."""
    if isinstance(mount, dict):
        return mount.get("target")
    parts = str(mount).split(":")
    return parts[1] if len(parts) > 1 else parts[0]


def file_ref_key(default_dir: str) -> Callable[[Any], Any]:
    """Secrets/configs are unique by target; no target means ``<default_dir><source>``."""
    def key(ref):
        if isinstance(ref, dict):
            return ref.get("target") or f"{default_dir}{ref.get('source')}"
        return f"{default_dir}{ref}"
    key.__name__ = f"file_ref_key({default_dir!r})"
    return key


def field_key(name: str) -> Callable[[Any], Any]:
    """Unique by one field: env_file by path, blkio limits by device path, ipam by subnet."""
    def key(item):
        return item.get(name) if isinstance(item, dict) else item
    key.__name__ = f"field_key({name!r})"
    return key


def item_key(item):
    """Plain lists (dns, cap_add, links, ...): a ``KEY=value`` string is unique by KEY."""
    if isinstance(item, str):
        return item.split("=", 1)[0]
    if isinstance(item, (int, float)) and not isinstance(item, bool):
        return str(item)  # expose: 80 and "80" are the same port
    return item




# --- rules for keys that are mappings in canonical form -----------------------------------

def _kv_mapping(value) -> LDict:
    """``["A=1", "B"]`` → ``{"A": "1", "B": None}``, keeping each item's location."""
    if isinstance(value, dict):
        return value
    out = LDict(at=getattr(value, "at", Location()))
    for i, item in enumerate(value):
        key, sep, val = str(_unwrap(item)).partition("=")
        out[key] = val if sep else None
        out.locs[key] = value.loc(i) if isinstance(value, LList) else out.at
    return out


def merge_key_values(base, over, site: _Site, ctx: _Ctx):
    """environment, labels, ...: key by key, the later value wins (even null: for environment
    a bare name means "take it from the shell", which is a value, not an absence)."""
    if over is None:
        return _clone(base, ctx.keep_tags)
    if isinstance(base, list) and isinstance(over, list):
        return merge_by_key(item_key)(base, over, site, ctx)
    if not isinstance(base, (dict, list)) or not isinstance(over, (dict, list)):
        return merge_default(base, over, site, ctx)
    base, over = _kv_mapping(base), _kv_mapping(over)
    out = _clone(base, ctx.keep_tags)
    for key, value in over.items():
        copied = _clone(value, ctx.keep_tags)
        if copied is _ABSENT:  # `A: !reset` removes A
            out.pop(key, None)
            out.locs.pop(key, None)
        else:
            out[key] = copied
            out.locs[key] = over.loc(key) if isinstance(over, LDict) else over.at
    return out


def _as_mapping(default: Callable[[], Any]) -> Callable[[Any], Any]:
    """List form → mapping (depends_on: [db] → {db: {...defaults}}; networks: [a] → {a: null})."""
    def convert(value):
        if not isinstance(value, list):
            return value
        out = LDict(at=getattr(value, "at", Location()))
        for i, name in enumerate(value):
            out[str(_unwrap(name))] = default()
            out.locs[str(_unwrap(name))] = value.loc(i) if isinstance(value, LList) else out.at
        return out
    return convert


_DEPENDS_ON = _as_mapping(lambda: LDict({"condition": "service_started", "required": True}))
_NETWORKS = _as_mapping(lambda: None)


def merge_depends_on(base, over, site: _Site, ctx: _Ctx):
    return merge_default(_DEPENDS_ON(base), _DEPENDS_ON(over), site, ctx)


def merge_service_networks(base, over, site: _Site, ctx: _Ctx):
    return merge_default(_NETWORKS(base), _NETWORKS(over), site, ctx)


def merge_build(base, over, site: _Site, ctx: _Ctx):
    """build: a bare context string is ``{context: ...}``."""
    def as_map(value):
        return LDict({"context": value}, at=site.base_loc) if isinstance(value, str) else value
    return merge_default(as_map(base), as_map(over), site, ctx)


def merge_logging(base, over, site: _Site, ctx: _Ctx):
    """Options merge only when both files name the same driver (or one names none);
    a different driver replaces the whole logging block."""
    if isinstance(base, dict) and isinstance(over, dict):
        b, o = base.get("driver"), over.get("driver")
        if b is not None and o is not None and _unwrap(b) != _unwrap(o):
            return _clone(over, ctx.keep_tags)
    return merge_default(base, over, site, ctx)


# --- the tables ---------------------------------------------------------------------------

_DEDUPED = merge_by_key(item_key)


def _service(*path) -> tuple:
    return ("services", "*") + path


FILE_RULES: dict = {
    _service("command"): replace,
    _service("entrypoint"): replace,
    _service("healthcheck", "test"): replace,
    _service("ports"): merge_by_key(port_key),
    _service("volumes"): merge_by_key(mount_target),
    _service("devices"): merge_by_key(mount_target),
    _service("secrets"): merge_by_key(file_ref_key("/run/secrets/")),
    _service("configs"): merge_by_key(file_ref_key("/")),
    _service("env_file"): merge_by_key(field_key("path")),
    _service("build"): merge_build,
    _service("depends_on"): merge_depends_on,
    _service("networks"): merge_service_networks,
    _service("logging"): merge_logging,
    _service("ulimits", "*"): replace,
    **{_service(*k): merge_key_values for k in (
        ("environment",), ("labels",), ("annotations",), ("sysctls",), ("extra_hosts",),
        ("storage_opt",), ("build", "args"), ("build", "labels"), ("build", "extra_hosts"),
        ("build", "additional_contexts"), ("deploy", "labels"))},
    **{_service(*k): _DEDUPED for k in (
        ("dns",), ("dns_opt",), ("dns_search",), ("tmpfs",), ("cap_add",), ("cap_drop",),
        ("expose",), ("profiles",), ("links",), ("networks", "*", "aliases"),
        ("networks", "*", "link_local_ips"), ("build", "tags"))},
    # blkio_config device limits are unique per device path (spec 05-services.md#extends)
    **{_service("blkio_config", k): merge_by_key(field_key("path")) for k in (
        "device_read_bps", "device_read_iops", "device_write_bps", "device_write_iops",
        "weight_device")},
    ("networks", "*", "labels"): merge_key_values,
    ("networks", "*", "ipam", "config"): merge_by_key(field_key("subnet")),
    ("volumes", "*", "labels"): merge_key_values,
    ("secrets", "*", "labels"): merge_key_values,
    ("configs", "*", "labels"): merge_key_values,
}

# extends (spec 05-services.md#extends): like file merging, except that dns, dns_search,
# env_file and tmpfs are concatenated base-first without removing duplicates, and a few more
# lists (which file merging simply appends) drop duplicates.
EXTENDS_RULES: dict = {
    **FILE_RULES,
    **{_service(k): append for k in ("dns", "dns_search", "env_file", "tmpfs")},
    **{_service(*k): _DEDUPED for k in (
        ("security_opt",), ("device_cgroup_rules",), ("external_links",),
        ("deploy", "placement", "constraints"), ("deploy", "placement", "preferences"),
        ("deploy", "resources", "reservations", "generic_resources"))},
}


# --- public API ---------------------------------------------------------------------------

def _as_document(doc, index: int) -> LDict:
    if doc is None:
        return LDict()
    if not isinstance(doc, dict):
        raise UserError.at(getattr(doc, "at", Location()),
                           f"compose file #{index + 1} is {_kind(doc)}, not a mapping",
                           "a compose file starts with top-level keys such as services:")
    return doc


def merge_documents(docs: Sequence[Any], rules: Optional[Mapping] = None) -> LDict:
    """Merge compose documents in the order given (``-f a -f b``: b overrides a).

    Returns a new LDict without Reset/Override wrappers; inputs are not modified. An empty
    file (None) counts as ``{}``. Raises :class:`UserError` when a key is a mapping in one
    file and a list in another.
    """
    ctx = _Ctx(FILE_RULES if rules is None else rules, keep_tags=False)
    if not docs:
        return LDict()
    result = strip_tags(_as_document(docs[0], 0))
    for i, doc in enumerate(docs[1:], start=1):
        doc = _as_document(doc, i)
        result = _merge(result, doc, _Site((), result.at, doc.at), ctx)
    return result


def merge_service(base, local, rules: Optional[Mapping] = None, *, name: str = "x",
                  keep_tags: bool = False) -> LDict:
    """Merge service ``local`` onto ``base`` (extends: base = referenced service).

    ``rules`` defaults to :data:`FILE_RULES`; extends passes :data:`EXTENDS_RULES`.
    ``name`` only matters for error messages (key paths read ``services.<name>.…``).
    With ``keep_tags`` the local service's !reset/!override markers survive in the result.
    The result is located where ``local`` is.
    """
    ctx = _Ctx(FILE_RULES if rules is None else rules, keep_tags)
    base = _unwrap(base)
    base = LDict() if base is None or isinstance(base, Reset) else base
    local = LDict(at=getattr(base, "at", Location())) if local is None else local
    site = _Site(("services", name), getattr(base, "at", Location()), getattr(local, "at", Location()))
    merged = merge_default(_clone(base, keep_tags), local, site, ctx)
    if isinstance(merged, LDict):
        merged.at = getattr(local, "at", merged.at)
    return merged
