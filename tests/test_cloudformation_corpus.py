"""Every corpus project that converts yields a template cfn-lint accepts (zero errors, zero
warnings outside the allow-list) and within CloudFormation's limits; the largest one is a
golden (only the output is stored, the input stays in the read-only corpus)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from compose2ecs.errors import UserError
from tests.conftest import CORPUS, corpus_dir
from tests.golden import check_golden
from tests.test_cloudformation_support import ensure_taskdef, lint

ensure_taskdef()

from compose2ecs.emit.cfn.split import problems  # noqa: E402
from compose2ecs.emit.cloudformation import build_templates, dump_template  # noqa: E402
from compose2ecs.pipeline import InputOptions, convert_inputs  # noqa: E402

LARGEST = ("real", "sentry-self-hosted", "docker-compose.yml")
GOLDEN = Path(__file__).parent / "fixtures" / "cloudformation" / "corpus-sentry-self-hosted" / "cloudformation.yaml"


def corpus_files() -> list:
    if not CORPUS.exists():
        return []
    patterns = ("awesome-compose/*/compose.y*ml", "real/*.y*ml", "real/*/docker-compose.y*ml", "real/*/compose.y*ml")
    return sorted({str(p.relative_to(CORPUS)) for pattern in patterns for p in CORPUS.glob(pattern)})


def _convert(path: Path):
    try:
        return convert_inputs(InputOptions(files=(str(path),), cwd=str(path.parent)), environ={})
    except UserError as err:  # the front-end rejects some corpus files on purpose
        pytest.skip(f"front-end rejects {path.name}: {str(err).splitlines()[0][:120]}")


@pytest.mark.parametrize("name", corpus_files() or ["<corpus absent>"])
def test_corpus_template_lints_clean(name):
    path = corpus_dir(name)
    files = build_templates(_convert(path).ecs)
    for file_name, template in files.items():
        assert problems(template) == [], file_name
        assert lint(dump_template(template)) == [], file_name


def test_largest_corpus_project_golden(update_golden):
    path = corpus_dir(*LARGEST)
    files = build_templates(_convert(path).ecs)
    assert list(files) == ["cloudformation.yaml"]  # 57 services still fit one template
    text = dump_template(files["cloudformation.yaml"])
    assert str(CORPUS) not in text and os.getcwd() not in text  # no machine paths
    check_golden(GOLDEN, text, update_golden)
