"""`compose2ecs convert` cold-process time: taskdef vs CloudFormation (issues 4 and 5).

Targets on a 2-core machine: taskdef <= 0.3 s for a typical project and <= 2.5 s for 1000
services (linear); the CloudFormation format within 20 % of the taskdef format's time.
Each CloudFormation output is compared with the taskdef output of the same scope:

* template to stdout vs task definitions to stdout (a project that needs nested stacks
  cannot go to stdout: "—");
* template file (`-o FILE`, nested stacks written beside it) vs one file per task
  definition (`-o DIR`);
* the bundle (`-o DIR/`: templates, task definitions, report, README) vs `-o DIR --report`
  (task definitions and the same report), with and without the second process the bundle
  uses for big projects (`COMPOSE2ECS_NO_FORK=1`).

Commands run in turn, one of each per round, in fresh processes; medians. Prints Markdown;
asserts nothing.

    python bench/bench_convert.py [--runs 5]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, cli, corpus_projects, print_table, time_cold_interleaved, write_generated  # noqa: E402


def measure(path: Path, out: Path, runs: int) -> dict:
    base = ["convert", "-f", str(path), "--region", "us-east-1", "-q"]
    return time_cold_interleaved({
        "taskdef": cli(*base, "--format", "taskdef"),
        "cfn": cli(*base, "--format", "cloudformation"),
        "taskdef_dir": cli(*base, "--format", "taskdef", "-o", str(out / "td")),
        "cfn_file": cli(*base, "--format", "cloudformation", "-o", str(out / "file" / "stack.yaml")),
        "taskdef_report": cli(*base, "--format", "taskdef", "-o", str(out / "tdr"), "--report", str(out / "r.md")),
        "bundle": cli(*base, "--format", "cloudformation", "-o", f"{out / 'bundle'}/"),
        "bundle_one": (cli(*base, "--format", "cloudformation", "-o", f"{out / 'bundle1'}/"),
                       {"COMPOSE2ECS_NO_FORK": "1"}),
    }, runs)


def row(label: str, m: dict) -> list:
    def cell(key):
        return f"{m[key]['median']:.3f}" if m[key]["exit"] == 0 else "—"

    def ratio(a, b):
        ok = m[a]["exit"] == 0 and m[b]["exit"] == 0
        return f"{m[b]['median'] / m[a]['median']:.2f}×" if ok else "—"

    return [label, cell("taskdef"), cell("cfn"), ratio("taskdef", "cfn"),
            cell("taskdef_dir"), cell("cfn_file"), ratio("taskdef_dir", "cfn_file"),
            cell("taskdef_report"), cell("bundle"), ratio("taskdef_report", "bundle"),
            cell("bundle_one"), ratio("taskdef_report", "bundle_one"), f"{m['bundle']['rss_mb']:.0f}"]


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
                ["input", "taskdef", "cloudformation", "ratio", "taskdef -o DIR", "cloudformation -o FILE",
                 "ratio", "taskdef -o DIR --report", "bundle -o DIR/", "ratio", "bundle, one process", "ratio",
                 "peak RSS MB"], rows)


if __name__ == "__main__":
    main()
