"""The one thing pyproject.toml cannot say: the package list is every ``compose2ecs*`` package found
on disk *plus* the two data-only packages that ``[tool.setuptools.package-dir]`` maps from the
repository root (``schemas/``, ``templates/``; docs/architecture.md, "Package data"). Found, not
listed, so a new subpackage ships without anyone remembering this file."""
from setuptools import find_packages, setup

DATA_PACKAGES = ["compose2ecs.schemas", "compose2ecs.templates"]

setup(packages=find_packages(include=["compose2ecs", "compose2ecs.*"]) + DATA_PACKAGES)
