"""Shared test plumbing: the corpus location, and the --update-golden switch (design.md §5)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
# CI lays shared/ beside the clone; a developer checkout has it at ../shared too.
CORPUS = Path(os.environ.get("COMPOSE2ECS_CORPUS", REPO.parent / "shared" / "corpus"))


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite expected outputs of golden cases instead of comparing them")


@pytest.fixture
def update_golden(request):
    return request.config.getoption("--update-golden")


def pytest_sessionfinish(session, exitstatus):
    # Regenerating goldens must never look like a green run: the diff needs a review.
    if session.config.getoption("--update-golden") and exitstatus == 0:
        session.exitstatus = 1
        print("\n--update-golden: expected files rewritten; review the diff (exit status forced to 1)")


def corpus_dir(*parts) -> Path:
    """The shared corpus folder, or skip the test with a reason when it is absent."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"corpus not available at {path} (it lives in ../shared/corpus beside the repo)")
    return path


def corpus_available() -> bool:
    return CORPUS.exists()
