"""End-to-end behaviour of the command line, as a user sees it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from compose2ecs.cli import app

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


def run(*args, cwd=None, input=None, env=None):
    runner = CliRunner()
    old = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        return runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


def test_importing_the_cli_does_not_load_boto3():
    code = "import compose2ecs.cli, sys; print('boto3' in sys.modules, 'botocore' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         check=True).stdout.strip()
    assert out == "False False"


def test_help_lists_the_commands():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("config", "convert"):
        assert command in result.output


def test_config_of_the_hello_example_is_resolved_long_syntax():
    result = run("config", "-f", str(EXAMPLES / "hello" / "compose.yaml"))
    assert result.exit_code == 0, result.output
    assert "name: hello" in result.stdout
    assert "target: 80" in result.stdout


def test_config_output_reloads_to_the_same_text(tmp_path):
    first = run("config", "-f", str(EXAMPLES / "webapp" / "compose.yaml"))
    assert first.exit_code == 0, first.output
    again_file = tmp_path / "compose.yaml"
    again_file.write_text(first.stdout)
    second = run("config", "-f", str(again_file), "-p", "webapp")
    assert second.exit_code == 0, second.output
    assert second.stdout == first.stdout


def test_config_reads_stdin():
    result = run("config", "-f", "-", "-p", "piped", input="services:\n  a:\n    image: busybox\n")
    assert result.exit_code == 0, result.output
    assert "image: busybox" in result.stdout


def test_bad_yaml_is_one_located_error_and_exit_2(tmp_path):
    bad = tmp_path / "compose.yaml"
    bad.write_text("services:\n  web:\n    image: [nginx\n")
    result = run("config", "-f", str(bad))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "compose.yaml:" in result.stderr and "YAML syntax error" in result.stderr


def test_missing_required_variable_names_variable_file_and_line(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: app:${TAG:?set TAG}\n")
    result = run("config", "-f", str(tmp_path / "compose.yaml"), env={"TAG": None})
    assert result.exit_code == 2
    assert "compose.yaml:3:" in result.stderr and "TAG" in result.stderr


def test_convert_taskdef_of_hello_is_the_bare_object_cli_input_json_takes():
    result = run("convert", "-f", str(EXAMPLES / "hello" / "compose.yaml"), "--region", "us-east-1")
    assert result.exit_code == 0, result.output
    td = json.loads(result.stdout)
    assert td["family"] == "hello-web"
    assert td["requiresCompatibilities"] == ["FARGATE"]
    assert td["containerDefinitions"][0]["portMappings"][0]["containerPort"] == 80


def test_convert_taskdef_of_several_to_stdout_is_a_json_array():
    result = run("convert", "-f", str(EXAMPLES / "webapp" / "compose.yaml"), "--region", "us-east-1")
    assert result.exit_code == 0, result.output
    tds = json.loads(result.stdout)
    assert [td["family"] for td in tds] == ["webapp-cache", "webapp-db", "webapp-web", "webapp-worker"]


def test_convert_is_byte_identical_across_runs():
    args = ("convert", "-f", str(EXAMPLES / "webapp" / "compose.yaml"), "--region", "eu-west-1")
    assert run(*args).stdout == run(*args).stdout


def test_convert_taskdef_to_directory_writes_one_file_per_family(tmp_path):
    out = tmp_path / "tds"
    result = run("convert", "-f", str(EXAMPLES / "webapp" / "compose.yaml"), "-o", str(out),
                 "--region", "us-east-1")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "webapp-cache.json", "webapp-db.json", "webapp-web.json", "webapp-worker.json"]
    doc = json.loads((out / "webapp-web.json").read_text())
    assert doc["family"] == "webapp-web"


def test_strict_fails_with_exit_3_when_something_is_lossy():
    # webapp sizes its tasks between Fargate sizes: rounding them up is a lossy conversion.
    result = run("convert", "-f", str(EXAMPLES / "webapp" / "compose.yaml"), "--strict",
                 "--region", "us-east-1")
    assert result.exit_code == 3
    assert "lossy" in result.stderr


def test_unknown_format_is_an_input_error():
    result = run("convert", "-f", str(EXAMPLES / "hello" / "compose.yaml"), "--format", "helm")
    assert result.exit_code == 2
    assert "'helm' is not one of" in result.stderr


def test_bad_image_pair_is_an_input_error():
    result = run("convert", "-f", str(EXAMPLES / "hello" / "compose.yaml"), "--image", "web")
    assert result.exit_code == 2
    assert "is not NAME=VALUE" in result.stderr


def test_an_empty_compose_file_is_named_in_the_error(tmp_path):
    empty = tmp_path / "compose.yaml"
    empty.write_text("# nothing here yet\n")
    result = run("config", "-f", str(empty))
    assert result.exit_code == 2
    assert "compose.yaml: error: the compose file is empty" in result.stderr


def test_docker_run_to_compose_reloads_to_the_identical_model(tmp_path):
    from compose2ecs.pipeline import InputOptions, load_inputs

    line = ("docker run -d --name api -p 8080:80 -e MODE=prod -v data:/var/lib/data:ro "
            "--memory 512m --cpus 0.5 --restart unless-stopped --health-cmd 'curl -f localhost' "
            "example/api:1.2 serve --port 80")
    result = run("convert", "--docker-run", line, "--format", "compose")
    assert result.exit_code == 0, result.output
    assert "version:" not in result.stdout and "name:" not in result.stdout.split("services:")[0]
    compose_file = tmp_path / "compose.yaml"
    compose_file.write_text(result.stdout)
    from_file = load_inputs(InputOptions(files=(str(compose_file),), project_name="p"), environ={})
    direct = load_inputs(InputOptions(docker_run=(line,), project_name="p", cwd=str(tmp_path)),
                         environ={})
    strip = lambda project: [(s.name, s.image, s.command, s.ports[0].target, s.ports[0].published,
                              s.environment, s.deploy.resources.memory_limit, s.restart,
                              s.healthcheck.test, [(v.source, v.target, v.read_only) for v in s.volumes])
                             for s in project.services]
    assert strip(from_file.project) == strip(direct.project)


def test_a_valid_project_loads_without_importing_jsonschema():
    # jsonschema is only needed to explain an invalid file; importing it costs more than
    # loading a typical project.
    code = ("import sys; from compose2ecs.pipeline import InputOptions, load_inputs; "
            "load_inputs(InputOptions(files=('examples/webapp/compose.yaml',)), {}); "
            "print('jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         check=True).stdout.strip()
    assert out == "False"


def test_config_escapes_dollars_so_the_output_reloads_to_the_same_values(tmp_path):
    (tmp_path / ".env").write_text("C='single $A not expanded'\nA=OTHER\n")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: x\n    environment:\n      C: ${C}\n      D: \"$$HOME\"\n")
    first = run("config", cwd=tmp_path, env={"HOME": "/root"})
    assert first.exit_code == 0, first.output
    assert "C: single $$A not expanded" in first.stdout and "D: $$HOME" in first.stdout
    again = tmp_path / "again"
    again.mkdir()
    (again / "compose.yaml").write_text(first.stdout)
    second = run("config", cwd=again, env={"HOME": "/root"})
    assert second.stdout == first.stdout


def test_compose_file_may_come_from_the_dotenv_file(tmp_path):
    (tmp_path / ".env").write_text("COMPOSE_FILE=main.yaml:extra.yaml\n")
    (tmp_path / "main.yaml").write_text("services:\n  a: {image: x}\n")
    (tmp_path / "extra.yaml").write_text("services:\n  b: {image: y}\n")
    (tmp_path / "compose.yaml").write_text("services:\n  c: {image: z}\n")
    result = run("config", cwd=tmp_path, env={"COMPOSE_FILE": None})
    assert result.exit_code == 0, result.output
    assert "  a:" in result.stdout and "  b:" in result.stdout and "  c:" not in result.stdout


def test_include_cycle_names_both_files_and_the_include_entry(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "compose.yaml").write_text("include: [lib/compose.yaml]\nservices:\n  a: {image: x}\n")
    (tmp_path / "lib" / "compose.yaml").write_text("include: [../compose.yaml]\nservices:\n  b: {image: x}\n")
    result = run("config", cwd=tmp_path)
    assert result.exit_code == 2
    assert "lib/compose.yaml:1:11: include[0]: error: include cycle: " \
           "compose.yaml → lib/compose.yaml → compose.yaml" in result.stderr
