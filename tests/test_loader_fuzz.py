"""Property: whatever a corpus file is mutated into, the loader gives a model or a clean,
located error — never an exception (issue 2 quality bar)."""
from __future__ import annotations

import random

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compose2ecs.errors import UserError
from compose2ecs.pipeline import InputOptions, load_inputs

from .conftest import CORPUS, corpus_available

SCALARS = [None, True, 0, -1, 3.5, "", "x", "${UNSET}", "${A:?boom}", "$$", "80:80", "1g", "[", "{",
           "!!", "-", "a:b:c:d", "999999999999999999999", [], {}, ["x"], {"x": None}]


def corpus_files() -> list:
    if not corpus_available():
        return []
    return sorted(p for p in CORPUS.rglob("*.y*ml") if p.is_file())


def mutate(data, rng: random.Random, depth: int = 0):
    """One random structural change somewhere in ``data``."""
    if isinstance(data, dict) and data:
        key = rng.choice(sorted(data, key=str))
        action = rng.randrange(5)
        if action == 0:
            del data[key]
        elif action == 1:
            data[f"{key}_copy"] = data[key]
        elif action == 2:
            data[key] = rng.choice(SCALARS)
        elif action == 3 and depth < 6:
            data[key] = mutate(data[key], rng, depth + 1)
        else:
            data[rng.choice(["image", "ports", "volumes", "extends", "deploy", "x-ecs", "include"])] = \
                rng.choice(SCALARS)
        return data
    if isinstance(data, list) and data:
        i = rng.randrange(len(data))
        if rng.random() < 0.5 and depth < 6:
            data[i] = mutate(data[i], rng, depth + 1)
        else:
            data[i] = rng.choice(SCALARS)
        return data
    return rng.choice(SCALARS)


def check_clean(text: str, directory):
    options = InputOptions(files=("-",), project_name="fuzz", cwd=str(directory))
    try:
        load_inputs(options, environ={}, stdin=_Stdin(text))
    except UserError as exc:
        assert exc.diagnostics, "a UserError must carry at least one diagnostic"
        for diag in exc.diagnostics:
            assert str(diag).strip()


class _Stdin:
    def __init__(self, text):
        self.text = text

    def read(self, size=-1):
        return self.text if size < 0 else self.text[:size]


FILES = corpus_files()


@pytest.mark.skipif(not FILES, reason="corpus not available at ../shared/corpus")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(min_value=0, max_value=max(len(FILES) - 1, 0)),
       seed=st.integers(min_value=0, max_value=2 ** 32), steps=st.integers(min_value=1, max_value=4))
def test_mutated_corpus_files_load_or_fail_cleanly(tmp_path_factory, index, seed, steps):
    path = FILES[index]
    rng = random.Random(seed)
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError:
        data = None
    for _ in range(steps):
        data = mutate(data, rng)
    text = yaml.safe_dump(data, sort_keys=False)
    check_clean(text, path.parent)


@pytest.mark.skipif(not FILES, reason="corpus not available at ../shared/corpus")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(min_value=0, max_value=max(len(FILES) - 1, 0)), cut=st.floats(0, 1),
       junk=st.sampled_from(["", "\t", ":", "- ", "&a", "*nope", "<<: 1", "'", '"', "{", "!reset"]))
def test_truncated_or_corrupted_text_fails_cleanly(index, cut, junk):
    path = FILES[index]
    text = path.read_text()
    position = int(len(text) * cut)
    check_clean(text[:position] + junk + text[position:position + 40], path.parent)


# ------------------------------------------------------------------ hostile documents
# Generated, not mutated from the corpus, so these run everywhere. Each example is loaded in
# a forked child with an address-space limit and an alarm: an alias bomb, a 100,000-deep
# document or an endless read shows up as a failed example instead of a hung CI job.
CHILD_MEMORY = 768 * 1024 * 1024  # on top of what the test process already maps
CHILD_SECONDS = 20
SMALL_CAP = 64 * 1024  # limits.MAX_INPUT_BYTES in the child for size examples, to stay cheap
WEB = "services:\n  web:\n    image: nginx\n"


def alias_bombs():
    """fan-out aliases of the level below, ``levels`` times, sequences or mappings."""
    def build(fan, levels, as_map, where):
        out = [WEB.rstrip("\n"), f"{where}:", "  a0: &a0 [" + ", ".join(['"lol"'] * fan) + "]"]
        for i in range(1, levels + 1):
            refs = [f"k{j}: *a{i - 1}" if as_map else f"*a{i - 1}" for j in range(fan)]
            out.append(f"  a{i}: &a{i} " + ("{" + ", ".join(refs) + "}" if as_map else "[" + ", ".join(refs) + "]"))
        total = fan ** (levels + 1)
        return ("\n".join(out) + "\n").encode(), "excessive YAML aliasing" if total > 10 ** 7 else None, None
    return st.builds(build, st.integers(2, 12), st.integers(1, 12), st.booleans(),
                     st.sampled_from(["x-bomb", "x-ecs-unused"]))


def deep_documents():
    """Flow or block nesting, from harmless to far beyond the limit."""
    def build(depth, style):
        if style == "flow-seq":
            body = "x-deep: " + "[" * depth + "]" * depth + "\n"
        elif style == "flow-map":
            body = "x-deep: " + "{a: " * depth + "1" + "}" * depth + "\n"
        elif style == "block-seq":
            body = "x-deep:\n" + "".join("  " * i + "-\n" for i in range(1, depth + 1))
        else:
            body = "x-deep:\n" + "".join("  " * i + "k:\n" for i in range(1, depth + 1))
        return (WEB + body).encode(), "nested more than" if depth > 110 else None, None
    flow = st.builds(build, st.one_of(st.integers(1, 300), st.integers(300, 60_000)),
                     st.sampled_from(["flow-seq", "flow-map"]))
    block = st.builds(build, st.integers(1, 1_500), st.sampled_from(["block-seq", "block-map"]))
    return st.one_of(flow, block)  # block nesting costs indentation: 1,500 levels ≈ 2 MiB


def nested_defaults():
    def build(ops, where_env):
        text = "".join(f"${{A{i}{op}" for i, op in enumerate(ops)) + "x" + "}" * len(ops)
        text = text.replace('"', "")
        expect = "invalid interpolation" if len(ops) > 60 else None
        if where_env:
            return (WEB + f'    environment:\n      X: "{text}"\n').encode(), expect, None
        return f'services:\n  web:\n    image: "{text}"\n'.encode(), expect, None
    return st.builds(build, st.lists(st.sampled_from([":-", "-", ":+", "+"]), min_size=1, max_size=400),
                     st.booleans())


def bad_encodings():
    """A valid file re-encoded, or with random bytes spliced in (a BOM alone is fine)."""
    def build(encoding, junk, position):
        raw = (WEB + "    environment:\n      GREETING: café\n").encode(encoding)
        cut = int(len(raw) * position)
        return raw[:cut] + junk + raw[cut:], None, None
    return st.builds(build, st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"]),
                     st.binary(max_size=8), st.floats(0, 1))


def sized_documents():
    """Documents around the (lowered) size cap: many services, or one long value."""
    def build(size, shape):
        if shape == "services":
            one = "  s{}:\n    image: nginx\n"
            text, i = "services:\n", 0
            while len(text) < size:
                text += one.format(i)
                i += 1
        else:
            text = WEB + "    command: [" + '"' + "x" * size + '"]\n'
        return text.encode(), "is larger than 64 KiB" if len(text) > SMALL_CAP else None, SMALL_CAP
    return st.builds(build, st.integers(0, 2 * SMALL_CAP), st.sampled_from(["services", "value"]))


HOSTILE = st.one_of(alias_bombs(), deep_documents(), nested_defaults(), bad_encodings(), sized_documents())


def _load_bytes(data: bytes, cap) -> str:
    """In the child: load ``data`` from stdin; "ok", "error: <first diagnostic>" or a bug."""
    import io

    from compose2ecs.compose import limits

    if cap:  # only in this forked child
        limits.MAX_INPUT_BYTES = cap
    options = InputOptions(files=("-",), project_name="fuzz", cwd="/")
    try:
        load_inputs(options, environ={}, stdin=io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    except UserError as exc:
        first = str(exc.diagnostics[0]) if exc.diagnostics else ""
        return f"error: {first}" if first.startswith("<stdin>") else f"bug: unlocated error {first!r}"
    except BaseException as exc:  # noqa: BLE001 - the property is "nothing else escapes"
        return f"bug: {type(exc).__name__}: {exc}"[:2000]
    return "ok"


def run_bounded(fn, *args) -> str:
    """``fn(*args)`` in a forked child with RLIMIT_AS and an alarm; its result, or why it died."""
    import os
    import resource
    import signal

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read_end)
            mapped = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
            resource.setrlimit(resource.RLIMIT_AS, (mapped + CHILD_MEMORY, mapped + CHILD_MEMORY))
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.alarm(CHILD_SECONDS)
            result = fn(*args)
        except BaseException as exc:  # noqa: BLE001
            result = f"bug: {type(exc).__name__}"
        os.write(write_end, result.encode("utf-8", "replace"))
        os._exit(0)
    os.close(write_end)
    chunks = []
    while True:
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"bug: killed by signal {sig} ({'time limit' if sig == signal.SIGALRM else 'crash'})"
    return b"".join(chunks).decode("utf-8", "replace")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=HOSTILE)
def test_hostile_documents_fail_cleanly_within_time_and_memory(case):
    data, expected, cap = case
    outcome = run_bounded(_load_bytes, data, cap)
    assert not outcome.startswith("bug"), outcome
    if expected:
        assert outcome.startswith("error") and expected in outcome, outcome
