"""CloudFormation emitter: golden templates from compose inputs, every one linted by cfn-lint,
every embedded task definition checked by the taskdef oracle, plus behaviour a reviewer of the
stack would notice (least-privilege security groups, secrets, creation order, overlay)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from compose2ecs.errors import UserError
from tests.golden import cases, check_golden
from tests.test_cloudformation_support import ensure_taskdef, lint

ensure_taskdef()

from compose2ecs.emit.casing import to_cloudformation  # noqa: E402
from compose2ecs.emit.cloudformation import build_template, build_templates, dump_template  # noqa: E402
from compose2ecs.pipeline import InputOptions, convert_inputs  # noqa: E402

ROOT = Path(__file__).parent / "fixtures" / "cloudformation"
GOOD = [c for c in cases(ROOT) if (c / "compose.yaml").exists() and not c.name.startswith("bad-")]
BAD = [c for c in cases(ROOT) if c.name.startswith("bad-")]


def convert(case: Path):
    options = json.loads((case / "options.json").read_text()) if (case / "options.json").exists() else {}
    return convert_inputs(InputOptions(files=(str(case / "compose.yaml"),), cwd=str(case), **options), environ={})


def resources_of(template, type_):
    return {rid: r for rid, r in template["Resources"].items() if r["Type"] == type_}


def oracle_problems(ecs) -> list:
    from compose2ecs.emit.taskdef import task_definition_dict
    from tests.oracle import task_definition_problems

    return [(td.family, p) for td in ecs.task_definitions for p in task_definition_problems(task_definition_dict(td))]


@pytest.mark.parametrize("case", GOOD, ids=lambda p: p.name)
def test_golden_template(case, update_golden):
    conversion = convert(case)
    text = dump_template(build_template(conversion.ecs))
    assert lint(text) == []
    assert oracle_problems(conversion.ecs) == []
    check_golden(case / "cloudformation.yaml", text, update_golden)


@pytest.mark.parametrize("case", BAD, ids=lambda p: p.name)
def test_bad_case_error(case, update_golden):
    with pytest.raises(UserError) as err:
        build_template(convert(case).ecs)
    text = "\n".join(str(d) for d in err.value.diagnostics) + "\n"
    check_golden(case / "error.txt", text, update_golden)


def _template(case_name):
    conversion = convert(ROOT / case_name)
    return conversion.ecs, build_template(conversion.ecs)


def test_task_definition_is_the_taskdef_dict_recased():
    from compose2ecs.emit.taskdef import task_definition_dict

    ecs, template = _template("web-db-service-connect")
    for td in ecs.task_definitions:
        expected = to_cloudformation(task_definition_dict(td))
        (actual,) = [r["Properties"] for r in resources_of(template, "AWS::ECS::TaskDefinition").values()
                     if r["Properties"]["Family"] == td.family]
        # Only stack references differ: role, log group and Region.
        for key in ("ExecutionRoleArn",):
            expected.pop(key, None), actual.pop(key, None)
        for container in expected["ContainerDefinitions"] + actual["ContainerDefinitions"]:
            container["LogConfiguration"]["Options"].pop("awslogs-group")
            container["LogConfiguration"]["Options"].pop("awslogs-region")
        assert actual == expected


def test_public_ip_service_opens_only_published_port():
    _, template = _template("single-public-ip")
    (sg,) = resources_of(template, "AWS::EC2::SecurityGroup").values()
    assert sg["Properties"]["SecurityGroupIngress"] == [{
        "CidrIp": "0.0.0.0/0", "Description": "published port 80/tcp of web", "FromPort": 80,
        "IpProtocol": "tcp", "ToPort": 80}]
    assert template["Parameters"]["AssignPublicIp"]["Default"] == "ENABLED"
    assert template["Resources"]["WebService"]["Properties"]["LaunchType"] == "FARGATE"


def test_unpublished_ports_never_open_to_the_world():
    _, template = _template("web-db-service-connect")
    db = template["Resources"]["DbSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert all("CidrIp" not in rule for rule in db)
    assert {r["FromPort"] for r in db} == {5432}
    # db accepts 5432 only from the membership group of the network it shares with web
    assert [r["SourceSecurityGroupId"] for r in db] == [{"Fn::GetAtt": ["NetworkDefaultSecurityGroup", "GroupId"]}]


def test_service_on_another_network_cannot_reach_db():
    _, template = _template("web-db-service-connect")
    groups = template["Resources"]["BackupService"]["Properties"]["NetworkConfiguration"][
        "AwsvpcConfiguration"]["SecurityGroups"]
    assert groups == [{"Fn::GetAtt": ["BackupSecurityGroup", "GroupId"]}]
    web_groups = template["Resources"]["WebService"]["Properties"]["NetworkConfiguration"][
        "AwsvpcConfiguration"]["SecurityGroups"]
    assert {"Fn::GetAtt": ["NetworkDefaultSecurityGroup", "GroupId"]} in web_groups


def test_service_connect_names_and_order():
    _, template = _template("web-db-service-connect")
    db = template["Resources"]["DbService"]["Properties"]["ServiceConnectConfiguration"]
    assert db["Enabled"] is True
    assert db["Services"][0]["ClientAliases"] == [{"DnsName": "db", "Port": 5432}]
    web = template["Resources"]["WebService"]
    assert "DbService" in web["DependsOn"]  # providers first: web resolves db at start
    assert resources_of(template, "AWS::ServiceDiscovery::HttpNamespace")


def test_alb_routes_path_and_checks_health():
    _, template = _template("alb-path-routing")
    (rule,) = resources_of(template, "AWS::ElasticLoadBalancingV2::ListenerRule").values()
    assert rule["Properties"]["Conditions"] == [
        {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api", "/api/*"]}}]
    groups = resources_of(template, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert {g["Properties"]["HealthCheckPath"] for g in groups.values()} == {"/api/health", "/healthz"}
    assert all(g["Properties"]["TargetType"] == "ip" for g in groups.values())
    # the services accept traffic from the load balancer's group, not from the internet
    for sid in ("WebSecurityGroup", "ApiSecurityGroup"):
        rules = template["Resources"][sid]["Properties"]["SecurityGroupIngress"]
        assert all("CidrIp" not in r for r in rules)
    assert "Port80Url" in template["Outputs"]


def test_efs_volume_is_retained_encrypted_and_nfs_only_from_db():
    _, template = _template("efs-volume")
    (fs,) = resources_of(template, "AWS::EFS::FileSystem").values()
    assert fs["DeletionPolicy"] == fs["UpdateReplacePolicy"] == "Retain"
    assert fs["Properties"]["Encrypted"] is True
    (ingress,) = resources_of(template, "AWS::EC2::SecurityGroupIngress").values()
    assert ingress["Properties"]["FromPort"] == 2049
    assert ingress["Properties"]["SourceSecurityGroupId"] == {"Fn::GetAtt": ["DbSecurityGroup", "GroupId"]}
    (ap,) = resources_of(template, "AWS::EFS::AccessPoint").values()
    assert "CreationInfo" in ap["Properties"]["RootDirectory"]
    (td,) = resources_of(template, "AWS::ECS::TaskDefinition").values()
    efs = td["Properties"]["Volumes"][0]["EFSVolumeConfiguration"]
    assert efs["FilesystemId"] == {"Ref": "VolumePgdataFileSystem"}
    assert efs["AuthorizationConfig"]["AccessPointId"] == {"Ref": "VolumePgdataAccessPoint"}
    assert efs["TransitEncryption"] == "ENABLED"
    assert len(resources_of(template, "AWS::EFS::MountTarget")) == 6  # up to SubnetCount, by condition


def test_secrets_least_privilege_and_no_file_content():
    _, template = _template("secrets")
    text = dump_template(template)
    assert "do-not-leak-9f8e7d" not in text
    (secret,) = resources_of(template, "AWS::SecretsManager::Secret").values()
    assert "put-secret-value" in secret["Properties"]["Description"]
    statements = template["Resources"]["ExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert statements[0] == {"Action": "secretsmanager:GetSecretValue", "Effect": "Allow", "Resource": [
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-key-AbCdEf",
        {"Ref": "SecretDbPassword"}]}
    # kms:Decrypt only under the condition (empty SecretsKmsKeyArns by default: nothing)
    assert [list(s) for s in statements[1:]] == [["Fn::If"]]
    assert template["Parameters"]["SecretsKmsKeyArns"]["Default"] == ""


def test_autoscaling_policies():
    _, template = _template("autoscaling")
    (target,) = resources_of(template, "AWS::ApplicationAutoScaling::ScalableTarget").values()
    assert (target["Properties"]["MinCapacity"], target["Properties"]["MaxCapacity"]) == (2, 10)
    metrics = sorted(p["Properties"]["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"][
        "PredefinedMetricType"] for p in resources_of(template, "AWS::ApplicationAutoScaling::ScalingPolicy").values())
    assert metrics == ["ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization"]


def test_existing_cluster_is_the_parameter_default():
    _, template = _template("existing-cluster")
    assert template["Parameters"]["ExistingClusterName"]["Default"] == "platform-shared"
    assert template["Resources"]["Cluster"]["Condition"] == "CreateCluster"


def test_overlay_merges_last():
    _, template = _template("overlay")
    assert template["Resources"]["WebService"]["Properties"]["DesiredCount"] == 3
    assert "Tags" not in template["Resources"]["WebSecurityGroup"]["Properties"]  # null deletes
    assert template["Resources"]["Queue"]["Type"] == "AWS::SQS::Queue"
    assert template["Outputs"]["QueueUrl"] == {"Value": {"Ref": "Queue"}}


def test_output_is_deterministic_and_json_sorted():
    conversion = convert(ROOT / "web-db-service-connect")
    first = dump_template(build_template(conversion.ecs))
    assert first == dump_template(build_template(convert(ROOT / "web-db-service-connect").ecs))
    as_json = dump_template(build_template(conversion.ecs), "json")
    assert json.loads(as_json) == yaml.safe_load(first)
    assert as_json == json.dumps(json.loads(as_json), indent=2, sort_keys=True) + "\n"


def test_every_resource_names_its_origin():
    _, template = _template("web-db-service-connect")
    for rid, body in template["Resources"].items():
        meta = body["Metadata"]["compose2ecs"]
        assert meta.get("description"), rid
        assert meta.get("services") or meta.get("project"), rid


def test_placeholder_image_becomes_parameter_without_default_on_request():
    conversion = convert(ROOT / "single-public-ip")
    from dataclasses import replace

    from compose2ecs.ecs.model import Placeholder

    td = conversion.ecs.task_definitions[0]
    image = "replace-me.invalid/web:latest"
    ecs = replace(conversion.ecs, placeholders=(Placeholder(image, "image of web", "--image web=URI"),),
                  task_definitions=(replace(td, containers=(replace(td.containers[0], image=image),)),))
    with_defaults = build_template(ecs)
    assert with_defaults["Parameters"]["WebImage"]["Default"] == image
    without = build_template(ecs, with_parameters_defaults=False)
    assert "Default" not in without["Parameters"]["WebImage"]
    (td_res,) = resources_of(without, "AWS::ECS::TaskDefinition").values()
    assert td_res["Properties"]["ContainerDefinitions"][0]["Image"] == {"Ref": "WebImage"}
    assert lint(dump_template(without)) == []


def test_build_templates_single_file():
    files = build_templates(convert(ROOT / "single-public-ip").ecs)
    assert list(files) == ["cloudformation.yaml"]


# -- an existing load balancer (x-ecs load_balancer_arn / x-aws-loadbalancer) -----------------

def _ingress_rules(template) -> list:
    rules = []
    for body in resources_of(template, "AWS::EC2::SecurityGroup").values():
        rules += body["Properties"].get("SecurityGroupIngress", [])
    return rules + [r["Properties"] for r in resources_of(template, "AWS::EC2::SecurityGroupIngress").values()]


def test_existing_load_balancer_is_used_not_created():
    _, template = _template("existing-load-balancer")
    assert resources_of(template, "AWS::ElasticLoadBalancingV2::LoadBalancer") == {}
    assert "LoadBalancerSecurityGroup" not in template["Resources"]
    params = template["Parameters"]
    assert params["LoadBalancerArn"]["Default"].endswith(":loadbalancer/app/platform-shared/50dc6c495c0c9188")
    assert params["LoadBalancerSecurityGroupId"] == {
        "Type": "AWS::EC2::SecurityGroup::Id", "Default": "sg-0123456789abcdef0",
        "Description": params["LoadBalancerSecurityGroupId"]["Description"]}
    (listener,) = resources_of(template, "AWS::ElasticLoadBalancingV2::Listener").values()
    assert listener["Properties"]["LoadBalancerArn"] == {"Ref": "LoadBalancerArn"}
    assert len(resources_of(template, "AWS::ElasticLoadBalancingV2::TargetGroup")) == 2
    assert len(resources_of(template, "AWS::ElasticLoadBalancingV2::ListenerRule")) == 1
    # the URL needs the load balancer's DNS name, which the stack cannot read: the listener instead
    assert "Port80Url" not in template["Outputs"]
    assert template["Outputs"]["Port80ListenerArn"]["Value"] == {"Ref": "Port80Listener"}


def test_existing_load_balancer_security_group_chain():
    _, template = _template("existing-load-balancer")
    rules = _ingress_rules(template)
    assert rules and all("CidrIp" not in r and "CidrIpv6" not in r for r in rules)  # nothing from the world
    lb_rules = [r for r in rules if r["SourceSecurityGroupId"] == {"Ref": "LoadBalancerSecurityGroupId"}]
    assert sorted((r["FromPort"], r["Description"]) for r in lb_rules) == [
        (80, "load balancer to web port 80"), (8080, "load balancer to api port 8080")]
    others = [r for r in rules if r not in lb_rules]  # only the compose network's membership group
    assert {json.dumps(r["SourceSecurityGroupId"]) for r in others} == {
        json.dumps({"Fn::GetAtt": ["NetworkDefaultSecurityGroup", "GroupId"]})}


def test_existing_load_balancer_request_scaling_uses_the_arn():
    _, template = _template("existing-load-balancer")
    label = template["Resources"]["ApiRequestScaling"]["Properties"][
        "TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]["ResourceLabel"]
    assert label["Fn::Join"][1][0] == {"Fn::Select": [1, {"Fn::Split": ["loadbalancer/", {"Ref": "LoadBalancerArn"}]}]}


def test_existing_load_balancer_without_defaults_needs_both_parameters():
    conversion = convert(ROOT / "existing-load-balancer")
    template = build_template(conversion.ecs, with_parameters_defaults=False)
    assert "Default" not in template["Parameters"]["LoadBalancerArn"]
    assert "Default" not in template["Parameters"]["LoadBalancerSecurityGroupId"]
    assert lint(dump_template(template)) == []


def test_x_aws_loadbalancer_by_name_has_no_arn_default(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "x-aws-loadbalancer: platform-shared\nservices:\n  web:\n    image: nginx:1.27\n    ports: ['80:80']\n")
    conversion = convert(tmp_path)
    template = build_template(conversion.ecs)
    assert "Default" not in template["Parameters"]["LoadBalancerArn"]
    assert "Default" not in template["Parameters"]["LoadBalancerSecurityGroupId"]
    assert resources_of(template, "AWS::ElasticLoadBalancingV2::LoadBalancer") == {}
    assert any("not its ARN" in f.message and f.severity == "info" for f in conversion.ecs.findings)


def test_created_load_balancer_keeps_its_own_security_group():
    _, template = _template("alb-path-routing")
    assert "LoadBalancerArn" not in template["Parameters"]
    lb_source = {"Fn::GetAtt": ["LoadBalancerSecurityGroup", "GroupId"]}
    assert any(r.get("SourceSecurityGroupId") == lb_source for r in _ingress_rules(template))


# -- kms:Decrypt for customer-managed keys of the referenced secrets --------------------------

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _statements(template) -> list:
    return template["Resources"]["ExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]


def test_kms_decrypt_on_the_named_keys_only_through_secrets_manager(tmp_path):
    case = ROOT / "secrets"
    text = (case / "compose.yaml").read_text().replace("x-ecs:\n", f"x-ecs:\n  secrets_kms_key_arns: [{KEY}]\n")
    (tmp_path / "compose.yaml").write_text(text)
    (tmp_path / "db_password.txt").write_text("x\n")
    template = build_template(convert(tmp_path).ecs)
    assert template["Parameters"]["SecretsKmsKeyArns"]["Default"] == KEY
    assert template["Parameters"]["SecretsKmsKeyArns"]["Type"] == "CommaDelimitedList"
    assert _statements(template)[-1] == {"Fn::If": ["HasSecretsKmsKeys", {
        "Effect": "Allow", "Action": "kms:Decrypt", "Resource": {"Ref": "SecretsKmsKeyArns"},
        "Condition": {"StringEquals": {"kms:ViaService": [{"Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com"}]}}},
        {"Ref": "AWS::NoValue"}]}
    # an empty parameter value adds nothing
    assert template["Conditions"]["HasSecretsKmsKeys"] == {
        "Fn::Not": [{"Fn::Equals": [{"Fn::Join": ["", {"Ref": "SecretsKmsKeyArns"}]}, ""]}]}
    assert lint(dump_template(template)) == []
    without = build_template(convert(tmp_path).ecs, with_parameters_defaults=False)
    assert without["Parameters"]["SecretsKmsKeyArns"]["Default"] == ""


def test_no_secrets_no_kms_parameter():
    _, template = _template("single-public-ip")
    assert "SecretsKmsKeyArns" not in template["Parameters"]
    assert "HasSecretsKmsKeys" not in template.get("Conditions", {})
    assert "Policies" not in template["Resources"]["ExecutionRole"]["Properties"]


def test_ssm_secret_gets_kms_via_ssm(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "services:\n  app:\n    image: nginx:1.27\n    secrets: [token]\nsecrets:\n  token:\n    external: true\n"
        f"x-ecs:\n  secrets: {{token: /prod/token}}\n  secrets_kms_key_arns: [{KEY}]\n")
    template = build_template(convert(tmp_path).ecs)
    ssm, kms = _statements(template)
    assert ssm == {"Effect": "Allow", "Action": "ssm:GetParameters", "Resource": [
        {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/prod/token"}]}
    assert kms["Fn::If"][1]["Condition"]["StringEquals"]["kms:ViaService"] == [
        {"Fn::Sub": "ssm.${AWS::Region}.amazonaws.com"}]


# -- the default log group is named after the stack -------------------------------------------

def test_default_log_group_is_named_after_the_stack():
    from compose2ecs.aws.stack import stack_name
    from compose2ecs.emit.taskdef import task_definition_dict

    ecs, template = _template("web-db-service-connect")
    (group,) = resources_of(template, "AWS::Logs::LogGroup").values()
    assert group["Properties"]["LogGroupName"] == {"Fn::Sub": "/ecs/${AWS::StackName}"}
    # deploy --via cloudformation names the stack after the project: the same group as before
    assert "/ecs/" + stack_name(ecs.name) == ecs.log_groups[0].name == "/ecs/web-db-service-connect"
    # the task definitions files keep the name; the template's refer to the resource
    for td in ecs.task_definitions:
        for c in task_definition_dict(td)["containerDefinitions"]:
            assert c["logConfiguration"]["options"]["awslogs-group"] == "/ecs/web-db-service-connect"
    for td in resources_of(template, "AWS::ECS::TaskDefinition").values():
        for c in td["Properties"]["ContainerDefinitions"]:
            assert c["LogConfiguration"]["Options"]["awslogs-group"] == {"Ref": "LogGroupEcsWebDbServiceConnect"}


def test_named_log_group_keeps_its_name(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "x-ecs:\n  log_group: /platform/shop\nservices:\n  web:\n    image: nginx:1.27\n")
    template = build_template(convert(tmp_path).ecs)
    (group,) = resources_of(template, "AWS::Logs::LogGroup").values()
    assert group["Properties"]["LogGroupName"] == "/platform/shop"
