"""Empty or garbage AWS responses and bad endpoint URLs (issue 17 item 13): one AWS error line and
exit 4 (bad URL: one located error, exit 2), never an internal error. A tiny HTTP server on
127.0.0.1 answers every request with the same body; the CLI reaches it through --endpoint-url."""
from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compose2ecs import cli_aws
from compose2ecs.cli import app
from tests.aws_fixtures import aws_env  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
BODIES = {
    "empty": b"",
    "binary": b"\x00\xff\xfe<<not json",
    "empty-json": b"{}",
    "html": b"<html><body>502 Bad Gateway</body></html>",
}


@pytest.fixture
def garbage_server(request):
    """http://127.0.0.1:PORT answering 200 with ``BODIES[request.param]`` to everything."""
    body = BODIES[request.param]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def run(tmp_path, *args):
    (tmp_path / "compose.yaml").write_text("services:\n  web: {image: nginx, ports: ['80:80']}\n")
    old = os.getcwd()
    try:
        os.chdir(tmp_path)
        return CliRunner().invoke(app, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def assert_one_aws_line(result, command):
    assert result.exit_code == 4, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {command}: MalformedResponse: "), lines[0]
    assert "--endpoint-url" in lines[0]
    assert "internal error" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("garbage_server", sorted(BODIES), indirect=True)
@pytest.mark.parametrize("command", [("status", "-p", "demo"), ("down", "-p", "demo", "--yes"),
                                     ("plan",), ("deploy",)], ids=lambda c: c[0])
def test_garbage_responses_are_one_aws_error_line(aws_env, garbage_server, tmp_path, command):  # noqa: F811
    result = run(tmp_path, *command, "--endpoint-url", garbage_server, "--region", "us-east-1")
    assert_one_aws_line(result, command[0])


@pytest.mark.parametrize("garbage_server", ["binary"], indirect=True)
def test_not_utf8_says_so(aws_env, garbage_server, tmp_path):  # noqa: F811
    result = run(tmp_path, "status", "-p", "demo", "--endpoint-url", garbage_server)
    assert "not UTF-8 text" in result.stderr


@pytest.mark.parametrize("garbage_server", ["empty"], indirect=True)
def test_unparseable_xml_is_one_line(aws_env, garbage_server, tmp_path):  # noqa: F811
    result = run(tmp_path, "down", "-p", "demo", "--yes", "--endpoint-url", garbage_server)
    assert "could not be parsed (Unable to parse response" in result.stderr
    assert "b''" not in result.stderr  # botocore's multi-line dump of the body is not repeated


class EmptyClient:
    """A boto3 client stand-in whose every call answers {} (an empty JSON body)."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args, **kwargs):
            self.calls.append(name)
            return EmptyPaginator() if name == "get_paginator" else {}
        return call


class EmptyPaginator:
    def paginate(self, **kwargs):
        return iter([{}])


class EmptyClients:
    def __init__(self):
        self.made = {}
        self.region = "us-east-1"

    def endpoint_url(self):
        return None

    def client(self, name):
        return self.made.setdefault(name, EmptyClient())

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.client(name)


def test_empty_dict_responses_are_an_aws_error_not_a_key_error(aws_env, tmp_path, monkeypatch):  # noqa: F811
    fake = EmptyClients()
    monkeypatch.setattr(cli_aws, "make_clients", lambda *a, **k: fake)
    result = run(tmp_path, "status", "-p", "demo")
    assert_one_aws_line(result, "status")
    assert "has no 'clusterArns' field" in result.stderr
    assert fake.made["ecs"].calls  # the fake was really asked


def test_a_key_error_in_the_lowering_stays_an_internal_error(monkeypatch):
    """Only KeyErrors from botocore or compose2ecs/aws count as a bad response."""
    from compose2ecs.aws.errors import unreadable_response

    try:
        {}["clusterArns"]
    except KeyError as error:
        assert unreadable_response(error, "status") is None


@pytest.mark.parametrize("url", ["not a url", "ftp://host", "http://", "localhost:4566", "http://h:99999"])
def test_bad_endpoint_url_is_a_user_error(aws_env, tmp_path, url):  # noqa: F811
    result = run(tmp_path, "status", "-p", "demo", "--endpoint-url", url)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"--endpoint-url: error: {url!r} is not an endpoint URL")
    assert "internal error" not in result.output


def test_bad_aws_endpoint_url_variable_names_the_variable(aws_env, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("AWS_ENDPOINT_URL", "not a url")
    result = run(tmp_path, "deploy")
    assert result.exit_code == 2, result.output
    assert "--endpoint-url: error: 'not a url' is not an endpoint URL" in result.stderr  # typer reads the variable as the option


@pytest.mark.parametrize("garbage_server", ["empty-json"], indirect=True)
def test_a_separate_process_gets_the_same_line(aws_env, garbage_server, tmp_path):  # noqa: F811
    """As the issue reproduced it: `compose2ecs status` in its own process."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("COMPOSE2ECS_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "compose2ecs.cli", "status", "-p", "demo", "--endpoint-url",
                           garbage_server], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 4, done.stderr
    assert done.stderr.strip().startswith("error: status: MalformedResponse:")
