"""The boto3 deployer's CreateService input and the CloudFormation service resource agree on
every part they share (design.md §1: if two emitters disagree, the design is broken).

Both come from one builder (emit/service.py service_body); the corpus test resolves each template
reference (Ref Subnets, the cluster's Fn::If, the AssignPublicIp parameter's default, …) to the
live value the deployer would hold and then compares the two field by field."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from compose2ecs.errors import UserError
from tests.conftest import corpus_dir
from tests.test_cloudformation_corpus import corpus_files
from tests.test_cloudformation_support import container, ensure_taskdef, project, service, task

ensure_taskdef()

from compose2ecs.aws.plan import Live  # noqa: E402
from compose2ecs.aws.services import create_input, update_input  # noqa: E402
from compose2ecs.emit.casing import to_cloudformation  # noqa: E402
from compose2ecs.emit.cloudformation import build_template  # noqa: E402
from compose2ecs.emit.service import SENDS, sent  # noqa: E402
from compose2ecs.pipeline import InputOptions, convert_inputs  # noqa: E402

SHARED = {"deploymentConfiguration": "DeploymentConfiguration", "launchType": "LaunchType",
          "capacityProviderStrategy": "CapacityProviderStrategy", "desiredCount": "DesiredCount",
          "platformVersion": "PlatformVersion", "propagateTags": "PropagateTags", "tags": "Tags",
          "enableExecuteCommand": "EnableExecuteCommand"}

CASES = {
    "defaults": {},
    "update_config": {"minimum_healthy_percent": 50, "maximum_percent": 150},
    "no circuit breaker": {"circuit_breaker": False},
    "fargate spot": {"launch_type": None, "capacity_provider_strategy": (("FARGATE_SPOT", 1, 0),)},
    "ec2 and a platform": {"launch_type": "EC2", "platform_version": "1.4.0", "desired_count": 3},
    # the deployer used to tag a service with the project's tags only, the template with its own too
    "service tags": {"tags": (("team", "payments"), ("tier", "web"))},
    "exec": {"enable_execute_command": True},
}


@pytest.mark.parametrize("settings", CASES.values(), ids=list(CASES))
def test_api_and_template_agree(settings):
    svc = service("web", **settings)
    ecs = project([svc], [task("web", container("web", "nginx", (80,)))])
    resource = build_template(ecs)["Resources"]["WebService"]["Properties"]
    api = create_input(ecs, svc, Live(subnets=["subnet-1"]), "arn:td", [])
    api = sent(api, "cloudformation")
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


# --- every corpus project: the template's service is the deployer's CreateService, re-cased ----

NAMESPACE_ARN = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-corpus"
TASK_DEFINITION_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/corpus:1"
# The api deploy refuses projects with load balancers (aws/plan.py: deploy them --via
# cloudformation), so only the template has target groups: these two fields are compared only
# for services without one.
TEMPLATE_ONLY_WITH_LOAD_BALANCER = ("LoadBalancers", "HealthCheckGracePeriodSeconds")


def _live(ecs) -> Live:
    return Live(subnets=["subnet-a", "subnet-b"], default_vpc=True,
                group_ids={s.name: f"sg-{s.name}" for s in ecs.services},
                namespace_arn=NAMESPACE_ARN if any(s.service_connect for s in ecs.services) else "")


def _resolver(ecs, template: dict, service, live: Live):
    """Template reference → the value the deployer holds for it (None: not a known reference)."""
    params = template.get("Parameters", {})
    resources = template["Resources"]

    def resolve(value):
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if value == {"Fn::If": ["CreateCluster", {"Ref": "Cluster"}, {"Ref": "ExistingClusterName"}]}:
            return ecs.cluster.name
        if set(value) == {"Ref"}:
            name = value["Ref"]
            if resources.get(name, {}).get("Type") == "AWS::ECS::TaskDefinition":
                return TASK_DEFINITION_ARN
            if name == "Subnets":
                return list(live.subnets)
            if name == "PublicIpForPulls":
                return "ENABLED" if live.default_vpc else "DISABLED"
            if name in params and "Default" in params[name]:
                return params[name]["Default"]  # AssignPublicIp: what x-ecs decided
            return value
        if set(value) == {"Fn::GetAtt"}:
            target, attribute = value["Fn::GetAtt"]
            kind = resources.get(target, {}).get("Type")
            if kind == "AWS::EC2::SecurityGroup" and attribute == "GroupId":
                return f"<security group {target}>"
            if kind == "AWS::ServiceDiscovery::HttpNamespace":
                return NAMESPACE_ARN
        return {k: resolve(v) for k, v in value.items()}

    return resolve


def _convert(path: Path):
    try:
        return convert_inputs(InputOptions(files=(str(path),), cwd=str(path.parent)), environ={})
    except UserError as err:  # the front-end rejects some corpus files on purpose
        pytest.skip(f"front-end rejects {path.name}: {str(err).splitlines()[0][:120]}")


def _differences(ecs, template: dict, service, live: Live) -> list:
    rid = next(r for r, body in template["Resources"].items()
               if body["Type"] == "AWS::ECS::Service" and body["Properties"]["ServiceName"] == service.name)
    cfn = _resolver(ecs, template, service, live)(template["Resources"][rid]["Properties"])
    api = to_cloudformation(sent(create_input(ecs, service, live, TASK_DEFINITION_ARN), "cloudformation"))
    # Security groups are a world value of two shapes (docs/architecture.md, "Known differences"):
    # the deployer gives a service one group whose rules name its peers' groups; the template gives
    # it its own group, then one membership group per compose network it shares. The service's own
    # group must come first, any other must be a network membership group.
    vpc = cfn["NetworkConfiguration"]["AwsvpcConfiguration"]
    own, *memberships = vpc["SecurityGroups"]
    if own.startswith("<security group") and not own.startswith("<security group Network") and all(
            m.startswith("<security group Network") for m in memberships):
        vpc["SecurityGroups"] = [live.group_ids[service.name]]
    if service.load_balancer:
        for key in TEMPLATE_ONLY_WITH_LOAD_BALANCER:
            cfn.pop(key, None), api.pop(key, None)
    out = [f"{key}: only in the template" for key in sorted(set(cfn) - set(api))]
    out += [f"{key}: only in CreateService" for key in sorted(set(api) - set(cfn))]
    out += [f"{key}: template {json.dumps(cfn[key], sort_keys=True)} != api {json.dumps(api[key], sort_keys=True)}"
            for key in sorted(set(cfn) & set(api)) if cfn[key] != api[key]]
    return out


@pytest.mark.parametrize("name", corpus_files() or ["<corpus absent>"])
def test_the_back_ends_agree_field_by_field_on_every_corpus_project(name):
    ecs = _convert(corpus_dir(name)).ecs
    template, live = build_template(ecs), _live(ecs)
    services = [s for s in ecs.services if not s.job]  # a one-shot job has no ECS service in either
    problems = {s.name: d for s in services if (d := _differences(ecs, template, s, live))}
    assert problems == {}


def test_the_comparison_sees_a_difference():
    svc = service("web")
    ecs = project([svc], [task("web", container("web", "nginx", (80,)))])
    template, live = build_template(ecs), _live(ecs)
    assert _differences(ecs, template, svc, live) == []
    template["Resources"]["WebService"]["Properties"]["DesiredCount"] = 7
    template["Resources"]["WebService"]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"][
        "AssignPublicIp"] = "DISABLED"
    assert _differences(ecs, template, svc, live) == [
        "DesiredCount: template 7 != api 1",
        'NetworkConfiguration: template {"AwsvpcConfiguration": {"AssignPublicIp": "DISABLED", "SecurityGroups": '
        '["sg-web"], "Subnets": ["subnet-a", "subnet-b"]}} != api {"AwsvpcConfiguration": {"AssignPublicIp": '
        '"ENABLED", "SecurityGroups": ["sg-web"], "Subnets": ["subnet-a", "subnet-b"]}}']


def test_an_update_is_the_create_less_what_an_update_keeps():
    svc = service("web", enable_execute_command=False)
    ecs = project([svc], [task("web", container("web", "nginx", (80,)))])
    live = _live(ecs)
    create = create_input(ecs, svc, live, TASK_DEFINITION_ARN)
    update = update_input(ecs, svc, live, TASK_DEFINITION_ARN)
    assert update["service"] == create["serviceName"] == "web"
    assert update["enableExecuteCommand"] is False  # explicit: an update turns exec off again
    kept = set(SENDS["update"].drop) | {"serviceName"}
    assert {k: v for k, v in create.items() if k not in kept} == {k: v for k, v in update.items() if k != "service"}
    assert create["tags"] == sorted(create["tags"], key=lambda t: t["key"])
    assert {"key": "compose2ecs:service", "value": "web"} in create["tags"]
