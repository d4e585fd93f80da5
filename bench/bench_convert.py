"""`compose2ecs convert` cold-process time: taskdef vs CloudFormation (issues 4 and 5).

Targets on a 2-core machine: taskdef <= 0.3 s for a typical project and <= 2.5 s for 1000
services (linear); the CloudFormation format within 20 % of the taskdef format's time. Both
formats are timed to stdout and into a directory (`-o DIR/`: one file per task definition,
or the whole CloudFormation bundle). A project too big for one template (nested stacks) can
only be written as a bundle, so its stdout cell is empty. Prints Markdown; asserts nothing.

    python bench/bench_convert.py [--runs 5]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, cli, corpus_projects, print_table, time_cold, write_generated  # noqa: E402


def measure(path: Path, out: Path, runs: int) -> dict:
    base = ["convert", "-f", str(path), "--region", "us-east-1", "-q"]
    return {
        "taskdef": time_cold(cli(*base, "--format", "taskdef"), runs),
        "cfn": time_cold(cli(*base, "--format", "cloudformation"), runs),
        "taskdef_dir": time_cold(cli(*base, "--format", "taskdef", "-o", str(out / "td")), runs),
        "cfn_dir": time_cold(cli(*base, "--format", "cloudformation", "-o", f"{out / 'bundle'}/"), runs),
    }


def row(label: str, m: dict) -> list:
    def cell(key):
        return f"{m[key]['median']:.3f}" if m[key]["exit"] == 0 else "—"

    def ratio(a, b):
        ok = m[a]["exit"] == 0 and m[b]["exit"] == 0
        return f"{m[b]['median'] / m[a]['median']:.2f}×" if ok else "—"

    return [label, cell("taskdef"), cell("cfn"), ratio("taskdef", "cfn"), cell("taskdef_dir"),
            cell("cfn_dir"), ratio("taskdef_dir", "cfn_dir"), f"{m['cfn_dir']['rss_mb']:.0f}"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        targets = [(str(p.relative_to(p.parents[1])), p) for p in corpus_projects()]
        targets.append(("examples/webapp", REPO / "examples" / "webapp" / "compose.yaml"))
        for n in (200, 1000):
            targets.append((f"generated {n} services", write_generated(tmp / f"gen{n}", n)))
        for index, (label, path) in enumerate(targets):
            rows.append(row(label, measure(path, tmp / f"out{index}", args.runs)))
    print_table(f"compose2ecs convert, cold process, median of {args.runs} (seconds)",
                ["input", "taskdef", "cloudformation", "ratio", "taskdef -o DIR", "bundle -o DIR/",
                 "ratio", "peak RSS MB"], rows)


if __name__ == "__main__":
    main()
