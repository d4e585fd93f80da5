"""Writing artefacts: to stdout, or atomically to a file (never a half-written file)."""
from __future__ import annotations

import os
import sys


def write_text(path, text: str) -> None:
    """Write ``text`` to stdout when ``path`` is empty or ``-``, else atomically to ``path``."""
    if not path or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.tmp{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
