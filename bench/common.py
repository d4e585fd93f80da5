"""Shared benchmark plumbing: generated projects, cold-process timing, peak memory.

Benchmarks print tables; they never assert (these machines are noisy — compare figures
measured in the same run).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("COMPOSE2ECS_CORPUS", REPO.parent / "shared" / "corpus"))


def generated_project(n_services: int) -> str:
    """A realistic compose file with ``n_services`` services (ports, env, healthcheck, limits,
    depends_on, volumes, logging), deterministic."""
    lines = ["name: generated", "services:"]
    for i in range(n_services):
        lines += [
            f"  svc{i}:",
            f"    image: registry.example.com/team/svc{i}:${{TAG:-1.0.{i}}}",
            f"    command: [\"serve\", \"--port\", \"{8000 + i % 1000}\"]",
            "    ports:",
            f"      - \"{8000 + i % 1000}:{8000 + i % 1000}\"",
            "    environment:",
            f"      SERVICE_NAME: svc{i}",
            "      LOG_LEVEL: ${LOG_LEVEL:-info}",
            "    healthcheck:",
            f"      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:{8000 + i % 1000}/health\"]",
            "      interval: 30s",
            "      timeout: 5s",
            "    deploy:",
            "      resources:",
            "        limits: {cpus: \"0.5\", memory: 512M}",
            "    logging:",
            "      driver: awslogs",
        ]
        if i:
            lines += ["    depends_on:", f"      - svc{i - 1}"]
    return "\n".join(lines) + "\n"


def write_generated(directory: Path, n_services: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "compose.yaml"
    path.write_text(generated_project(n_services))
    return path


def corpus_projects() -> list:
    """Single-file corpus projects that load without extra files (the 'typical' ones)."""
    if not CORPUS.exists():
        return []
    names = ["awesome-compose/flask-redis/compose.yaml", "awesome-compose/nginx-golang-mysql/compose.yaml",
             "awesome-compose/react-express-mongodb/compose.yaml", "real/voting-app-docker-compose.yaml",
             "real/n8n-postgres-worker/docker-compose.yml", "real/sentry-self-hosted/docker-compose.yml"]
    return [CORPUS / n for n in names if (CORPUS / n).exists()]


def time_cold(argv: list, runs: int = 5, env=None) -> dict:
    """Run ``argv`` ``runs`` times in fresh processes: median/min wall seconds, median CPU
    seconds (user+sys of the child: steadier than wall time when other work shares the
    machine), the child's own peak RSS in MB, and the last exit code."""
    walls, cpus, peak, code = [], [], 0, None
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's usage, not a running maximum
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        code = os.waitstatus_to_exitcode(status)
        peak = max(peak, usage.ru_maxrss)
    return {"median": statistics.median(walls), "min": min(walls), "cpu": statistics.median(cpus),
            "rss_mb": peak / 1024, "exit": code}


def time_cold_interleaved(commands: dict, runs: int = 5, env=None) -> dict:
    """:func:`time_cold` for several commands, run in turn (one of each, ``runs`` rounds), so
    that a slow patch of the machine costs every command alike; ``{name: figures}``."""
    rounds = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            argv, extra = argv if isinstance(argv, tuple) else (argv, None)
            rounds[name].append(time_cold(argv, 1, dict(env or os.environ, **(extra or {}))))
    out = {}
    for name, figures in rounds.items():
        out[name] = {"median": statistics.median(f["median"] for f in figures),
                     "min": min(f["min"] for f in figures),
                     "cpu": statistics.median(f["cpu"] for f in figures),
                     "rss_mb": max(f["rss_mb"] for f in figures), "exit": figures[-1]["exit"]}
    return out


def cli(*args) -> list:
    return [sys.executable, "-m", "compose2ecs", *args]


def print_table(title: str, header: list, rows: list) -> None:
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
