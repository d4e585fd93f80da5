"""Hostile input gets one located error and an exit code — never a hang, a crash, a traceback
or a memory blow-up (issue 17 items 8-11 and 17; the limits are in compose2ecs/compose/limits.py
and docs/pipeline.md "Limits").

One table: case → input → expected exit code and message fragment. Each case runs the CLI
entry point (``compose2ecs.cli.main``) in a child Python with an address-space limit
(RLIMIT_AS) and a time limit (``signal.alarm`` inside, ``timeout=`` outside), so a
regression shows as a failed case, not as a hung or swapping test run.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from compose2ecs.compose import limits

REPO = Path(__file__).resolve().parent.parent
MEMORY_LIMIT = 1024 * 1024 * 1024  # 1 GiB of address space for the child
TIME_LIMIT = 60  # seconds per case; each case takes ~1 s when the limits hold
MIB = 1024 * 1024

CHILD = """
import resource, signal, sys
resource.setrlimit(resource.RLIMIT_AS, ({mem}, {mem}))
signal.alarm({secs})
from compose2ecs.cli import main
sys.argv = ["compose2ecs"] + sys.argv[1:]
main()
"""
WEB = "services:\n  web:\n    image: nginx\n"


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable  # tmp_path -> (argv list of str/bytes, stdin bytes or None)
    exit_code: int
    fragment: str  # expected in stderr (exit != 0) or in stdout+stderr (exit 0)
    env: tuple = ()  # extra environment variables (values may be bytes)


def compose(text: str, *extra_args, name="compose.yaml", raw: bytes = b""):
    """A setup writing ``text`` (or ``raw`` bytes) to ``name`` and converting it."""
    def setup(tmp: Path):
        (tmp / name).write_bytes(raw or text.encode())
        return ["convert", "-f", name, *extra_args], None
    return setup


def args(*argv, stdin: bytes = None, files: dict = None):
    def setup(tmp: Path):
        for fname, content in (files or {}).items():
            (tmp / fname).write_bytes(content if isinstance(content, bytes) else content.encode())
        return list(argv), stdin
    return setup


def alias_bomb(flow_map: bool = False) -> str:
    """Billion laughs under an unused x- key: 9 aliases of the level below, 9 levels."""
    lines = [WEB.rstrip("\n"), "x-bomb:", '  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = [f"k{j}: *a{i - 1}" if flow_map else f"*a{i - 1}" for j in range(9)]
        body = "{" + ", ".join(refs) + "}" if flow_map else "[" + ", ".join(refs) + "]"
        lines.append(f"  a{i}: &a{i} {body}")
    return "\n".join(lines) + "\n"


def merge_chain(n: int) -> str:
    lines = [WEB.rstrip("\n"), "x-chain:", "  c0: &c0 {k: v}"]
    lines += [f"  c{i}: &c{i} {{<<: *c{i - 1}, k{i}: v}}" for i in range(1, n)]
    return "\n".join(lines) + "\n"


def nested_default(n: int) -> str:
    return "${A:-" * n + "x" + "}" * n


def sparse(size: int):
    def setup(tmp: Path):
        with open(tmp / "compose.yaml", "wb") as fh:
            fh.write(b"# " + WEB.encode())
            fh.truncate(size)
        return ["convert", "-f", "compose.yaml"], None
    return setup


BLOCK_DEEP = "x-deep:\n" + "".join("  " * i + "-\n" for i in range(1, 400))
LATIN1 = "services:\n  web:\n    image: caf\xe9\n".encode("latin-1")
TOO_BIG = limits.MAX_INPUT_BYTES + 1

CASES = [
    # 8. alias expansion and document size
    Case("alias bomb (sequences) under an unused x- key", compose(alias_bomb()), 2,
         "excessive YAML aliasing"),
    Case("alias bomb (mappings)", compose(alias_bomb(flow_map=True)), 2, "excessive YAML aliasing"),
    Case("compose file larger than the cap", sparse(TOO_BIG), 2, "compose.yaml: error: is larger than 16 MiB"),
    Case("stdin larger than the cap", args("convert", "-f", "-", stdin=b"#" * TOO_BIG), 2,
         "<stdin>: error: is larger than 16 MiB"),
    Case("anchors used a few times still load", compose(
        "x-base: &base {image: nginx, environment: {A: '1'}}\n"
        "services:\n  a: *base\n  b: *base\n  c: {<<: *base, command: [x]}\n"), 0, '"name": "A"'),
    # 9. only regular files and pipes
    Case("-f /dev/zero", args("convert", "-f", "/dev/zero"), 2,
         "/dev/zero: error: is a character device, not a regular file"),
    Case("env_file: /dev/zero", compose(WEB + "    env_file: /dev/zero\n"), 2,
         "/dev/zero: error: is a character device"),
    Case("include: /dev/zero", compose("include:\n  - /dev/zero\n" + WEB), 2,
         "/dev/zero: error: is a character device"),
    Case("extends.file: /dev/zero", compose("services:\n  web:\n    extends: {file: /dev/zero, service: x}\n"), 2,
         "services.web.extends.file: error: cannot read extends file '/dev/zero' (/dev/zero): is a character device"),
    Case("--env-file /dev/zero", compose(WEB, "--env-file", "/dev/zero"), 2,
         "/dev/zero: error: is a character device"),
    Case("--docker-run-file /dev/zero", args("convert", "--docker-run-file", "/dev/zero"), 2,
         "/dev/zero: error: is a character device"),
    Case("docker run --env-file /dev/zero", args("convert", "--docker-run", "docker run --env-file /dev/zero nginx"),
         2, "--docker-run[0]:1:23: docker run[0].--env-file: error: invalid value for --env-file: cannot read "
            "env file '/dev/zero': is a character device"),
    Case("-f - still reads stdin", args("convert", "-f", "-", stdin=WEB.encode()), 0, '"image": "nginx"'),
    Case("-f /dev/stdin on a pipe (a FIFO) still works", args("convert", "-f", "/dev/stdin", stdin=WEB.encode()),
         0, '"image": "nginx"'),
    # 10. nesting
    Case("600 nested flow sequences", compose(WEB + "x-deep: " + "[" * 600 + "]" * 600 + "\n"), 2,
         "compose.yaml:4:108: x-deep[0][0][0][0][0][0][0]: error: nested more than 100 levels deep"),
    Case("200,000 nested flow sequences (libyaml's C composer would crash)",
         compose(WEB + "x-deep: " + "[" * 200_000 + "]" * 200_000 + "\n"), 2,
         "compose.yaml:4:"),
    Case("400 nested block sequences", compose(WEB + BLOCK_DEEP), 2, "nested more than 100 levels deep"),
    Case("3,000 nested block sequences with CR line breaks",
         compose(WEB.replace("\n", "\r") + "x-deep:\r" + "".join("  " * i + "-\r" for i in range(1, 3000))), 2,
         "nested more than 100 levels deep"),
    Case("a chain of 300 merge keys", compose(merge_chain(300)), 2, "nested more than 100 levels deep"),
    Case("99 nested levels are still read", compose(WEB + "x-deep: " + "[" * 98 + "]" * 98 + "\n"), 0,
         '"image": "nginx"'),
    Case("500 nested ${A:-...} defaults", compose(f'services:\n  web:\n    image: "{nested_default(500)}"\n'),
         2, "compose.yaml:3:12: services.web.image: error: invalid interpolation"),
    Case("500 nested defaults in an env_file", args("convert", "-f", "compose.yaml", files={
             "compose.yaml": WEB + "    env_file: app.env\n", "app.env": f"A={nested_default(500)}\n"}),
         2, "app.env:1:3: error: invalid interpolation"),
    Case("50 nested defaults are still read", compose(f'services:\n  web:\n    image: "{nested_default(50)}"\n'),
         0, '"image": "x"'),
    # 11. non-UTF-8 input
    Case("latin-1 compose file on -f -", args("convert", "-f", "-", stdin=LATIN1), 2,
         "<stdin>:3:15: error: not UTF-8 text (byte 0xe9"),
    Case("latin-1 compose file", compose("", raw=LATIN1), 2, "compose.yaml:3:15: error: not UTF-8 text"),
    Case("latin-1 --docker-run-file", args("convert", "--docker-run-file", "run.txt",
                                           files={"run.txt": b"docker run caf\xe9\n"}), 2,
         "run.txt:1:15: error: not UTF-8 text (byte 0xe9"),
    Case("latin-1 --docker-run-file - (stdin)", args("convert", "--docker-run-file", "-",
                                                     stdin=b"docker run caf\xe9\n"), 2,
         "<stdin>:1:15: error: not UTF-8 text (byte 0xe9"),
    Case("latin-1 --docker-run argument", args("convert", "--docker-run", b"docker run caf\xe9"), 2,
         "--docker-run[0]:1:15: error: not UTF-8 text (byte 0xe9)"),
    Case("non-UTF-8 environment variable interpolated", compose(WEB + "    environment:\n      X: ${A}\n"), 2,
         "environment variable A: error: not UTF-8 text (byte 0xe9)", env=(("A", b"caf\xe9"),)),
    Case("non-UTF-8 environment variable taken by a key-only entry", compose(WEB + "    environment:\n      - A\n"),
         2, "environment variable A: error: not UTF-8 text (byte 0xe9)", env=(("A", b"caf\xe9"),)),
    Case("non-UTF-8 environment variable nobody uses", compose(WEB), 0, '"image": "nginx"',
         env=(("A", b"caf\xe9"),)),
    # 17. unknown x-aws-* keys
    Case("x-aws-vcp typo", compose(WEB + "x-aws-vcp: vpc-1\n"), 0,
         "compose.yaml:4:12: x-aws-vcp: unsupported: unknown key x-aws-vcp is ignored (did you mean x-aws-vpc?"),
    Case("x-aws-vcp typo with --strict", compose(WEB + "x-aws-vcp: vpc-1\n", "--strict"), 3,
         "did you mean x-aws-vpc?"),
    Case("x-aws-polices typo on a service", compose(WEB + "    x-aws-polices: [arn:aws:iam::aws:policy/x]\n"), 0,
         "services.web.x-aws-polices: unsupported: unknown key x-aws-polices is ignored (did you mean x-aws-policies?"),
    Case("x-aws-min-percent typo in update_config",
         compose(WEB + "    deploy:\n      update_config:\n        x-aws-min-percent: 50\n"), 0,
         "services.web.deploy.update_config.x-aws-min-percent: unsupported: unknown key x-aws-min-percent "
         "is ignored (did you mean x-aws-min_percent?"),
    Case("x-aws-protocl typo on a port",
         compose(WEB + "    ports:\n      - target: 80\n        x-aws-protocl: http\n"), 0,
         "services.web.ports[0].x-aws-protocl: unsupported: unknown key x-aws-protocl is ignored "
         "(did you mean x-aws-protocol?"),
    Case("unrelated x-aws key gets no suggestion", compose(WEB + "x-aws-something: 1\n"), 0,
         "unknown key x-aws-something is ignored (docs/x-ecs.md"),
]


def run_case(case: Case, tmp: Path) -> subprocess.CompletedProcess:
    argv, stdin = case.setup(tmp)
    child = CHILD.format(mem=MEMORY_LIMIT, secs=TIME_LIMIT)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE", "AWS_"))}
    env.update(PYTHONPATH=str(REPO), AWS_REGION="us-east-1", LC_ALL="C.UTF-8")
    env.update(case.env)
    return subprocess.run([sys.executable, "-c", child, *argv], input=stdin if stdin is not None else b"",
                          capture_output=True, cwd=tmp, env=env, timeout=TIME_LIMIT + 10)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input(case: Case, tmp_path):
    result = run_case(case, tmp_path)
    stderr = result.stderr.decode("utf-8", "replace")
    stdout = result.stdout.decode("utf-8", "replace")
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr[-2000:]
    assert result.returncode == case.exit_code, stderr[-2000:]
    assert case.fragment in (stderr if case.exit_code else stdout + stderr), stderr[-2000:]
    if case.exit_code == 2:
        assert not stdout.strip(), "nothing is written to stdout on an input error"
