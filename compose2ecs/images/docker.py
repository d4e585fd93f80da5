"""``docker`` command lines as pure argv builders, and the runner that executes them.

Every argv here is built from data only (testable without Docker); :class:`Docker` runs them
through an injected ``runner`` (``subprocess`` by default). Tests put a fake ``docker``
executable on ``PATH`` instead. Secrets never reach an argv: the registry password goes to
``docker login --password-stdin``, build secrets are passed by file path or variable name.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from dataclasses import field
from typing import Callable, Optional

from ..errors import Location, UserError, diagnostic
from ..records import record

DIGEST = re.compile(r"digest: (sha256:[0-9a-f]{64})")


@record(slots=False)
class BuildSpec:
    """One image to build: what ``docker buildx build`` needs, already resolved."""

    service: str
    context: str
    dockerfile: Optional[str] = None  # path, relative to the context or absolute
    dockerfile_inline: Optional[str] = None
    args: tuple = ()  # (name, value) with value not None
    target: Optional[str] = None
    platform: str = "linux/amd64"
    options: tuple = ()  # further buildx flags from BUILD_FLAGS, e.g. ("--label", "a=b")
    at: Location = Location()


def _each(flag: str) -> Callable:
    """A list gives ``flag item`` per item; a mapping ``flag key=value`` per key, sorted."""
    def render(value) -> list:
        if isinstance(value, dict):
            items = [f"{k}={v}" for k, v in sorted(value.items())]
        else:
            items = [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
        return [a for item in items for a in (flag, item)]
    return render


def _switch(flag: str) -> Callable:
    return lambda value: [flag] if value else []


def _hosts(value) -> list:
    items = value.items() if isinstance(value, dict) else [tuple(str(v).split("=", 1)) if "=" in str(v)
                                                           else tuple(str(v).split(":", 1)) for v in value]
    return [a for host, ip in sorted(items) for a in ("--add-host", f"{host}={ip}")]


# compose build key → buildx flags (secrets need the project's top-level secrets: see images.py)
BUILD_FLAGS = {
    "labels": _each("--label"),
    "cache_from": _each("--cache-from"),
    "cache_to": _each("--cache-to"),
    "ssh": _each("--ssh"),
    "additional_contexts": _each("--build-context"),
    "network": lambda v: ["--network", str(v)],
    "shm_size": lambda v: ["--shm-size", str(v)],
    "extra_hosts": _hosts,
    "no_cache": _switch("--no-cache"),
    "pull": _switch("--pull"),
}
# compose build keys that change the image (part of the content hash), besides args/target/platform
HASHED_KEYS = ("additional_contexts", "dockerfile_inline", "network", "extra_hosts")


def buildx_argv(spec: BuildSpec, ref: str, metadata_file: str, iid_file: str) -> list:
    """``docker buildx build`` loading the image into the local Docker as ``ref``."""
    argv = ["docker", "buildx", "build", "--platform", spec.platform, "--tag", ref,
            "--metadata-file", metadata_file, "--iidfile", iid_file, "--load", "--provenance=false"]
    if spec.dockerfile_inline is not None:
        argv += ["--file", "-"]
    elif spec.dockerfile:
        argv += ["--file", spec.dockerfile if os.path.isabs(spec.dockerfile)
                 else os.path.join(spec.context, spec.dockerfile)]
    if spec.target:
        argv += ["--target", spec.target]
    for name, value in spec.args:
        argv += ["--build-arg", f"{name}={value}"]
    return argv + list(spec.options) + [spec.context]


def login_argv(registry: str) -> list:
    """``docker login`` reading the password from stdin (never from the command line)."""
    return ["docker", "login", "--username", "AWS", "--password-stdin", registry]


def push_argv(ref: str) -> list:
    return ["docker", "push", ref]


def inspect_argv(ref: str) -> list:
    return ["docker", "image", "inspect", "--format", "{{.Id}}", ref]


def version_argv() -> list:
    return ["docker", "version", "--format", "{{.Server.Version}}"]


def pushed_digest(output: str) -> Optional[str]:
    """The digest ``docker push`` prints last (``latest: digest: sha256:… size: 528``)."""
    found = DIGEST.findall(output)
    return found[-1] if found else None


@record(slots=False)
class Completed:
    returncode: int
    output: str  # stdout and stderr together, as a person would see them


def subprocess_runner(argv: list, stdin: Optional[str] = None, tick: Callable = lambda: None) -> Completed:
    """Run ``argv`` (argv[0] looked up on PATH), calling ``tick`` about once a second."""
    executable = shutil.which(argv[0])
    if executable is None:
        raise FileNotFoundError(argv[0])
    proc = subprocess.Popen([executable] + argv[1:], stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if stdin is not None:
        proc.stdin.write(stdin)
        proc.stdin.close()
    chunks: list = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stdout.read()), daemon=True)
    reader.start()
    while reader.is_alive():
        reader.join(1.0)
        tick()
    return Completed(proc.wait(), "".join(chunks))


NO_DOCKER_HINT = ("start Docker (or install it), or build and push the images yourself and pass "
                  "--image SERVICE=URI for each built service (deploy --no-build deploys pinned images only)")


@record(frozen=False, slots=False)
class Docker:
    """The local Docker, through ``runner(argv, stdin, tick) → Completed``."""

    runner: Callable = subprocess_runner
    tick: Callable = lambda: None
    calls: list = field(default_factory=list)  # argvs run (never with the login password)
    _checked: bool = False

    def run(self, argv: list, stdin: Optional[str] = None) -> Completed:
        self.calls.append(list(argv))
        try:
            return self.runner(argv, stdin, self.tick)
        except (FileNotFoundError, PermissionError):
            raise UserError([diagnostic(Location(key_path=("docker",)), "no docker command on PATH",
                                        NO_DOCKER_HINT)]) from None

    def check(self) -> None:
        """Fail with one clear error when there is no Docker daemon to build with."""
        if self._checked:
            return
        done = self.run(version_argv())
        if done.returncode != 0 or not done.output.strip():
            last = (done.output.strip().splitlines() or ["no answer"])[-1]
            raise UserError([diagnostic(Location(key_path=("docker",)),
                                        f"cannot reach a Docker daemon to build with ({last})", NO_DOCKER_HINT)])
        self._checked = True

    def build(self, spec: BuildSpec, ref: str, workdir: str) -> Completed:
        meta, iid = os.path.join(workdir, "metadata.json"), os.path.join(workdir, "iid")
        return self.run(buildx_argv(spec, ref, meta, iid), stdin=spec.dockerfile_inline)

    def has_image(self, ref: str) -> bool:
        return self.run(inspect_argv(ref)).returncode == 0


def read_metadata(workdir: str) -> dict:
    """``--metadata-file`` contents (``containerimage.config.digest`` …), {} when absent."""
    try:
        with open(os.path.join(workdir, "metadata.json"), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def tail(output: str, lines: int = 15) -> str:
    return "\n".join(output.rstrip().splitlines()[-lines:])


