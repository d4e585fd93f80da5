"""The boto3 deployer's CreateService input and the CloudFormation service resource agree on
every part they share (design.md §1: if two emitters disagree, the design is broken)."""
from __future__ import annotations

import pytest

from tests.test_cloudformation_support import container, ensure_taskdef, project, service, task

ensure_taskdef()

from compose2ecs.aws.plan import Live  # noqa: E402
from compose2ecs.aws.services import create_input, update_input  # noqa: E402
from compose2ecs.emit.casing import to_cloudformation  # noqa: E402
from compose2ecs.emit.cloudformation import build_template  # noqa: E402

SHARED = {"deploymentConfiguration": "DeploymentConfiguration", "launchType": "LaunchType",
          "capacityProviderStrategy": "CapacityProviderStrategy", "desiredCount": "DesiredCount",
          "platformVersion": "PlatformVersion", "propagateTags": "PropagateTags"}

CASES = {
    "defaults": {},
    "update_config": {"minimum_healthy_percent": 50, "maximum_percent": 150},
    "no circuit breaker": {"circuit_breaker": False},
    "fargate spot": {"launch_type": None, "capacity_provider_strategy": (("FARGATE_SPOT", 1, 0),)},
    "ec2 and a platform": {"launch_type": "EC2", "platform_version": "1.4.0", "desired_count": 3},
}


@pytest.mark.parametrize("settings", CASES.values(), ids=list(CASES))
def test_api_and_template_agree(settings):
    svc = service("web", **settings)
    ecs = project([svc], [task("web", container("web", "nginx", (80,)))])
    resource = build_template(ecs)["Resources"]["WebService"]["Properties"]
    api = create_input(ecs, svc, Live(subnets=["subnet-1"]), "arn:td", [])
    for api_key, cfn_key in SHARED.items():
        assert (api_key in api) == (cfn_key in resource), api_key
        if api_key in api:
            assert to_cloudformation({api_key: api[api_key]})[cfn_key] == resource[cfn_key], api_key


def test_an_update_says_the_breaker_is_off():
    svc = service("web", circuit_breaker=False)
    ecs = project([svc], [task("web", container("web", "nginx", (80,)))])
    config = update_input(ecs, svc, Live(subnets=["subnet-1"]), "arn:td")["deploymentConfiguration"]
    assert config["deploymentCircuitBreaker"] == {"enable": False, "rollback": True}
    assert (config["minimumHealthyPercent"], config["maximumPercent"]) == (100, 200)
