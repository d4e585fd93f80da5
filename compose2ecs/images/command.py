"""``build``, ``push`` and the step of ``deploy``/``plan`` that builds and pushes first.

Each takes the collected :class:`~compose2ecs.pipeline.InputOptions`, a clients factory
(``region → Clients``), a Progress and a :class:`~.docker.Docker`; nothing here parses options.
"""
from __future__ import annotations

import dataclasses
import sys
from typing import Callable

from ..errors import Location, UserError, diagnostic
from .docker import Docker
from .publish import Publisher, publish, targets


def _load(options, stdin=None):
    from ..pipeline import convert_inputs

    conversion = convert_inputs(options, stdin=stdin or sys.stdin)
    return conversion.project, conversion.ecs


def _publish(options, clients_for: Callable, progress, docker: Docker, push: bool, dry_run: bool = False,
             stdin=None) -> tuple:
    """``(service → image, compose project)``."""
    project, ecs = _load(options, stdin)
    todo = targets(project, ecs, dict(options.images))
    if not todo:
        return {}, project
    clients = clients_for(ecs.region)
    return publish(Publisher(clients, docker, progress, ecs.name), todo, push=push, dry_run=dry_run), project


def run_images(options, clients_for: Callable, progress, docker: Docker, push: bool) -> dict:
    """``build`` (push=False) or ``push``: the images by service, printed one a line."""
    images, _project = _publish(options, clients_for, progress, docker, push)
    text = "".join(f"{name}={image}\n" for name, image in sorted(images.items())) or "no service has a build section\n"
    progress.result({"images": images}, text)
    progress.close()
    return images


def for_deploy(options, clients_for: Callable, progress, docker: Docker, no_build: bool = False,
               dry_run: bool = False, parameters: bool = False, stdin=None):
    """``(options with --image SERVICE=<digest URI> for every built service, the built images)``.

    ``no_build``: nothing is built; a service with a build section and no ``--image`` is an
    error. ``dry_run`` (and ``plan``): reads only — an image already in ECR is used by digest,
    the others show the tag that would be pushed. ``parameters`` (CloudFormation): build-only
    services are not pinned in the options; their images fill the template's image parameters."""
    if no_build:
        project, _ecs = _load(options, stdin)
        pinned = dict(options.images)
        missing = [s.name for s in project.services if s.build is not None and not s.image and s.name not in pinned]
        if missing:
            raise UserError([diagnostic(Location(key_path=("--no-build",)),
                                        f"service(s) {', '.join(missing)} have only a build section and no pinned image",
                                        " ".join(f"--image {n}=URI" for n in missing) + ", or deploy without --no-build")])
        return options, {}
    images, project = _publish(options, clients_for, progress, docker, push=True, dry_run=dry_run, stdin=stdin)
    pin = {name: uri for name, uri in images.items() if not (parameters and not project.service(name).image)}
    return dataclasses.replace(options, images=tuple(options.images) + tuple(sorted(pin.items()))), images


def image_parameters(template: dict, images: dict) -> dict:
    """CloudFormation parameter → built image, for the image parameters of build-only services
    (``WebImage``: the parameter whose placeholder names the service)."""
    found = {}
    for key, spec in (template.get("Parameters") or {}).items():
        for name, uri in images.items():
            if str(spec.get("Description", "")).startswith(f"image of build-only service {name!r}"):
                found[key] = uri
    return found
