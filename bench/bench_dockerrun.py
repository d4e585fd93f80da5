"""`docker run` → compose: 1,000 generated lines in one process and as one CLI call.

Reference point (issue 3): composerize takes about 1.2 s for 200 lines (6 ms per line); the
aim is at least 5x faster per line. Prints a Markdown table (median of --runs); asserts
nothing. The CLI rows are skipped with a note when `compose2ecs convert` is not available.

    python bench/bench_dockerrun.py [--runs 5] [--lines 1000]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import cli, print_table, time_cold  # noqa: E402

from compose2ecs.dockerrun import parse_commands, render_compose, to_compose  # noqa: E402

COMPOSERIZE_S_PER_LINE = 1.2 / 200


def generated_lines(n: int) -> list:
    """``n`` realistic, deterministic `docker run` lines (ports, env, volumes, limits, health,
    logging, continuations and quoting)."""
    out = []
    for i in range(n):
        port = 8000 + i % 1000
        out.append(
            f"docker run -d --name svc{i} --restart unless-stopped \\\n"
            f"  -p {port}:{port} -p 127.0.0.1:{port + 1000}:9{i % 100:03d}/udp \\\n"
            f"  -e SERVICE=svc{i} -e 'GREETING=hello world' -e LOG_LEVEL=${{LOG_LEVEL:-info}} \\\n"
            f"  -v svc{i}-data:/var/lib/data -v $PWD/conf/svc{i}:/etc/app:ro \\\n"
            f"  --mount type=tmpfs,destination=/tmp,tmpfs-size=64m \\\n"
            f"  --memory 512m --cpus 0.5 --ulimit nofile=1024:2048 \\\n"
            f"  --health-cmd \"curl -fsS http://localhost:{port}/health || exit 1\" "
            f"--health-interval 30s --health-retries 3 \\\n"
            f"  --log-driver json-file --log-opt max-size=10m \\\n"
            f"  registry.example.com/team/svc{i}:1.{i} serve --port {port}")
    return out


def time_in_process(function, runs: int) -> float:
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        walls.append(time.perf_counter() - start)
    return statistics.median(walls)


def cli_available() -> bool:
    proc = subprocess.run(cli("convert", "--help"), capture_output=True, text=True)
    return proc.returncode == 0 and "--docker-run-file" in proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lines", type=int, default=1000)
    args = parser.parse_args()
    n = args.lines
    lines = generated_lines(n)
    text = "\n".join(lines) + "\n"
    rows = []

    def row(label, seconds):
        per_line = seconds / n
        rows.append([label, f"{seconds:.3f}", f"{per_line * 1000:.3f}",
                     f"{COMPOSERIZE_S_PER_LINE / per_line:.1f}x"])

    row(f"parse_commands ({n} lines, one text)",
        time_in_process(lambda: parse_commands(text, "bench", cwd="/"), args.runs))
    row("to_compose + render_compose",
        time_in_process(lambda: render_compose(to_compose([(text, "bench")], cwd="/")[0]),
                        args.runs))
    row(f"to_compose, {n} texts of one line",
        time_in_process(lambda: to_compose([(line, f"l{i}") for i, line in enumerate(lines)],
                                           cwd="/"), args.runs))
    if cli_available():
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "lines.sh"
            path.write_text(text)
            result = time_cold(cli("convert", "--docker-run-file", str(path), "--format",
                                   "compose", "-o", "/dev/null"), args.runs)
            row(f"CLI convert --format compose (cold process, exit {result['exit']})",
                result["median"])
            row(f"the same, CPU time (user+sys; peak RSS {result['rss_mb']:.0f} MB)", result["cpu"])
    else:
        print("note: `compose2ecs convert --docker-run-file` is not available; CLI row skipped")
    print_table(f"docker run → compose, {n} lines (median of {args.runs})",
                ["what", "wall s", "ms per line", "vs composerize (6 ms/line)"], rows)


if __name__ == "__main__":
    main()
