"""Build and push the project's own images (services with a ``build:`` section) to ECR.

* :mod:`.context` — the content hash of a build (context files minus ``.dockerignore``,
  Dockerfile, args, target, platform) → the image tag, so an unchanged build is never rebuilt;
* :mod:`.docker` — ``docker`` command lines as pure argv builders, and the injected runner;
* :mod:`.ecr` — the project's ECR repositories (idempotent), image lookup, registry login;
* :mod:`.publish` — which services build, where each image goes, and the build → push flow.
"""
