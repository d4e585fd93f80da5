"""The -o DIR/ bundle: complete, atomic, and never deleting the user's own files."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_cloudformation_support import ensure_taskdef

ensure_taskdef()

from compose2ecs.emit import bundle  # noqa: E402
from compose2ecs.emit.cloudformation import build_templates, dump_template  # noqa: E402
from compose2ecs.pipeline import InputOptions, convert_inputs  # noqa: E402

CASES = Path(__file__).parent / "fixtures" / "cloudformation"


def _inputs(case="secrets"):
    from compose2ecs.emit.taskdef import task_definition_dict
    import json

    conv = convert_inputs(InputOptions(files=(str(CASES / case / "compose.yaml"),), cwd=str(CASES / case)), environ={})
    templates = {n: dump_template(t) for n, t in build_templates(conv.ecs).items()}
    taskdefs = {td.family: json.dumps(task_definition_dict(td), indent=2, sort_keys=True) + "\n"
                for td in conv.ecs.task_definitions}
    return conv, templates, taskdefs


def _write(directory, case="secrets"):
    conv, templates, taskdefs = _inputs(case)
    return conv, bundle.write_bundle(str(directory), conv.project, conv.ecs, conv.findings,
                                     template_files=templates, taskdefs=taskdefs, report="# report\n")


def test_bundle_layout(tmp_path):
    conv, written = _write(tmp_path / "out")
    rel = sorted(os.path.relpath(p, tmp_path / "out") for p in written)
    assert rel == ["README.md", "cloudformation.yaml", "report.md", "taskdefs/secrets-app.json"]
    readme = (tmp_path / "out" / "README.md").read_text()
    assert "aws cloudformation deploy --template-file cloudformation.yaml --stack-name secrets" in readme
    assert "CAPABILITY_IAM" in readme
    assert "VpcId=vpc-" in readme and "Subnets=subnet-" in readme
    assert "put-secret-value" in readme and "SecretDbPasswordArn" in readme
    assert "do-not-leak-9f8e7d" not in "".join(Path(p).read_text() for p in written)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".compose2ecs-")]  # staging removed


def test_big_template_readme_uses_s3(tmp_path):
    conv, templates, taskdefs = _inputs("single-public-ip")
    templates["cloudformation.yaml"] += "#" * 60_000 + "\n"
    bundle.write_bundle(str(tmp_path / "b"), conv.project, conv.ecs, conv.findings,
                        template_files=templates, taskdefs=taskdefs, report="")
    readme = (tmp_path / "b" / "README.md").read_text()
    assert "aws cloudformation package" in readme and "--s3-bucket YOUR_BUCKET" in readme


def test_existing_directory_keeps_user_files(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "report.md").write_text("old report")
    _write(out)
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "report.md").read_text() == "# report\n"


def test_failure_leaves_nothing_half_written(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.md").write_text("old report")
    real_replace = os.replace

    def exploding_open(*args, **kwargs):
        raise OSError("disk full")

    conv, templates, taskdefs = _inputs()
    monkeypatch.setattr("builtins.open", exploding_open)
    with pytest.raises(OSError):
        bundle.write_bundle(str(out), conv.project, conv.ecs, conv.findings,
                            template_files=templates, taskdefs=taskdefs, report="new")
    monkeypatch.undo()
    assert os.replace is real_replace
    assert sorted(os.listdir(out)) == ["report.md"]
    assert (out / "report.md").read_text() == "old report"
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".compose2ecs-")]


def test_refuses_paths_outside_the_bundle(tmp_path):
    conv, templates, taskdefs = _inputs()
    with pytest.raises(ValueError):
        bundle.write_bundle(str(tmp_path / "o"), conv.project, conv.ecs, conv.findings,
                            template_files={"../evil.yaml": "x"}, taskdefs={}, report="")
    assert not (tmp_path / "evil.yaml").exists()


def test_parameters_section_equals_a_full_parse():
    import json

    import yaml

    _, templates, _ = _inputs("secrets")
    text = templates["cloudformation.yaml"]
    full = yaml.safe_load(text)["Parameters"]
    assert full and bundle.parameters_section(text) == full
    assert bundle.parameters_section(json.dumps(yaml.safe_load(text))) == full
    pyyaml_text = yaml.safe_dump({"Parameters": full, "Resources": {"A": {"Type": "T"}}}, width=20)
    assert bundle.parameters_section(pyyaml_text) == full  # other layouts: full parse fallback
    assert bundle.parameters_section("Resources:\n  A:\n    Type: T\n") == {}
