"""Benchmark `compose2ecs deploy` (api path) of a 20-service project against moto, in process.

Measures the first deploy, a no-op redeploy (which must make only Describe/List/Get calls),
an image change of one service, and `down`: wall time and API calls (read / mutating).
moto answers in microseconds and starts no tasks, so the figures show our own overhead and
call counts — not how long AWS takes. Waits use a fake clock (no sleeping). Prints a table;
asserts nothing. Usage:

    python bench/bench_deploy.py [--services 20]
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


def compose_text(n: int, tag: str = "1") -> str:
    """``n`` services: svc00 is a database the others depend on; every 4th is public."""
    lines = ["name: bench", "services:", "  svc00:", "    image: postgres:16", "    expose: ['5432']"]
    for i in range(1, n):
        lines += [f"  svc{i:02d}:", f"    image: example/app{i}:{tag if i == 1 else '1'}",
                  "    environment: {MODE: production}", "    depends_on: [svc00]",
                  "    deploy: {resources: {limits: {cpus: '0.25', memory: 512M}}}"]
        lines += [f"    ports: ['{8000 + i}:{8000 + i}']"] if i % 4 == 0 else [f"    expose: ['{8000 + i}']"]
    return "\n".join(lines) + "\n"


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


def measure(label, fn, recorder):
    recorder.calls.clear()
    start = time.perf_counter()
    fn()
    wall = time.perf_counter() - start
    mutating = recorder.mutating()
    return (label, wall, len(recorder.calls), len(recorder.calls) - len(mutating), len(mutating),
            Counter(op for _, op in mutating))


def run(n: int) -> list:
    import boto3
    from moto import mock_aws

    from compose2ecs.aws.commands import run_down
    from compose2ecs.aws.deploy import DeployOptions, deploy
    from compose2ecs.aws.progress import NullProgress
    from compose2ecs.aws.session import AwsOptions, CallRecorder, Clients

    rows = []
    with tempfile.TemporaryDirectory() as tmp, mock_aws():
        path = Path(tmp) / "compose.yaml"
        path.write_text(compose_text(n))
        project = load(path)
        recorder = CallRecorder()
        clients = Clients(AwsOptions(region="us-east-1"), {}, session=boto3.session.Session(region_name="us-east-1"),
                          hooks=(recorder.attach,))
        clock = Clock()
        go = lambda p: deploy(p, clients, DeployOptions(), NullProgress(), clock.sleep, clock)  # noqa: E731
        clients.ecs.list_clusters()  # create the moto backends outside the timing
        clients.ec2.describe_vpcs()
        clients.iam.list_roles()
        rows.append(measure("first deploy", lambda: go(project), recorder))
        rows.append(measure("no-op redeploy", lambda: go(project), recorder))
        path.write_text(compose_text(n, tag="2"))
        changed = load(path)
        rows.append(measure("one image changed", lambda: go(changed), recorder))
        with contextlib.redirect_stderr(io.StringIO()):  # down lists what it removes on stderr
            rows.append(measure("down", lambda: run_down("bench", clients, NullProgress(), None, False, False,
                                                          lambda _t: True, clock.sleep), recorder))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=20)
    args = parser.parse_args()
    os.environ.update(FAKE_ENV)
    rows = run(args.services)
    print(f"deploy of a {args.services}-service project against moto (in-process)\n")
    print(f"{'step':<20} {'wall s':>8} {'calls':>6} {'reads':>6} {'mutating':>9}  mutating calls")
    for label, wall, calls, reads, mutating, ops in rows:
        detail = ", ".join(f"{op}×{k}" for op, k in sorted(ops.items())) or "-"
        print(f"{label:<20} {wall:>8.2f} {calls:>6} {reads:>6} {mutating:>9}  {detail}")


if __name__ == "__main__":
    main()
