"""Golden-file comparison shared by all golden suites."""
from __future__ import annotations

from pathlib import Path

import pytest


def check_golden(path: Path, actual: str, update: bool) -> None:
    """Compare ``actual`` with the file at ``path``; with --update-golden rewrite it instead."""
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"{path} is missing; run pytest --update-golden and review the new file")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path} differs from the actual output (pytest --update-golden to refresh)"


def cases(root: Path) -> list:
    """Every case directory below ``root`` (a directory holding at least one file)."""
    if not root.exists():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
