"""The AWS commands (deploy, plan, status/ps, logs, down). Being written; see issue 6."""
from __future__ import annotations


def register(app) -> None:
    """Add the AWS commands to the root typer app (boto3 is imported only when they run)."""
