"""Benchmark `compose2ecs deploy` (api path) against moto, in process, for 20 and 200 services
in three dependency shapes (bench/shapes.py: independent, star, chain).

Measures the first deploy, a no-op redeploy (which must make only Describe/List/Get calls),
an image change of one service, and `down`: wall time and API calls (read / mutating).
moto answers in microseconds and starts no tasks, so the figures show our own overhead and
call counts — not how long AWS takes. Waits use a fake clock (no sleeping). Prints a table;
asserts nothing. Usage:

    python bench/bench_deploy.py [--services 20,200] [--shape star] [--no-down]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FAKE_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
            "MOTO_ECS_SERVICE_RUNNING": "1", "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}


from bench.shapes import SHAPES, compose_text  # noqa: E402


def load(path: Path):
    from compose2ecs.pipeline import InputOptions, convert_inputs

    return convert_inputs(InputOptions(files=(str(path),), region="us-east-1"), dict(os.environ)).ecs


class Clock:
    def __init__(self):
        self.now = 1_700_000_000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def measure(label, fn, recorder, clock):
    """(label, wall s, waited s on the fake clock, calls, reads, mutating, mutating ops)."""
    recorder.calls.clear()
    start, waited = time.perf_counter(), clock.now
    fn()
    wall = time.perf_counter() - start
    mutating = recorder.mutating()
    return (label, wall, clock.now - waited, len(recorder.calls), len(recorder.calls) - len(mutating),
            len(mutating), Counter(op for _, op in mutating))


def run(n: int, shape: str, down: bool = True) -> list:
    import boto3
    from moto import mock_aws

    from compose2ecs.aws.commands import run_down
    from compose2ecs.aws.deploy import DeployOptions, deploy
    from compose2ecs.aws.progress import NullProgress
    from compose2ecs.aws.session import AwsOptions, CallRecorder, Clients

    rows = []
    with tempfile.TemporaryDirectory() as tmp, mock_aws():
        path = Path(tmp) / "compose.yaml"
        path.write_text(compose_text(n, shape, project="bench"))
        project = load(path)
        recorder = CallRecorder()
        clock = Clock()
        clients = Clients(AwsOptions(region="us-east-1"), {}, session=boto3.session.Session(region_name="us-east-1"),
                          hooks=(recorder.attach,), sleep=clock.sleep, clock=clock)
        go = lambda p: deploy(p, clients, DeployOptions(), NullProgress(), clock.sleep, clock)  # noqa: E731
        clients.ecs.list_clusters()  # create the moto backends outside the timing
        clients.ec2.describe_vpcs()
        clients.iam.list_roles()
        rows.append(measure("first deploy", lambda: go(project), recorder, clock))
        rows.append(measure("no-op redeploy", lambda: go(project), recorder, clock))
        path.write_text(compose_text(n, shape, tag="2", project="bench"))
        changed = load(path)
        rows.append(measure("one image changed", lambda: go(changed), recorder, clock))
        if not down:
            return rows
        with contextlib.redirect_stderr(io.StringIO()):  # down lists what it removes on stderr
            rows.append(measure("down", lambda: run_down("bench", clients, NullProgress(), None, False, False,
                                                          lambda _t: True, clock.sleep), recorder, clock))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", default="20,200", help="comma-separated sizes")
    parser.add_argument("--shape", choices=SHAPES, action="append", help="default: all three")
    parser.add_argument("--no-down", action="store_true", help="skip measuring `down`")
    args = parser.parse_args()
    os.environ.update(FAKE_ENV)
    print("deploy against moto (in-process); wall seconds are our own overhead, not AWS's\n")
    print("waited s: time on the fake clock (IAM propagation, pacing of RegisterTaskDefinition, polls)\n")
    print(f"{'shape':<12} {'services':>8} {'step':<18} {'wall s':>7} {'waited s':>8} {'calls':>6} {'reads':>6} "
          f"{'mutating':>9}  mutating calls")
    for shape in args.shape or SHAPES:
        for n in (int(k) for k in args.services.split(",")):
            for label, wall, waited, calls, reads, mutating, ops in run(n, shape, not args.no_down):
                detail = ", ".join(f"{op}×{k}" for op, k in sorted(ops.items())) or "-"
                print(f"{shape:<12} {n:>8} {label:<18} {wall:>7.2f} {waited:>8.0f} {calls:>6} {reads:>6} "
                      f"{mutating:>9}  {detail}")


if __name__ == "__main__":
    main()
