"""`docker run` lines copied from documentation (issue 10 item 10): ``<placeholder>`` and
``$(command)`` values stay visible as placeholders with a located finding, deploy refuses them,
and relative bind sources stay relative."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from compose2ecs.compose.source import plain
from compose2ecs.dockerrun import to_compose
from compose2ecs.ecs.lower import LowerOptions, lower
from compose2ecs.errors import UserError
from compose2ecs.pipeline import InputOptions, load_inputs
from tests.aws_fixtures import aws_env, make_clients, moto, moto_server, renderer  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
README = ('docker run -d --name app -e TZ="<timezone>" -e PUID=$(id -u) '
          '-v <path/to/config>:/config --mount type=bind,source=./logs,target=/logs '
          'lscr.io/linuxserver/app')
TZ, UID, CONF = (README.index(t) + 1 for t in ("<timezone>", "$(id -u)", "<path/to/config>"))


def _ecs(tmp_path, text=README, files=()):
    loaded = load_inputs(InputOptions(docker_run=(text,) if text else (), files=files,
                                      cwd=str(tmp_path)), {})
    return lower(loaded.project, LowerOptions(region="us-east-1"), {})


def test_placeholders_stay_in_the_service_with_a_finding_at_their_argv_position():
    doc, findings = to_compose([(README, "<t>")], cwd="/work")
    service = plain(doc)["services"]["app"]
    assert service["environment"] == {"TZ": "<timezone>", "PUID": "$$(id -u)"}
    assert {"type": "bind", "source": "<path/to/config>", "target": "/config"} in service["volumes"]
    held = {str(f.location): f.message for f in findings if "placeholder" in f.message}
    assert held == {
        f"<t>:1:{TZ}: docker run[0].-e": "<timezone> is a placeholder copied from documentation; kept as "
                                      "it is (deploy refuses it)",
        f"<t>:1:{UID}: docker run[0].-e": "$(id -u) is a placeholder copied from documentation; kept as "
                                      "it is (deploy refuses it)",
        f"<t>:1:{CONF}: docker run[0].-v": "<path/to/config> is a placeholder copied from documentation; "
                                      "kept as it is (deploy refuses it)"}
    assert plain(doc)["x-ecs"]["placeholders"] == {
        "<timezone>": f"the -e value at <t>:1:{TZ}", "$(id -u)": f"the -e value at <t>:1:{UID}",
        "<path/to/config>": f"the -v value at <t>:1:{CONF}"}


def test_lowering_lists_the_placeholders_a_task_definition_still_holds(tmp_path):
    ecs = _ecs(tmp_path)
    # the bind mount is dropped on ECS, so its placeholder needs no value
    assert {p.value: p.what for p in ecs.placeholders} == {
        "$(id -u)": f"the -e value at --docker-run[0]:1:{UID}",
        "<timezone>": f"the -e value at --docker-run[0]:1:{TZ}"}


def test_a_compose_file_may_declare_its_own_placeholders(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "services:\n  app:\n    image: nginx\n    environment: {TZ: <timezone>, B: <other>}\n"
        "x-ecs:\n  placeholders: {<timezone>: the time zone, <unused>: nothing}\n")
    ecs = _ecs(tmp_path, text="", files=(str(tmp_path / "compose.yaml"),))
    assert [(p.value, p.what) for p in ecs.placeholders] == [("<timezone>", "the time zone")]


def test_html_inside_a_quoted_command_is_not_a_placeholder():
    doc, findings = to_compose([('docker run img sh -c "echo <b>hi</b>" "<b>x"', "<t>")], cwd="/w")
    assert "x-ecs" not in doc and not [f for f in findings if "placeholder" in f.message]


def test_a_value_that_must_parse_says_it_holds_a_placeholder():
    with pytest.raises(UserError) as caught:
        to_compose([("docker run -p <host-port>:80 img", "<t>")], cwd="/w")
    (diag,) = caught.value.diagnostics
    assert str(diag.location) == "<t>:1:15: docker run[0].-p"
    assert diag.hint.endswith("<host-port> is a placeholder from documentation: replace it with a real value")


def test_relative_bind_sources_stay_relative(tmp_path):
    text = ("docker run --mount type=bind,source=./logs,target=/logs -v $(pwd)/conf:/conf "
            "--mount type=bind,src=$(pwd),dst=/w -v ../up:/up img")
    loaded = load_inputs(InputOptions(docker_run=(text,), cwd=str(tmp_path)), {"PWD": str(tmp_path)})
    (service,) = loaded.project.services
    assert [(v.source, v.target) for v in service.volumes] == [
        ("./logs", "/logs"), ("./conf", "/conf"), (".", "/w"), ("../up", "/up")]
    ecs = lower(loaded.project, LowerOptions(region="us-east-1"), {})
    assert not [f for f in ecs.findings if str(tmp_path) in f.message]


def _cli(cwd, *args, endpoint=None):
    env = dict(os.environ, PYTHONPATH=str(REPO), CI="true")
    extra = ["--endpoint-url", endpoint, "--region", "us-east-1"] if endpoint else []
    return subprocess.run([sys.executable, "-m", "compose2ecs.cli", *args, *extra], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_convert_to_compose_keeps_them_visible_and_carries_no_local_path(tmp_path):
    done = _cli(tmp_path, "convert", "--docker-run", README, "--format", "compose")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for text in ("TZ: <timezone>", "PUID: $$(id -u)", "source: <path/to/config>", "source: ./logs",
                 "x-ecs:", "  placeholders:"):
        assert text in out
    assert str(tmp_path) not in out
    # and the file says the same when converted again: the placeholders are still known
    (tmp_path / "compose.yaml").write_text(out)
    again = _ecs(tmp_path, text="", files=(str(tmp_path / "compose.yaml"),))
    assert sorted(p.value for p in again.placeholders) == ["$(id -u)", "<timezone>"]


def test_deploy_plan_refuses_them_before_any_change(moto, tmp_path):
    from compose2ecs.aws.plan import make_plan
    from compose2ecs.aws.session import CallRecorder

    recorder = CallRecorder()
    with pytest.raises(UserError) as caught:
        make_plan(_ecs(tmp_path), make_clients(recorder), renderer())
    assert recorder.mutating() == []
    message = str(caught.value)
    assert "still the placeholder" in message and "deploy needs the real value" in message
    assert "the -e value at --docker-run[0]:1:" in message


def test_deploy_command_exits_2_naming_the_placeholder(moto_server, tmp_path):
    done = _cli(tmp_path, "deploy", "--docker-run", README, endpoint=moto_server)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "is still the placeholder" in done.stderr and "Traceback" not in done.stderr
    assert "deploy needs the real value" in done.stderr


def test_deploy_via_cloudformation_refuses_them_before_any_call(moto, tmp_path):
    from compose2ecs.aws import commands
    from compose2ecs.aws.progress import NullProgress
    from compose2ecs.aws.session import CallRecorder

    recorder = CallRecorder()
    with pytest.raises(UserError) as caught:
        commands._deploy_stack(_ecs(tmp_path), make_clients(recorder), NullProgress(), False, False, None, 60,
                               lambda s: None, lambda: 0.0)
    assert recorder.calls == []
    (diag,) = caught.value.diagnostics
    assert str(diag.location).startswith("stack parameter.")
    assert diag.message.endswith("is still the placeholder $(id -u); deploy needs the real value")
