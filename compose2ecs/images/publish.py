"""Which services build, where each image goes, and the build → push flow.

A service with ``build:`` builds unless ``--image SERVICE=URI`` pins it. Its image goes to
``image:`` when that is an ECR URI, else to the project's repository ``<project>/<service>``
(said in a note). The tag is the content hash (:mod:`.context`); an image with that tag in ECR
is used as it is, by digest, without building. The task definition is pinned to
``<repository URI>@sha256:…`` — never to a tag that can move.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import field
from typing import Optional

from ..errors import Location, UserError, diagnostic
from ..aws import ecr as registry
from .context import content_tag
from .docker import BUILD_FLAGS, HASHED_KEYS, BuildSpec, Docker, pushed_digest, tail
from ..records import record

ARCH_PLATFORM = {"ARM64": "linux/arm64", "X86_64": "linux/amd64", None: "linux/amd64"}


@record(slots=False)
class Target:
    service: str
    repository: str  # ECR repository name
    spec: BuildSpec
    tag: str  # content tag, c2e-…
    named: Optional[str] = None  # the ECR URI of `image:` when the service names one
    registry_id: Optional[str] = None
    image: Optional[str] = None  # the service's `image:` (not an ECR URI) when it has one


def targets(project, ecs, pinned: dict = None) -> list:
    """The services of compose ``project`` to build (sorted), with their platform from the
    lowered ``ecs`` task definitions; services pinned with ``--image`` are left out."""
    pinned = pinned or {}
    out, errors = [], []
    for svc in project.services:
        if svc.build is None or svc.name in pinned:
            continue
        try:
            out.append(_target(project, ecs, svc))
        except UserError as error:
            errors += error.diagnostics
    if errors:
        raise UserError(errors)
    return out


def _target(project, ecs, svc) -> Target:
    build, extra = svc.build, dict(svc.build.extra)
    where = build.at if build.at.file else Location(key_path=("services", svc.name, "build"))
    if "://" in (build.context or "") or (build.context or "").startswith("git@"):
        raise UserError([diagnostic(where, f"remote build context {build.context} is not built by compose2ecs",
                                    f"build and push it yourself and pass --image {svc.name}=URI")])
    inline = extra.get("dockerfile_inline")
    dockerfile_text = inline if inline is not None else _read_dockerfile(where, build)
    platform = ARCH_PLATFORM.get(_architecture(ecs, svc.name), "linux/amd64")
    options = [a for key in sorted(BUILD_FLAGS) if key in extra for a in BUILD_FLAGS[key](extra[key])]
    options += _secret_flags(project, extra.get("secrets") or (), where)
    args = tuple((k, str(v)) for k, v in build.args if v is not None)
    spec = BuildSpec(svc.name, build.context, build.dockerfile, inline, args, build.target, platform,
                     tuple(options), where)
    hashed = [(k, extra[k]) for k in HASHED_KEYS if k in extra]
    hashed += [(f"context:{name}", content_tag(path, "")) for name, path in sorted(
        (extra.get("additional_contexts") or {}).items()) if os.path.isdir(str(path))]  # their files count too
    tag = content_tag(build.context, dockerfile_text, args, build.target, platform, hashed)
    named = registry.ECR_URI.match(svc.image or "")
    if named:
        return Target(svc.name, named["repo"], spec, tag, svc.image, named["account"])
    return Target(svc.name, f"{project.name}/{svc.name}".lower(), spec, tag, image=svc.image)


def _read_dockerfile(where: Location, build) -> str:
    path = build.dockerfile or "Dockerfile"
    full = path if os.path.isabs(path) else os.path.join(build.context, path)
    try:
        with open(full, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError as error:
        raise UserError([diagnostic(where, f"cannot read the Dockerfile {full} ({error.strerror})",
                                    "fix build.context / build.dockerfile, or add the file")]) from None


def _architecture(ecs, service: str):
    for td in ecs.task_definitions:
        if any(c.source == service for c in td.containers):
            return td.cpu_architecture
    return None


def _secret_flags(project, secrets, where: Location) -> list:
    """``--secret id=…,src=FILE|env=VAR`` from the project's top-level secrets (never values)."""
    tops = {s.key: dict(s.attrs) for s in project.secrets}
    flags = []
    for ref in secrets:
        ref = ref if isinstance(ref, dict) else {"source": ref}
        source = ref.get("source")
        ident = os.path.basename(str(ref.get("target") or source))
        top = tops.get(source, {})
        if top.get("file"):
            flags += ["--secret", f"id={ident},src={top['file']}"]
        elif top.get("environment"):
            flags += ["--secret", f"id={ident},env={top['environment']}"]
        else:
            raise UserError([diagnostic(where, f"build secret {source} has no file or environment to build with",
                                        f"declare it under top-level secrets: with file: or environment:")])
    return flags


@record(frozen=False, slots=False)
class Publisher:
    """Builds and pushes :class:`Target` s through ``docker`` and the ``clients``' ECR."""

    clients: object
    docker: Docker
    progress: object
    project: str
    logged_in: set = field(default_factory=set)  # registries `docker login` succeeded for

    def repository_uri(self, target: Target, create: bool) -> str:
        """The repository's URI; ``create`` makes (or aligns) the project's repository."""
        if target.named:
            found = registry.describe(self.clients.ecr, target.repository, target.registry_id)
            if found is None and create:
                made = registry.ensure(self.clients.ecr, target.repository, self.project, self.progress)
                return made.uri
            return found["repositoryUri"] if found else f"{target.named.split('/', 1)[0]}/{target.repository}"
        if create:
            return registry.ensure(self.clients.ecr, target.repository, self.project, self.progress).uri
        found = registry.describe(self.clients.ecr, target.repository)
        return found["repositoryUri"] if found else f"{registry.account_registry(self.clients)}/{target.repository}"

    def existing(self, target: Target) -> Optional[str]:
        """The digest of the target's content tag in ECR (no build needed), or None."""
        return registry.image_digest(self.clients.ecr, target.repository, target.tag, target.registry_id)

    def build(self, target: Target, ref: str) -> None:
        self.docker.check()
        if self.docker.has_image(ref):
            self.progress.event("image", target.service, "unchanged", f"{ref} is built")
            return
        self.progress.event("image", target.service, "building", f"{target.spec.platform} {ref}")
        with tempfile.TemporaryDirectory(prefix="compose2ecs-build-") as workdir:
            done = self.docker.build(target.spec, ref, workdir)
        if done.returncode != 0:
            self.progress.event("image", target.service, "failed", "docker buildx build")
            raise UserError([diagnostic(target.spec.at, f"docker buildx build failed (exit {done.returncode}):\n"
                                        + tail(done.output), "fix the build, or pass --image "
                                        f"{target.service}=URI to deploy an image built elsewhere")])
        self.progress.event("image", target.service, "done", f"built {ref}")

    def push(self, target: Target, ref: str, repo_uri: str) -> str:
        """Push ``ref``; returns ``<repo_uri>@sha256:…``."""
        from ..errors import AwsError

        host = repo_uri.split("/", 1)[0]
        if host not in self.logged_in:
            password = registry.login_password(self.clients.ecr, target.registry_id)
            done = self.docker.run(["docker", "login", "--username", "AWS", "--password-stdin", host],
                                   stdin=password)
            if done.returncode != 0:
                raise AwsError(f"registry {host}", "docker login failed: " + tail(done.output, 3).replace(password, "***"),
                               "check the AWS credentials (ecr:GetAuthorizationToken)", code="LoginFailed")
            self.logged_in.add(host)
        self.progress.event("image", target.service, "pushing", ref)
        done = self.docker.run(["docker", "push", ref])
        digest = pushed_digest(done.output) if done.returncode == 0 else None
        if digest is None:
            self.progress.event("image", target.service, "failed", "docker push")
            raise AwsError(f"image {ref}", "docker push failed: " + tail(done.output, 5),
                           "check the repository and your permissions (ecr:InitiateLayerUpload …), then run again",
                           code="PushFailed")
        self.progress.event("image", target.service, "done", f"pushed {repo_uri}@{digest}")
        return f"{repo_uri}@{digest}"


def publish(publisher: Publisher, todo: list, push: bool = True, dry_run: bool = False) -> dict:
    """service → image: ``<uri>@sha256:…`` when pushed or found in ECR; else ``<uri>:<tag>``
    (``build`` only, or ``dry_run``: what would be built)."""
    images = {}
    if not push and not dry_run:
        publisher.docker.check()  # `build` needs Docker whatever ECR has: say so before any AWS call
    for target in todo:
        uri = publisher.repository_uri(target, create=push and not dry_run)
        if target.image:
            publisher.progress.note(f"{target.service}: image {target.image} is not an ECR URI; "
                                    f"the build goes to the project's repository {uri}")
        found = publisher.existing(target) if push or dry_run else None
        if found:
            publisher.progress.event("image", target.service, "unchanged", f"{target.tag} is in ECR")
            images[target.service] = f"{uri}@{found}"
            continue
        ref = f"{uri}:{target.tag}"
        if dry_run:
            publisher.progress.event("image", target.service, "skipped", f"would build and push {ref}")
            images[target.service] = ref
            continue
        publisher.build(target, ref)
        images[target.service] = publisher.push(target, ref, uri) if push else ref
    return images


