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

    def read(self):
        return self.text


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
