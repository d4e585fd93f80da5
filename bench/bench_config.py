"""`compose2ecs config` cold-process time and peak memory (issue: compose front-end).

Targets on a 2-core machine: typical corpus project <= 0.25 s, 1000 services <= 2 s and
linear, peak RSS <= 80 MB. Prints a Markdown table; asserts nothing.

    python bench/bench_config.py [--runs 5]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, cli, corpus_projects, print_table, time_cold, write_generated  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = []
    baseline = time_cold([sys.executable, "-c", "pass"], args.runs)
    rows.append(["python -c pass (interpreter start)", f"{baseline['median']:.3f}", f"{baseline['cpu']:.3f}",
                 f"{baseline['rss_mb']:.0f}", "-"])
    targets = [(str(p.relative_to(p.parents[1])), p) for p in corpus_projects()]
    targets.append(("examples/webapp", REPO / "examples" / "webapp" / "compose.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        for n in (200, 1000):
            targets.append((f"generated {n} services", write_generated(Path(tmp) / str(n), n)))
        for label, path in targets:
            result = time_cold(cli("config", "-f", str(path), "-o", "/dev/null"), args.runs)
            rows.append([label, f"{result['median']:.3f}", f"{result['cpu']:.3f}", f"{result['rss_mb']:.0f}",
                         result["exit"]])
    print_table(f"compose2ecs config (cold process, median of {args.runs})",
                ["input", "wall s", "cpu s", "peak RSS MB", "exit"], rows)


if __name__ == "__main__":
    main()
