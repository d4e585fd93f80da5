"""Build and push (compose2ecs/images/): content tags, docker argv, ECR repositories, and deploy
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

from compose2ecs.images import context as ctx
from compose2ecs.images.docker import BuildSpec, Docker, buildx_argv, pushed_digest
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
    from compose2ecs.images.publish import targets
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


# ----------------------------------------------------------------------------- ECR + deploy (moto server)
class Run:
    """One deploy as `compose2ecs deploy` does it, in-process against a moto server."""

    def __init__(self, endpoint: str, root: Path):
        self.endpoint, self.root = endpoint, root

    def clients(self, recorder=None):
        from compose2ecs.aws.session import AwsOptions, make_clients

        return make_clients(AwsOptions(region=REGION, endpoint_url=self.endpoint, max_attempts=2),
                            {"AWS_REGION": REGION}, recorder)

    def deploy(self, recorder=None, **kw):
        import io

        from compose2ecs.aws.deploy import DeployOptions, deploy
        from compose2ecs.aws.progress import PlainProgress
        from compose2ecs.images.command import for_deploy
        from compose2ecs.pipeline import InputOptions, convert_inputs
        from tests.aws_fixtures import FakeClock

        clients = self.clients(recorder)
        self.log = io.StringIO()
        progress = PlainProgress(self.log)
        options = InputOptions(files=(str(self.root / "compose.yaml"),), cwd=str(self.root))
        options, built = for_deploy(options, lambda _region: clients, progress, Docker(), **kw)
        ecs = convert_inputs(options).ecs
        clock = FakeClock()
        result = deploy(ecs, clients, DeployOptions(iam_propagation_seconds=0, poll_seconds=1), progress,
                        clock.sleep, clock)
        return built, result, clients


@pytest.fixture
def server(moto_server, fake_docker, monkeypatch):
    monkeypatch.setenv("FAKE_DOCKER_ECR_ENDPOINT", moto_server)
    return moto_server


def test_deploy_builds_pushes_and_pins_the_digest_then_redeploys_with_no_change(server, fake_docker, tmp_path):
    from compose2ecs.aws.down import _repositories
    from compose2ecs.aws.session import CallRecorder
    from compose2ecs.aws.ecr import KEEP_IMAGES

    run = Run(server, make_app(tmp_path / "app"))
    built, result, clients = run.deploy()
    ecr = clients.ecr
    repo = ecr.describe_repositories(repositoryNames=["shop/web"])["repositories"][0]
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    tags = {t["Key"]: t["Value"] for t in ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"]}
    assert tags == {"compose2ecs:project": "shop"}
    policy = json.loads(ecr.get_lifecycle_policy(repositoryName="shop/web")["lifecyclePolicyText"])
    assert policy["rules"][0]["selection"]["countNumber"] == KEEP_IMAGES
    (image,) = ecr.describe_images(repositoryName="shop/web")["imageDetails"]
    pinned = f"{repo['repositoryUri']}@{image['imageDigest']}"
    assert built == {"web": pinned}
    td = clients.ecs.describe_task_definition(taskDefinition="shop-web")["taskDefinition"]
    assert td["containerDefinitions"][0]["image"] == pinned, "pinned to the digest, not a tag"
    assert td["runtimePlatform"]["cpuArchitecture"] == "ARM64"

    calls = fake_docker()
    build = next(c["argv"] for c in calls if c["argv"][:2] == ["buildx", "build"])
    assert ("--platform", "linux/arm64") in set(zip(build, build[1:])), "built for the task's Graviton CPUs"
    assert image["imageTags"] == [build[build.index("--tag") + 1].rsplit(":", 1)[1]]
    login = next(c for c in calls if c["argv"][:1] == ["login"])
    assert "--password-stdin" in login["argv"] and login["stdin"], "the token goes through stdin"
    assert all(login["stdin"] not in " ".join(c["argv"]) for c in calls)
    assert login["stdin"] not in run.log.getvalue()
    import re
    steps = re.findall(r"^\d\d:\d\d:\d\d (?:image web|ecr-repository shop/web): (\w+)", run.log.getvalue(), re.M)
    assert steps == ["creating", "created", "building", "done", "pushing", "done"], "timestamped steps in CI"
    assert _repositories(ecr, "shop") == ["shop/web"], "down --images finds the repository"

    recorder = CallRecorder()
    again, second, _clients = run.deploy(recorder)
    assert again == built and not second.changed
    assert recorder.mutating() == [], "a no-op redeploy makes no mutating call"
    assert ("ecr", "DescribeImages") in recorder.calls
    assert [c for c in fake_docker()[len(calls):] if c["argv"][0] != "version"] == [], "nothing rebuilt or pushed"


def test_a_changed_context_builds_a_new_tag_and_updates_the_service(server, fake_docker, tmp_path):
    root = make_app(tmp_path / "app")
    run = Run(server, root)
    first, _result, _clients = run.deploy()
    (root / "web" / "debug.log").write_text("ignored")
    assert run.deploy()[0] == first, "an ignored file changes nothing"
    (root / "web" / "index.html").write_text("new page\n")
    second, result, clients = run.deploy()
    assert second["web"] != first["web"] and result.changed
    td = clients.ecs.describe_task_definition(taskDefinition="shop-web")["taskDefinition"]
    assert td["containerDefinitions"][0]["image"] == second["web"]
    assert len([c for c in fake_docker() if c["argv"][:2] == ["buildx", "build"]]) == 2


def test_a_same_named_repository_of_someone_else_is_refused(server, tmp_path):
    run = Run(server, make_app(tmp_path / "app"))
    run.clients().ecr.create_repository(repositoryName="shop/web")  # not tagged as the project's
    with pytest.raises(UserError) as err:
        run.deploy()
    assert "compose2ecs does not push into it" in str(err.value.diagnostics[0])


def test_image_and_build_pushes_to_a_named_ecr_repository(server, fake_docker, tmp_path):
    uri = f"123456789012.dkr.ecr.{REGION}.amazonaws.com/team/web"
    root = make_app(tmp_path / "app", COMPOSE.replace("    build:", f"    image: {uri}:latest\n    build:"))
    built, _result, clients = Run(server, root).deploy()
    assert built["web"].startswith(uri + "@sha256:")
    assert clients.ecr.describe_images(repositoryName="team/web")["imageDetails"]


def test_image_and_build_with_a_docker_hub_name_pushes_to_the_project_repository_and_says_so(server, tmp_path):
    root = make_app(tmp_path / "app", COMPOSE.replace("    build:", "    image: acme/web:1\n    build:"))
    run = Run(server, root)
    built, _result, _clients = run.deploy()
    assert "/shop/web@sha256:" in built["web"]
    assert "image acme/web:1 is not an ECR URI" in run.log.getvalue()


def test_a_failed_build_is_a_located_error(server, monkeypatch, tmp_path):
    monkeypatch.setenv("FAKE_DOCKER_BUILD_FAIL", "1")
    with pytest.raises(UserError) as err:
        Run(server, make_app(tmp_path / "app")).deploy()
    text = str(err.value.diagnostics[0])
    assert "compose.yaml:5:7: services.web.build" in text and "did not complete successfully" in text


def test_no_build_deploys_pinned_images_only(server, fake_docker, tmp_path):
    run = Run(server, make_app(tmp_path / "app"))
    with pytest.raises(UserError) as err:
        run.deploy(no_build=True)
    assert "--image web=URI" in str(err.value.diagnostics[0])
    assert fake_docker() == []


def test_cloudformation_fills_the_image_parameter_of_a_build_only_service(server, tmp_path):
    from compose2ecs.aws.commands import run_deploy
    from compose2ecs.aws.progress import NullProgress
    from compose2ecs.aws.stack import templates_for
    from compose2ecs.images.command import for_deploy
    from compose2ecs.pipeline import InputOptions, convert_inputs
    from tests.aws_fixtures import FakeClock

    run = Run(server, make_app(tmp_path / "app"))
    clients = run.clients()
    options = InputOptions(files=(str(run.root / "compose.yaml"),), cwd=str(run.root))
    pinned, built = for_deploy(options, lambda _r: clients, NullProgress(), Docker(), parameters=True)
    assert pinned.images == (), "a build-only service stays a template parameter"
    ecs = convert_inputs(pinned).ecs
    template, _nested = templates_for(ecs)
    assert "WebImage" in template["Parameters"]
    clock = FakeClock()
    run_deploy(ecs, clients, NullProgress(), via="cloudformation", sleep=clock.sleep, clock=clock,
               built_images=built)
    stack = clients.cloudformation.describe_stacks(StackName="shop")["Stacks"][0]
    values = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert values["WebImage"] == built["web"] and "@sha256:" in built["web"]


# ----------------------------------------------------------------------------- the commands
def cli(endpoint, cwd, *args, env=None):
    full = dict(os.environ, PYTHONPATH=str(REPO), CI="true", **(env or {}))
    command = [sys.executable, "-m", "compose2ecs.cli", *args, "--endpoint-url", endpoint, "--region", REGION]
    return subprocess.run(command, cwd=cwd, env=full, capture_output=True, text=True, timeout=300)


def test_build_push_and_deploy_commands(server, fake_docker, tmp_path):
    root = make_app(tmp_path / "app")
    built = cli(server, root, "build")
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("web=") and ".amazonaws.com/shop/web:c2e-" in built.stdout
    assert [c["argv"][0] for c in fake_docker()] == ["version", "image", "buildx"]
    pushed = cli(server, root, "push", "--output", "json")
    assert pushed.returncode == 0, pushed.stderr
    result = json.loads(pushed.stdout.strip().splitlines()[-1])["result"]
    assert "@sha256:" in result["images"]["web"]
    assert [c["argv"][0] for c in fake_docker()][3:] == ["version", "image", "login", "push"], \
        "push uses the image build made"
    deployed = cli(server, root, "deploy")
    assert deployed.returncode == 0, deployed.stderr
    assert "image web: unchanged" in deployed.stderr, "timestamped progress lines in CI"
    assert len([c for c in fake_docker() if c["argv"][0] == "push"]) == 1
    plan = cli(server, root, "plan", "--detailed-exitcode")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    kept = cli(server, root, "down", "-p", "shop", "--yes")
    assert kept.returncode == 0 and "shop/web" in kept.stdout + kept.stderr, "down keeps images by default"
    down = cli(server, root, "down", "-p", "shop", "--images", "--yes")
    assert down.returncode == 0, down.stderr
    import boto3
    ecr = boto3.client("ecr", endpoint_url=server, region_name=REGION)
    assert ecr.describe_repositories()["repositories"] == [], "down --images deletes the project's repository"


def test_deploy_without_docker_is_one_error_naming_image(moto_server, tmp_path):
    root = make_app(tmp_path / "app")
    result = cli(moto_server, root, "deploy", env={"PATH": str(tmp_path / "nowhere")})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "no docker command on PATH" in result.stderr and "--image SERVICE=URI" in result.stderr


@pytest.mark.skipif(shutil.which("docker") is None or subprocess.run(
    ["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True).returncode != 0,
    reason="needs a running Docker daemon (this machine has the docker CLI at most, no daemon)")
def test_real_docker_builds_and_pushes_to_a_local_registry(tmp_path):  # pragma: no cover - needs Docker
    from compose2ecs.images.docker import BuildSpec

    port = __import__("tests.aws_fixtures", fromlist=["free_port"]).free_port()
    subprocess.run(["docker", "run", "-d", "--rm", "--name", f"c2e-registry-{port}", "-p", f"{port}:5000",
                    "registry:2"], check=True)
    try:
        (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY hello.txt /\n")
        (tmp_path / "hello.txt").write_text("hi\n")
        docker, ref = Docker(), f"localhost:{port}/c2e/hello:{tag_of(tmp_path)}"
        assert docker.build(BuildSpec("hello", str(tmp_path)), ref, str(tmp_path)).returncode == 0
        assert pushed_digest(docker.run(["docker", "push", ref]).output)
    finally:
        subprocess.run(["docker", "rm", "-f", f"c2e-registry-{port}"], capture_output=True)


def test_an_additional_context_counts_in_the_tag(tmp_path):
    from compose2ecs.images.publish import targets
    from compose2ecs.pipeline import InputOptions, convert_inputs

    root = make_app(tmp_path, COMPOSE.replace("      args:", "      additional_contexts: {assets: ./assets}\n      args:"))
    (root / "assets").mkdir()
    (root / "assets" / "logo.svg").write_text("<svg/>")

    def tag():
        conversion = convert_inputs(InputOptions(files=(str(root / "compose.yaml"),), cwd=str(root)))
        return targets(conversion.project, conversion.ecs)[0].tag
    first = tag()
    (root / "assets" / "logo.svg").write_text("<svg></svg>")
    assert tag() != first


def test_dry_run_builds_nothing_and_changes_nothing(server, fake_docker, tmp_path):
    from compose2ecs.aws.session import CallRecorder
    from compose2ecs.images.command import for_deploy
    from compose2ecs.aws.progress import NullProgress
    from compose2ecs.pipeline import InputOptions

    run = Run(server, make_app(tmp_path / "app"))
    recorder = CallRecorder()
    clients = run.clients(recorder)
    options = InputOptions(files=(str(run.root / "compose.yaml"),), cwd=str(run.root))
    _options, images = for_deploy(options, lambda _r: clients, NullProgress(), Docker(), dry_run=True)
    assert ".amazonaws.com/shop/web:c2e-" in images["web"], "shows the tag it would push"
    assert recorder.mutating() == [] and fake_docker() == []


def test_a_build_only_app_with_a_database_volume_deploys_with_no_flag(server, fake_docker, tmp_path):
    """Issue 11, done when: the user's own code (build only) and a database with a named volume
    reach ECS with `deploy -y` and nothing else; a redeploy changes nothing; `down -y` keeps the
    file system and `down -y --volumes` removes it."""
    import boto3

    root = make_app(tmp_path / "app", """\
name: shop
services:
  web:
    build: ./web
    ports: ["80:80"]
    depends_on: [db]
  db:
    image: postgres:16
    volumes: ["data:/var/lib/postgresql/data"]
volumes:
  data: {}
""")
    deployed = cli(server, root, "deploy", "-y")
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    ecs = boto3.client("ecs", endpoint_url=server, region_name=REGION)
    td = ecs.describe_task_definition(taskDefinition="shop-web")["taskDefinition"]
    assert "@sha256:" in td["containerDefinitions"][0]["image"], "the built image, pinned by digest"
    db = ecs.describe_task_definition(taskDefinition="shop-db")["taskDefinition"]
    efs_id = db["volumes"][0]["efsVolumeConfiguration"]["fileSystemId"]
    assert efs_id.startswith("fs-"), "a real file system, no placeholder"
    plan = cli(server, root, "plan", "--detailed-exitcode")
    assert plan.returncode == 0, plan.stdout + plan.stderr  # 0: nothing to change
    efs = boto3.client("efs", endpoint_url=server, region_name=REGION)
    kept = cli(server, root, "down", "-y")
    assert kept.returncode == 0, kept.stderr
    assert [f["FileSystemId"] for f in efs.describe_file_systems()["FileSystems"]] == [efs_id]
    removed = cli(server, root, "down", "-y", "--volumes")
    assert removed.returncode == 0, removed.stderr
    assert efs.describe_file_systems()["FileSystems"] == []
