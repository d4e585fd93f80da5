"""Generated compose projects of ``n`` services in three dependency shapes, for the deploy
scale benchmark (bench_deploy.py) and the call-shape tests (tests/test_aws_scale.py).

* ``independent``: no depends_on — one dependency level;
* ``star``: ``s000`` is a provider every other service depends on — two levels;
* ``chain``: each service depends on the one before — ``n`` levels.

Every 4th service publishes a port to the internet; the others expose nothing, so no
security group needs a rule per peer (on one compose network every exposed port would be
opened to each of the other n-1 groups: 199 rules, above EC2's 60 rules per group).
``tag`` is the image tag of ``s001`` ("one image changed").
"""
from __future__ import annotations

SHAPES = ("independent", "star", "chain")


def compose_text(n: int, shape: str = "star", tag: str = "1", project: str = "scale") -> str:
    """A compose file of ``n`` services in ``shape``."""
    if shape not in SHAPES:
        raise ValueError(f"shape {shape!r}: one of {', '.join(SHAPES)}")
    lines = [f"name: {project}", "services:"]
    for i in range(n):
        lines += [f"  s{i:03d}:", f"    image: example/app{i}:{tag if i == 1 else '1'}",
                  "    environment: {MODE: production}",
                  "    deploy: {resources: {limits: {cpus: '0.25', memory: 512M}}}"]
        provider = {"star": 0, "chain": i - 1}.get(shape)
        if provider is not None and i > 0:
            lines += [f"    depends_on: [s{provider:03d}]"]
        if i % 4 == 3:
            lines += [f"    ports: ['{8000 + i}:{8000 + i}']"]
    return "\n".join(lines) + "\n"
