"""Build and push (compose2ecs/build/): content tags, docker argv, ECR repositories, and deploy
pinned to digests — driven through the fake `docker` in tests/fakes against moto (in-process
and a moto server), since CI has no Docker daemon and moto has no image registry."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compose2ecs.build import context as ctx
from compose2ecs.build.docker import BuildSpec, Docker, buildx_argv, pushed_digest
from compose2ecs.errors import UserError
from tests.aws_fixtures import REGION, aws_env, moto, moto_server  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
FAKES = Path(__file__).resolve().parent / "fakes"
COMPOSE = """\
name: shop
services:
  web:
    build:
      context: ./web
      args: {VERSION: "1"}
    platform: linux/arm64
    ports: ["80:80"]
"""


def make_app(root: Path, compose: str = COMPOSE) -> Path:
    (root / "web").mkdir(parents=True, exist_ok=True)
    (root / "web" / "Dockerfile").write_text("FROM nginx:1.27\nCOPY . /usr/share/nginx/html\n")
    (root / "web" / "index.html").write_text("hello\n")
    (root / "web" / ".dockerignore").write_text("*.log\nnode_modules\n!keep.log\n")
    (root / "compose.yaml").write_text(compose)
    return root


@pytest.fixture
def fake_docker(tmp_path, monkeypatch):
    """The fake docker first on PATH; returns a reader of the argvs it was called with."""
    monkeypatch.setenv("PATH", f"{FAKES}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_DOCKER_LOG", str(tmp_path / "docker.log"))
    monkeypatch.setenv("FAKE_DOCKER_STATE", str(tmp_path / "docker-state.json"))

    def calls() -> list:
        log = tmp_path / "docker.log"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return calls


# ----------------------------------------------------------------------------- content tag
def tag_of(root: Path, **kw) -> str:
    return ctx.content_tag(str(root), kw.pop("dockerfile", "FROM x\n"), **kw)


def test_content_tag_honours_dockerignore(tmp_path):
    make_app(tmp_path)
    web = tmp_path / "web"
    first = tag_of(web)
    assert first.startswith("c2e-") and len(first) == 28
    (web / "debug.log").write_text("noise")
    (web / "node_modules").mkdir()
    (web / "node_modules" / "dep.js").write_text("x")
    assert tag_of(web) == first, ".dockerignore'd files do not change the tag"
    (web / "keep.log").write_text("kept by !keep.log")
    second = tag_of(web)
    assert second != first, "a file re-included with ! is part of the context"
    (web / "index.html").write_text("changed\n")
    assert tag_of(web) != second


@pytest.mark.parametrize("change", [
    {"dockerfile": "FROM y\n"}, {"args": (("A", "1"),)}, {"target": "prod"}, {"platform": "linux/arm64"},
])
def test_content_tag_covers_dockerfile_args_target_platform(tmp_path, change):
    make_app(tmp_path)
    assert tag_of(tmp_path / "web") != tag_of(tmp_path / "web", **change)


def test_dockerignore_patterns_follow_docker():
    patterns = ctx.dockerignore_patterns("# c\n**/*.tmp\n/build\ndocs/*.md\n!docs/README.md\n")
    ignored = {p: ctx.is_ignored(p, patterns) for p in
               ["a.tmp", "x/y/z.tmp", "build/out.o", "docs/a.md", "docs/README.md", "docs/sub/a.md", "src/a.py"]}
    assert ignored == {"a.tmp": True, "x/y/z.tmp": True, "build/out.o": True, "docs/a.md": True,
                       "docs/README.md": False, "docs/sub/a.md": False, "src/a.py": False}


# ----------------------------------------------------------------------------- docker argv
def test_buildx_argv_carries_every_build_option(tmp_path):
    from compose2ecs.build.images import targets
    from compose2ecs.pipeline import InputOptions, convert_inputs

    make_app(tmp_path, """\
name: shop
services:
  web:
    build:
      context: ./web
      dockerfile: Dockerfile
      target: prod
      args: {A: "1", UNSET: null}
      secrets: [npm]
      ssh: [default]
      labels: {team: web}
      cache_from: ["type=registry,ref=cache"]
      cache_to: ["type=inline"]
secrets:
  npm: {file: ./npmrc}
""")
    conversion = convert_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path)))
    (target,) = targets(conversion.project, conversion.ecs)
    argv = buildx_argv(target.spec, "repo:tag", "/m.json", "/iid")
    web = str(tmp_path / "web")
    assert argv[:3] == ["docker", "buildx", "build"] and argv[-1] == web
    pairs = set(zip(argv, argv[1:]))
    for pair in [("--platform", "linux/amd64"), ("--tag", "repo:tag"), ("--metadata-file", "/m.json"),
                 ("--iidfile", "/iid"), ("--file", os.path.join(web, "Dockerfile")), ("--target", "prod"),
                 ("--build-arg", "A=1"), ("--secret", f"id=npm,src={tmp_path / 'npmrc'}"), ("--ssh", "default"),
                 ("--label", "team=web"), ("--cache-from", "type=registry,ref=cache"),
                 ("--cache-to", "type=inline")]:
        assert pair in pairs, pair
    assert "UNSET" not in " ".join(argv), "an unset build arg is not passed"
    assert target.repository == "shop/web"


def test_inline_dockerfile_goes_through_stdin():
    spec = BuildSpec("web", "/ctx", dockerfile_inline="FROM busybox")
    argv = buildx_argv(spec, "r:t", "m", "i")
    assert ("--file", "-") in set(zip(argv, argv[1:]))


def test_push_digest_is_read_from_docker_push_output():
    out = "The push refers to repository [x/y]\nabc: Pushed\nc2e-1: digest: sha256:" + "a" * 64 + " size: 528\n"
    assert pushed_digest(out) == "sha256:" + "a" * 64
    assert pushed_digest("denied: not authorized") is None


# ----------------------------------------------------------------------------- no Docker
def test_no_docker_command_names_image_as_the_way_out(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no docker anywhere
    with pytest.raises(UserError) as err:
        Docker().check()
    text = str(err.value.diagnostics[0])
    assert "no docker command" in text and "--image SERVICE=URI" in text


def test_no_daemon_is_one_error_naming_image(fake_docker, monkeypatch):
    monkeypatch.setenv("FAKE_DOCKER_NO_DAEMON", "1")
    with pytest.raises(UserError) as err:
        Docker().check()
    text = str(err.value.diagnostics[0])
    assert "cannot reach a Docker daemon" in text and "--image SERVICE=URI" in text
