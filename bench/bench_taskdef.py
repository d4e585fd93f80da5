"""Benchmark ``compose2ecs convert --format taskdef``, cold (a new process each run).

Inputs: every corpus project, plus generated projects of 200 and 1000 services. Prints a
table (median of N runs, peak RSS of the child); asserts nothing. Usage:

    python bench/bench_taskdef.py [--runs 5] [--corpus ../shared/corpus]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


def generated(n: int, directory: Path) -> Path:
    """A project of ``n`` services: web/api/worker shapes, ports, env, deps, volumes, healthchecks."""
    lines = ["name: gen", "services:"]
    for i in range(n):
        lines += [f"  svc{i:04d}:", f"    image: example/app{i % 7}:1.{i % 5}", "    environment:",
                  f"      INDEX: '{i}'", "      MODE: production",
                  f"    ports: ['{8000 + i % 1000}:{8000 + i % 1000}']",
                  "    deploy: {resources: {limits: {cpus: '0.5', memory: 1g}}}",
                  "    healthcheck: {test: ['CMD', 'true'], interval: 10s}"]
        if i:
            lines.append(f"    depends_on: [svc{(i - 1):04d}]")
        if i % 10 == 0:
            lines.append(f"    volumes: ['data{i}:/data']")
    lines.append("volumes:")
    lines += [f"  data{i}:" for i in range(0, n, 10)]
    path = directory / f"gen{n}" / "compose.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def corpus_files(corpus: Path) -> list:
    out = []
    for path in sorted(corpus.rglob("*")):
        if path.is_dir():
            found = next((path / n for n in NAMES if (path / n).exists()), None)
            if found:
                out.append(found)
        elif path.suffix in (".yaml", ".yml") and path.parent.name == "real":
            out.append(path)
    return out


def run_once(path: Path) -> tuple:
    """(seconds, peak RSS MiB of the child, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "compose2ecs", "convert", "-f", str(path), "--format", "taskdef"],
                            cwd=path.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS, not the running maximum
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def measure(path: Path, runs: int) -> tuple:
    results = [run_once(path) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results), results[-1][2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    parser.add_argument("--no-corpus", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        inputs = [] if args.no_corpus or not Path(args.corpus).exists() else corpus_files(Path(args.corpus))
        inputs += [generated(200, Path(tmp)), generated(1000, Path(tmp))]
        for path in inputs:
            label = path.parent.name if path.name in NAMES else path.name
            services = sum(1 for line in path.read_text(errors="replace").splitlines()
                           if line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":"))
            median, rss, code = measure(path, args.runs)
            rows.append((label, services, median, rss, code))
    print(f"{'input':45} {'~svcs':>6} {'median s':>9} {'peak MiB':>9} {'exit':>5}")
    for label, services, median, rss, code in rows:
        print(f"{label[:45]:45} {services:>6} {median:>9.3f} {rss:>9.1f} {code:>5}")
    print(f"(cold runs: a new Python process each time; median of {args.runs}; exit 2 = invalid input)")


if __name__ == "__main__":
    main()
