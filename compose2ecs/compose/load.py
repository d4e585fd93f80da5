"""The compose loader: numbered phases, in the order docs/pipeline.md lists them.

``load()`` reads like that list. Each phase lives in its own module; this one only wires
them together and decides which directory and which variables each file sees.

 1. files        which compose files, which project directory      (project_files.py)
 2. variables    .env / --env-file, then the OS environment         (project_files.py)
 3. read         YAML with positions, anchors, !reset/!override     (source.py)
 4. interpolate  ${VAR} in values, per file                          (interpolate.py)
 5. validate     the compose-spec schema, per file                   (validate.py)
 6. canonicalise short syntax → long syntax, paths made absolute     (canonical.py)
 7. include      other projects copied in                           (include.py)
 8. extends      service inheritance, across files                   (extends.py)
 9. merge        -f files in order, per-key rules                    (merge.py)
 9b. implicit    links/volumes_from/service:X become depends_on      (implicit.py)
10. name         -p > COMPOSE_PROJECT_NAME > name: > directory       (project_files.py)
11. profiles     inactive services dropped, dependencies enabled     (profiles.py)
    references   image or build, declared volumes/networks/secrets,
                 no dependency cycles                                (references.py)
12. environment  env_file contents and host values inlined           (environment.py)
13. model        typed, frozen dataclasses with locations            (build.py)
"""
from __future__ import annotations

import os
from typing import Callable, Mapping, Optional

from ..errors import Finding, Location, Severity, UserError
from ..gcpause import gc_paused
from . import (build, canonical, environment, extends, implicit, include, interpolate, limits,
               merge, profiles, project_files, references, source, validate)
from .loaded import Loaded

STDIN_NAME = "<stdin>"


class _FileLoader:
    """Phases 3-8 for one compose file, with a cache so a file extended twice is read once."""

    def __init__(self, lookup: Callable, findings: list, stdin=None, include_stack=()):
        self.lookup = lookup
        self.findings = findings
        self.stdin = stdin
        self.include_stack = include_stack
        self._cache: dict = {}
        self._parsed: dict = {}

    def parse(self, path: str):
        """Phase 3 alone: the YAML of one file, parsed once (also read for the project name)."""
        key = "-" if path == "-" else os.path.abspath(path)
        if key not in self._parsed:
            if key == "-":
                text = limits.read_stream(self.stdin, STDIN_NAME)
                self._parsed[key] = source.parse_yaml(text, STDIN_NAME)
            else:
                self._parsed[key] = source.read_yaml_file(key, _display(key))
        return self._parsed[key]

    def read(self, path: str, base_dir: Optional[str] = None):
        """Phases 3-6: read, interpolate, validate and canonicalise one file.

        Relative paths resolve against ``base_dir``: the project directory for -f files,
        the file's own directory for a file named by ``extends`` (the spec's rule).
        """
        if path == "-":
            key = ("-", base_dir)
        else:
            path = os.path.abspath(path)
            key = (path, base_dir or os.path.dirname(path))
        if key not in self._cache:
            self._cache[key] = self._read_uncached(path, key[1])
        return self._cache[key]

    def _read_uncached(self, path: str, base_dir: Optional[str]):
        if path == "-":
            return self.prepare(self.parse(path), base_dir or os.getcwd(), STDIN_NAME)
        return self.prepare(self.parse(path), base_dir, _display(path))

    def prepare(self, raw, base_dir: str, filename: str, relative_binds: bool = False):
        """Phases 4-6 on an already-parsed document (also used for docker run input, whose
        relative bind sources stay relative). An empty file stays ``None`` so the validator can
        name the file in its error."""
        doc = raw if raw is None else interpolate.interpolate(raw, self.lookup, self.findings)
        self.findings.extend(validate.validate_document(doc, filename))
        return canonical.canonicalise(doc, base_dir, relative_binds=relative_binds)

    def load(self, path: str, base_dir: str):
        """Phases 3-8 for a file given with -f: include and extends applied."""
        return self.finish(self.read(path, base_dir), path, base_dir)

    def finish(self, doc, path: str, base_dir: str):
        """Phases 7-8 (include, extends) on a canonical document."""
        stack = self.include_stack + (os.path.abspath(path) if path != "-" else STDIN_NAME,)

        def load_included(paths, project_directory, env_files):
            return _load_included_project(list(paths), project_directory, list(env_files or ()),
                                          self, stack)

        doc = include.apply_include(doc, base_dir, load_included, stack=stack)
        return extends.apply_extends(doc, path if path != "-" else STDIN_NAME, self.read)


def _display(path: str) -> str:
    """Paths in messages: relative to the current directory when inside it, else as given."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - different drive on Windows
        return path
    return path if rel.startswith(os.pardir) or len(rel) >= len(path) else rel


def _load_included_project(paths, project_directory, env_files, parent: _FileLoader, stack):
    """An included project: its own directory and .env; the parent's variables win.
    (include.py has already refused an entry that would include a file of ``stack``.)"""
    first = os.path.abspath(paths[0])
    project_dir = project_directory or os.path.dirname(first)
    own = project_files.project_environment(project_dir, env_files, {}, project_dir)

    def lookup(name: str):
        value = parent.lookup(name)
        return own.get(name) if value is None else value

    loader = _FileLoader(lookup, parent.findings, parent.stdin, stack)
    docs = [loader.load(p, project_dir) for p in paths]
    return merge.merge_documents(docs)


def _collect(fn, items):
    """Run ``fn`` on every item; raise all UserErrors together (all errors of a run at once)."""
    results, errors = [], []
    for item in items:
        try:
            results.append(fn(item))
        except UserError as exc:
            errors.extend(exc.diagnostics)
    if errors:
        raise UserError(errors)
    return results


@gc_paused()
def load(options, environ: Mapping[str, str], stdin=None):
    """Load a compose project (and/or docker run lines) from :class:`pipeline.InputOptions`.

    Returns :class:`compose.loaded.Loaded`. Raises :class:`UserError` with every problem found.
    """
    findings: list = []
    # 1. files and project directory
    files, project_dir = _input_files(options, environ)
    # 2. variables: .env / --env-file, OS environment wins
    variables = project_files.project_environment(project_dir, options.env_files, environ,
                                                  options.cwd)
    # the files see COMPOSE_PROJECT_NAME too; phase 10 still tells -p, the variable and name: apart
    seen_by_files = dict(variables)
    lookup = limits.text_lookup(seen_by_files.get)  # OS variables may hold non-UTF-8 bytes
    loader = _FileLoader(lookup, findings, stdin)
    # 3. read the -f files; like Docker Compose, ${COMPOSE_PROJECT_NAME} is the project name
    #    resolved before interpolation (-p, the environment, `name:` of the files, the directory)
    _collect(loader.parse, files)
    seen_by_files["COMPOSE_PROJECT_NAME"] = _name_for_interpolation(options, variables, files,
                                                                loader, project_dir)
    # 4-8. per file: interpolate, validate, canonicalise, include, extends
    docs = _collect(lambda f: loader.load(f, project_dir), files)
    docs += _docker_run_documents(options, loader, findings)
    # 9. merge
    doc = merge.merge_documents(docs)
    # 9b. implicit dependencies: links, volumes_from, network_mode/ipc/pid: service:X
    doc = implicit.add_implicit_dependencies(doc)
    # 10. project name
    top_name = doc.get("name")
    # .env may set COMPOSE_PROJECT_NAME / COMPOSE_PROFILES, as with Docker Compose
    name = project_files.project_name(options.project_name, variables, top_name, project_dir,
                                      doc.loc("name") if "name" in doc else None)
    doc["name"] = name
    # 11. profiles
    active = profiles.active_profiles(options.profiles, variables)
    declared_profiles = profiles.declared_profiles(doc)
    doc, enabled = profiles.select_profiles(doc, active, options.services)
    for svc in enabled:
        findings.append(Finding(Severity.INFO, source.locate(doc, ("services", svc)),
                                f"service {svc!r} enabled because an active service depends on it",
                                service=svc))
    references.check_references(doc)
    # 12. environment: env_file contents and key-only variables inlined
    doc = environment.resolve_project_environment(doc, lookup, findings)
    # 13. typed model
    project = build.build_project(doc, name=name, working_dir=project_dir,
                                  files=tuple(_display(f) for f in files))
    return Loaded(project, doc, tuple(findings), declared_profiles)


def _name_for_interpolation(options, variables: dict, files, loader: _FileLoader,
                            project_dir: str) -> str:
    """The value ``${COMPOSE_PROJECT_NAME}`` takes in the files: -p, else the variable, else
    the last non-empty top-level ``name`` of the -f files (itself interpolated), else the
    directory name. An invalid name is reported by phase 10, with its origin."""
    explicit = options.project_name or variables.get("COMPOSE_PROJECT_NAME")
    if explicit:
        return explicit
    declared = ""
    for path in files:
        raw = loader.parse(path)
        value = raw.get("name") if isinstance(raw, dict) else None
        if isinstance(value, str) and value:
            at = raw.loc("name") if hasattr(raw, "loc") else Location()
            declared = interpolate.substitute(value, limits.text_lookup(variables.get), at) or declared
    if declared:
        return declared
    return project_files.project_name(None, {}, None, project_dir, None)


def _input_files(options, environ):
    """Phase 1. docker-run-only input needs no compose file; the directory is cwd."""
    has_docker_run = bool(options.docker_run or options.docker_run_files)
    if has_docker_run and not options.files:
        return [], os.path.abspath(options.project_directory or options.cwd)
    return project_files.resolve_compose_files(options.files, _compose_file_settings(options, environ),
                                               options.cwd, options.project_directory)


def _compose_file_settings(options, environ: Mapping[str, str]) -> Mapping[str, str]:
    """Like Docker Compose, COMPOSE_FILE may come from the .env of the working (or project)
    directory when neither -f nor the environment names the files."""
    if options.files or environ.get("COMPOSE_FILE"):
        return environ
    path = os.path.join(options.cwd, options.project_directory or "", ".env")
    if not os.path.isfile(path):
        return environ
    from .envfile import read_dotenv

    values = read_dotenv(path, environ.get, display_name=_display(path))
    wanted = {k: v for k, v in values.items()
              if k in ("COMPOSE_FILE", "COMPOSE_PATH_SEPARATOR") and v}
    return {**wanted, **environ} if wanted else environ


def _docker_run_documents(options, loader: _FileLoader, findings: list) -> list:
    texts = [(limits.check_text(text, Location(f"--docker-run[{i}]", 1, 1)), f"--docker-run[{i}]")
             for i, text in enumerate(options.docker_run)]
    for path in options.docker_run_files:
        texts.append(_read_docker_run_file(path, loader.stdin, options.cwd))
    if not texts:
        return []
    from .. import dockerrun

    doc, run_findings = dockerrun.to_compose(texts, cwd=options.cwd)
    findings.extend(run_findings)
    return [loader.finish(loader.prepare(doc, options.cwd, "<docker run>", relative_binds=True), "<docker run>",
                          options.cwd)]


def _read_docker_run_file(path: str, stdin, cwd: str):
    if path == "-":
        return limits.read_stream(stdin, STDIN_NAME), STDIN_NAME
    full = os.path.join(cwd, path)
    try:
        raw = limits.read_input_file(full, _display(full), "docker run file")
    except FileNotFoundError:
        raise UserError.at(Location(path), "cannot read docker run file: No such file or directory",
                           "check the path given with --docker-run-file") from None
    return limits.decode(raw, _display(full)), _display(full)
