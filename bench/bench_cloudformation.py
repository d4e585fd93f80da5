"""CloudFormation template generation time vs the taskdef format's time (issue 5).

In one process, after converting each input once (front-end + lowering are not timed), time
* ``--format taskdef``: every task definition rendered to JSON text, and
* ``--format cloudformation``: ``build_templates`` + ``dump_template`` of every file
  (nested stacks included), median of N runs. Target: within 20 % of the taskdef time —
  the table shows how far the template (far more resources than task definitions) is from it.
Inputs: the corpus projects of bench/common.py plus generated 200 / 1000-service projects.
Prints a Markdown table; asserts nothing.

    python bench/bench_cloudformation.py [--runs 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, corpus_projects, print_table, write_generated  # noqa: E402

sys.path.insert(0, str(REPO))
from compose2ecs.emit.cloudformation import build_templates, dump_template  # noqa: E402
from compose2ecs.emit.taskdef import render_task_definitions  # noqa: E402
from compose2ecs.errors import UserError  # noqa: E402
from compose2ecs.pipeline import InputOptions, convert_inputs  # noqa: E402


def _median(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cloudformation(ecs) -> int:
    return sum(len(dump_template(t)) for t in build_templates(ecs).values())


def measure(label: str, path: Path, runs: int) -> list:
    try:
        ecs = convert_inputs(InputOptions(files=(str(path),), cwd=str(path.parent)), environ={}).ecs
    except UserError as err:
        return [label, "-", "-", "-", "-", "-", f"rejected: {str(err).splitlines()[0][:40]}"]
    taskdef = _median(lambda: render_task_definitions(ecs), runs)
    cfn = _median(lambda: _cloudformation(ecs), runs)
    files = build_templates(ecs)
    resources = sum(len(t["Resources"]) for t in files.values())
    return [label, len(ecs.services), f"{taskdef * 1000:.1f}", f"{cfn * 1000:.1f}", f"{cfn / taskdef:.1f}x",
            f"{resources} in {len(files)} file(s)", f"{_cloudformation(ecs) / 1024:.0f} KiB"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = [measure(str(p.relative_to(p.parents[1])), p, args.runs) for p in corpus_projects()]
    with tempfile.TemporaryDirectory() as tmp:
        for n in (200, 1000):
            rows.append(measure(f"generated {n} services", write_generated(Path(tmp) / str(n), n), args.runs))
    print_table(f"convert --format cloudformation vs taskdef (in-process, median of {args.runs}, ms)",
                ["input", "services", "taskdef ms", "cloudformation ms", "ratio", "resources", "template size"],
                rows)


if __name__ == "__main__":
    main()
