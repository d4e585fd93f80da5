"""`deploy` without --via (issue 11 item 2): the api path, unless the project needs what only
the CloudFormation path creates (a load balancer, autoscaling, a task role); then it deploys
the stack by itself and says so in one line. Against moto."""
from __future__ import annotations

import io

import pytest

from compose2ecs.aws.commands import run_deploy
from compose2ecs.aws.progress import PlainProgress
from compose2ecs.aws.session import CallRecorder
from compose2ecs.aws.via import choose_via, stack_only_needs
from compose2ecs.errors import AwsError
from compose2ecs.pipeline import InputOptions, convert_inputs
from tests.aws_fixtures import FakeClock, aws_env, make_clients, moto, renderer  # noqa: F401

COMPOSE = """
name: site
services:
  web:
    image: nginx:1.27
    ports: ["80:80"]
x-ecs:
  load_balancer: alb
"""


def lowered(tmp_path, text=COMPOSE):
    (tmp_path / "compose.yaml").write_text(text)
    return convert_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path)),
                          environ={"AWS_REGION": "us-east-1"}).ecs


def deploy(project, clients, via=None, capsys=None):
    clock, out = FakeClock(), io.StringIO()
    result = run_deploy(project, clients, PlainProgress(out, clock), via=via, confirm=lambda _t: True,
                        sleep=clock.sleep, clock=clock, render=renderer())
    return result, out.getvalue()


def test_a_load_balanced_project_deploys_through_cloudformation_and_says_so(tmp_path, moto, capsys):
    recorder = CallRecorder()
    clients = make_clients(recorder)
    project = lowered(tmp_path)
    assert stack_only_needs(project) == ["load balancer (web)"]
    _result, progress = deploy(project, clients)
    notes = [line for line in progress.splitlines() if "--via cloudformation" in line]
    assert len(notes) == 1 and "load balancer (web)" in notes[0]
    assert ("cloudformation", "CreateChangeSet") in recorder.calls
    assert ("ecs", "CreateService") not in recorder.calls  # not half on the api path
    stack = clients.cloudformation.describe_stacks(StackName="site")["Stacks"][0]
    assert {"Key": "compose2ecs:project", "Value": "site"} in stack["Tags"]


def test_explicit_via_api_still_refuses_load_balancers(tmp_path, moto):
    clients = make_clients()
    with pytest.raises(AwsError) as caught:
        deploy(lowered(tmp_path), clients, via="api")
    assert "does not create load balancers" in str(caught.value)


def test_a_plain_project_stays_on_the_api_path(tmp_path):
    text = COMPOSE.replace("x-ecs:\n  load_balancer: alb\n", "")
    assert choose_via(lowered(tmp_path, text), None) == ("api", "")
    assert choose_via(lowered(tmp_path, text), "cloudformation") == ("cloudformation", "")
