"""Phases of the `docker run` front-end, in order: text → argv → flags table → values →
compose service dicts (design.md §1; the package is shaped like ``compose/``).

Text is split into shell words with positions (:mod:`.text`); each ``docker run`` /
``docker container run`` / ``docker create`` / ``podman run`` line is read with pflag's rules
(:mod:`.argv`: ``--flag=value``, ``--flag value``, ``-p8080:80``, ``-itd``, ``-itp 80:80``,
``--``; everything after the image is the command) against ONE table (:mod:`.flags`), whose
rows write structured values (:mod:`.values`) and run the final pass (:mod:`.handlers`),
producing a located compose service dict. The loader then runs the same interpolation,
validation and canonicalisation on it as on a compose file.
"""
from __future__ import annotations

import dataclasses
import os
from typing import Callable, Optional, Sequence

from ..compose.source import LDict, LList
from ..errors import Finding, Location, Severity, UserError
from .argv import Context, parse_one
from .text import Segment, split_commands

# The words that start a command this front-end converts.
RUN_PREFIXES = (("docker", "container", "run"), ("docker", "container", "create"),
                ("docker", "run"), ("docker", "create"), ("podman", "container", "run"),
                ("podman", "run"), ("podman", "create"))
_SUDO_VALUE_FLAGS = ("-u", "-g", "-U", "-C", "-h", "-p", "-r", "-t", "-D")


def _default_reader(path: str) -> str:
    """A file named by ``--env-file``/``--label-file``: limits.py rules (no /dev/zero)."""
    import errno

    from ..compose import limits

    try:
        return limits.decode(limits.read_input_file(path, path), path)
    except UserError as exc:  # the caller words its own located error from an OSError
        raise OSError(errno.EINVAL, exc.diagnostics[0].message) from None


def parse_commands(text: str, source_name: str = "<docker run>", *, cwd: Optional[str] = None,
                   read_file: Optional[Callable[[str], str]] = None) -> list:
    """Parse every `docker run` line of ``text`` into :class:`RunCommand` values.

    Other commands are ignored with an info finding (in the first command's findings).
    ``cwd`` and ``read_file`` resolve ``--env-file``/``--label-file`` (defaults: the process
    directory and the real file system). Raises :class:`UserError` with every problem found.
    """
    segments, pos = split_commands(text, source_name)
    ctx = Context(source_name, pos, cwd or os.getcwd(), read_file or _default_reader)
    runs = _group(segments, ctx)
    commands = []
    for index, (seg, start) in enumerate(runs):
        command = parse_one(seg, start, index, ctx)
        if command is not None:
            commands.append(command)
    if not runs and not ctx.errors:
        ctx.error(Location(source_name, 1, 1), "no docker run command found",
                  "give a line such as: docker run -p 8080:80 nginx (docker/podman run or "
                  "create; swarm's docker service create is not supported)")
    if ctx.errors:
        raise UserError(sorted(ctx.errors, key=Finding.sort_key))
    commands = _unique_names(commands)
    if commands and ctx.findings:
        first = commands[0]
        commands[0] = dataclasses.replace(first, findings=tuple(ctx.findings) + first.findings)
    return commands


def _group(segments: list, ctx: Context) -> list:
    """Pick the run commands; fold flag-only lines into the run before them (README lines
    often lose their trailing backslash); everything else becomes an info finding."""
    runs: list = []
    for seg in segments:
        words = _strip_prompt(seg.words)
        start = _run_prefix(words)
        if start is None and runs and seg.after == "\n" and words and \
                words[0].text.startswith("-") and runs[-1][0] is not None:
            prev, prev_start = runs[-1]
            runs[-1] = (Segment(prev.words + words, prev.after), prev_start)
            ctx.findings.append(Finding(Severity.INFO, ctx.loc(words[0].start),
                                        "line read as a continuation of the docker run above it "
                                        "(the line before it does not end with \\)"))
            continue
        if start is None:
            if words:
                shown = " ".join(w.text for w in words[:4])
                ctx.findings.append(Finding(Severity.INFO, ctx.loc(words[0].start),
                                            f"ignored `{shown}`: not a docker run command"))
            continue
        runs.append((Segment(words, seg.after), start))
    return runs


def _strip_prompt(words: list) -> list:
    out = list(words)
    if out and out[0].text in ("$", "%", "#") and not out[0].literal:
        out = out[1:]  # a copied shell prompt
    if out and out[0].text == "sudo":
        i = 1
        while i < len(out) and out[i].text.startswith("-"):
            i += 2 if out[i].text in _SUDO_VALUE_FLAGS else 1
        out = out[i:]
    return out


def _run_prefix(words: list) -> Optional[int]:
    texts = tuple(w.text for w in words[:3])
    for prefix in RUN_PREFIXES:
        if texts[:len(prefix)] == prefix:
            return len(prefix)
    return None


def _unique_names(commands: list, taken: Optional[set] = None) -> list:
    taken = set() if taken is None else taken
    out = []
    for command in commands:
        name, n = command.name, 1
        while name in taken:
            n += 1
            name = f"{command.name}-{n}"
        taken.add(name)
        if name != command.name:
            note = Finding(Severity.INFO, command.at,
                           f"another command already makes a service {command.name!r}; "
                           f"this one is named {name!r}", "give each command its own --name")
            command = dataclasses.replace(command, name=name, findings=command.findings + (note,))
        out.append(command)
    return out


# ---- several texts → one compose document ---------------------------------------------------

def to_compose(texts: Sequence[tuple], *, cwd: str,
               read_file: Optional[Callable[[str], str]] = None) -> tuple:
    """Convert ``[(command text, source name)]`` into ``({"services": …}, findings)``.

    The document is made of :class:`LDict`/:class:`LList` whose locations point into the
    command texts. Service names are unique across all texts (``web``, ``web-2``); links,
    ``--volumes-from`` and ``--network container:x`` that name a container started by another
    of the commands become references to its service. Raises :class:`UserError`.
    """
    commands, errors, taken = [], [], set()
    for text, source in texts:
        try:
            commands += _unique_names(parse_commands(text, source, cwd=cwd, read_file=read_file),
                                      taken)
        except UserError as exc:
            errors.extend(exc.diagnostics)
    if errors:
        raise UserError(errors)
    first = commands[0].at if commands else Location()
    doc, services = LDict(at=first), LDict(at=first)
    doc["services"] = services
    doc.locs["services"] = first
    containers = {c.container_name: c.name for c in commands if c.container_name}
    containers.update({c.name: c.name for c in commands if c.name not in containers})
    findings = []
    for command in commands:
        _resolve_references(command.service, _Others(containers, command.name))
        services[command.name] = command.service
        services.locs[command.name] = command.at
        findings += [dataclasses.replace(f, service=command.name) for f in command.findings]
        for kind in ("volumes", "networks"):
            for key, value in getattr(command, kind).items():
                table = doc.setdefault(kind, LDict(at=command.at))
                doc.locs.setdefault(kind, command.at)
                if key not in table:
                    table[key] = value
                    table.locs[key] = getattr(command, kind).loc(key)
    _declare_placeholders(doc, commands)
    return doc, sorted(set(findings), key=Finding.sort_key)


def _declare_placeholders(doc: LDict, commands: list) -> None:
    """``x-ecs.placeholders``: what each kept ``<placeholder>`` / ``$(command)`` stands for, so
    lowering lists it and deploy refuses it (also after a round trip through --format compose)."""
    found = [p for command in commands for p in command.placeholders]
    if not found:
        return
    at = found[0][2]
    table = LDict(at=at)
    for text, what, loc in found:
        if text not in table:  # the first use names it
            table[text] = what.replace("$", "$$")  # a value: compose interpolation must keep it
            table.locs[text] = loc
    doc["x-ecs"] = LDict({"placeholders": table}, at=at)
    doc["x-ecs"].locs["placeholders"] = at
    doc.locs["x-ecs"] = at


class _Others:
    """``containers`` without the entries naming ``own`` (a command never refers to itself);
    a view, not a copy: copying the table for every command was quadratic."""

    def __init__(self, containers: dict, own: str):
        self.containers, self.own = containers, own

    def __contains__(self, name) -> bool:
        return self.containers.get(name, self.own) != self.own

    def __getitem__(self, name) -> str:
        if name not in self:
            raise KeyError(name)
        return self.containers[name]


def _resolve_references(service: LDict, containers) -> None:
    """Containers started by the other commands are services of this project now."""
    external = service.get("external_links")
    if external:
        keep = LList(at=external.at)
        for i, link in enumerate(external):
            name, _, alias = link.partition(":")
            if name in containers:
                links = service.setdefault("links", LList(at=external.loc(i)))
                service.locs.setdefault("links", external.loc(i))
                links.append_located(f"{containers[name]}:{alias}", external.loc(i))
            else:
                keep.append_located(link, external.loc(i))
        if keep:
            service["external_links"] = keep
        else:
            del service["external_links"]
    for i, ref in enumerate(service.get("volumes_from", ())):
        name, _, mode = ref[len("container:"):].partition(":")
        if name in containers:
            service["volumes_from"][i] = containers[name] + (":" + mode if mode else "")
    mode = service.get("network_mode", "")
    if isinstance(mode, str) and mode.startswith("container:") and \
            mode[len("container:"):] in containers:
        service["network_mode"] = "service:" + containers[mode[len("container:"):]]
