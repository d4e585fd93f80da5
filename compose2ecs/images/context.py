"""The content hash of a build: what decides whether an image must be built again.

The tag of a built image is ``c2e-`` + the first 24 hex digits of a SHA-256 over: every file of
the build context that ``.dockerignore`` lets through (path, executable bit, content; a
symlink by its target), the Dockerfile (or ``dockerfile_inline``), the build args, the target
and the platform. Same inputs, same tag, on any machine: an image with that tag in ECR is the
image this build would produce, so it is not built again.
"""
from __future__ import annotations

import hashlib
import os
import re
from typing import Iterable, Optional

TAG_PREFIX = "c2e-"
HASH_VERSION = b"compose2ecs-build-1\0"


def dockerignore_patterns(text: str) -> list:
    """``.dockerignore`` lines → ``[(negated, regex)]`` (comments and blanks dropped)."""
    patterns = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = line[1:].strip() if negated else line
        line = os.path.normpath(line.strip("/")).replace(os.sep, "/")
        if line in (".", ""):
            continue
        patterns.append((negated, re.compile(_glob_regex(line))))
    return patterns


def _glob_regex(pattern: str) -> str:
    """Docker's rules: ``*`` and ``?`` stay inside one path element, ``**`` crosses them."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i)
            out.append(pattern[i:end + 1].replace("[!", "[^") if end > i else re.escape(pattern[i]))
            i = end + 1 if end > i else i + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out) + r"\Z"


def is_ignored(path: str, patterns: list) -> bool:
    """Whether context-relative ``path`` (``a/b.txt``) is excluded: the last matching pattern
    wins, and a pattern that matches a parent directory matches what is inside it."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    ignored = False
    for negated, regex in patterns:
        if any(regex.match(p) for p in prefixes):
            ignored = not negated
    return ignored


def context_files(root: str, patterns: list) -> list:
    """Context-relative paths of the files the build sends, sorted."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            path = prefix + name
            if not is_ignored(path, patterns):
                found.append(path)
    return sorted(found)


def content_tag(context: str, dockerfile_text: str, args: Iterable = (), target: Optional[str] = None,
                platform: str = "", extra: Iterable = ()) -> str:
    """``c2e-<24 hex>`` for a build of directory ``context`` (see the module docstring)."""
    digest = hashlib.sha256(HASH_VERSION)

    def add(*fields) -> None:
        for value in fields:
            data = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogateescape")
            digest.update(len(data).to_bytes(8, "big") + data)

    ignore = os.path.join(context, ".dockerignore")
    text = open(ignore, encoding="utf-8", errors="replace").read() if os.path.isfile(ignore) else ""
    for rel in context_files(context, dockerignore_patterns(text)):
        full = os.path.join(context, rel)
        if os.path.islink(full):
            add("link", rel, os.readlink(full))
        else:
            add("file", rel, "x" if os.access(full, os.X_OK) else "-", _file_hash(full))
    add("dockerfile", dockerfile_text, "target", target or "", "platform", platform)
    for key, value in sorted((str(k), "" if v is None else str(v)) for k, v in args):
        add("arg", key, value)
    for key, value in sorted((str(k), repr(v)) for k, v in extra):
        add("extra", key, value)
    return TAG_PREFIX + digest.hexdigest()[:24]


def _file_hash(path: str) -> bytes:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.digest()
