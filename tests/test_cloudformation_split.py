"""Projects over CloudFormation's limits become a root stack plus nested stacks, each of
which fits, lints clean and gets every parameter it declares from the root."""
from __future__ import annotations

import pytest

from compose2ecs.ecs import model as m
from tests.test_cloudformation_support import container, ensure_taskdef, lint, project, service, task

ensure_taskdef()

from compose2ecs.emit.cfn.parameters import used_references  # noqa: E402
from compose2ecs.emit.cfn.split import TemplateSet, problems  # noqa: E402
from compose2ecs.emit.cloudformation import build_template, build_templates, dump_template  # noqa: E402


def generated(n: int, networks_per_service: int = 1):
    names = [f"svc{i:04d}" for i in range(n)]
    services, tasks = [], []
    for i, name in enumerate(names):
        services.append(service(
            name, networks=("default",), ingress_ports=((8000, "tcp"),), public_ports=((8000, "tcp"),) if i == 0 else (),
            service_connect=(m.ServiceConnectEndpoint(f"{name}-8000", name, name, 8000),),
            depends_on=(names[i - 1],) if i else ()))
        tasks.append(task(name, container(name, f"registry.example/{name}:1", (8000,))))
    return project(services, tasks, networks=(("default", tuple(names)),))


@pytest.fixture(scope="module")
def split_200():
    return build_templates(generated(200))


def test_small_project_is_one_template():
    assert isinstance(build_template(generated(20)), dict)


def test_large_project_splits_into_nested_stacks(split_200):
    assert list(split_200)[0] == "cloudformation.yaml"
    assert len(split_200) >= 2
    assert all(name.startswith("nested/services-") for name in list(split_200)[1:])
    for name, template in split_200.items():
        assert problems(template) == [], name
    services = sum(len([r for r in t["Resources"].values() if r["Type"] == "AWS::ECS::Service"])
                   for t in split_200.values())
    assert services == 200


def test_root_passes_every_nested_parameter(split_200):
    root = split_200["cloudformation.yaml"]
    stacks = {r["Properties"]["TemplateURL"]: r for r in root["Resources"].values()
              if r["Type"] == "AWS::CloudFormation::Stack"}
    assert set(stacks) == set(split_200) - {"cloudformation.yaml"}
    for url, stack in stacks.items():
        nested = split_200[url]
        assert set(stack["Properties"]["Parameters"]) == set(nested.get("Parameters", {}))
        # nothing inside a nested stack points at a resource it does not have
        defined = set(nested["Resources"]) | set(nested.get("Parameters", {}))
        dangling = {n for n in used_references(nested["Resources"]) if not n.startswith("AWS::")} - defined
        assert dangling == set(), url


def test_later_stacks_depend_on_earlier_ones_only(split_200):
    root = split_200["cloudformation.yaml"]
    order = sorted(rid for rid, r in root["Resources"].items() if r["Type"] == "AWS::CloudFormation::Stack")
    for rid in order:
        for dep in root["Resources"][rid].get("DependsOn", []):
            if dep in order:
                assert order.index(dep) < order.index(rid)


def test_split_templates_lint_clean(split_200):
    # root and the first nested stack (linting all of them takes long; they are built alike)
    for name in list(split_200)[:2]:
        assert lint(dump_template(split_200[name])) == [], name


# -- the shortcuts of issue 5 give what the plain walks give ----------------------------------
from hypothesis import given, settings, strategies as st  # noqa: E402

from compose2ecs.emit.cfn import split  # noqa: E402
from compose2ecs.emit.cloudformation import assemble  # noqa: E402

NAMES = st.sampled_from(["A", "B", "AWS::Region", "Web.Arn", "x y", "é", 'q"uote', "back\\slash"])
INTRINSIC = st.one_of(
    st.builds(lambda n: {"Ref": n}, NAMES),
    st.builds(lambda n: {"Fn::GetAtt": n}, NAMES),
    st.builds(lambda a, b: {"Fn::GetAtt": [a, b]}, NAMES, NAMES),
    st.builds(lambda a, b: {"Fn::Sub": f"x-${{{a}}}-${{!{b}}}"}, NAMES, NAMES),
    st.builds(lambda a, v: {"Fn::Sub": [f"${{{a}}}", {"V": v}]}, NAMES, st.builds(lambda n: {"Ref": n}, NAMES)))
VALUES = st.recursive(
    st.one_of(st.text(max_size=8), st.integers(), st.booleans(), INTRINSIC,
              st.sampled_from(['"Ref":"Z"', '{"Ref":"Z"}', "Fn::GetAtt", '\\"Ref\\":'])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["Ref", "Fn::Sub", "Name", "Value", "x"]), inner,
                                            max_size=3)),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_json_references_is_used_references_or_declines(value):
    found = split.json_references(split._COMPACT(value))
    assert found is None or found == used_references(value)


@pytest.mark.parametrize("body", [
    {"Type": "T", "Metadata": {"m": {"Ref": "M"}}, "Properties": {"a": {"Fn::Sub": ["${X}", {"X": {"Ref": "Y"}}]}}},
    {"Type": "T", "Metadata": {"Properties": {"Ref": "M"}}, "Properties": {"a": {"Ref": "P"}}},
    {"Type": "T", "Properties": {"a": {"Ref": "P"}}, "Metadata": {"x": {"Ref": "M"}}},
    {"Type": "T", "Metadata": {"x": "y"}, "Properties": {"a": {"Ref": "P"}, "Properties": {"Ref": "Q"}}},
    {"Type": "T", "Metadata": {"x": "y"}, "Properties": {"a": {"Fn::GetAtt": ["A", {"Ref": "B"}]}}},
    {"Type": "T", "DependsOn": ["D"], "Properties": {"a": "no references"}},
])
def test_packing_reads_property_and_other_references(body):
    splitter = split._Splitter.__new__(split._Splitter)
    splitter.resources, splitter.property_refs, splitter.bounds, splitter.uses = {"R": body}, {}, {}, {}
    refs: set = set()
    assert splitter._measure("R", refs) == len(split._COMPACT(body))
    assert splitter.property_refs["R"] == used_references(body["Properties"])
    assert refs == used_references(body)


def test_size_bound_is_an_upper_bound_of_each_nested_template():
    splitter = split._Splitter(assemble(generated(200)))
    result = splitter.run()
    assert result.nested
    for name, part in result.nested.items():
        assert splitter.size_bound(part) >= split.size_estimate(part), name


def test_splitting_leaves_the_assembled_template_unchanged():
    # the nested rewrite shares unchanged parts with the assembled template (copy on write)
    template = assemble(generated(200))
    before = split._COMPACT(template)
    split.fit(template)
    assert split._COMPACT(template) == before


# -- the default log group and an existing load balancer in a split project -------------------
from dataclasses import replace  # noqa: E402

LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shared/50dc6c495c0c9188"


def _only_first_logs_to_default(p):
    """svc0000 alone writes to the default group; the others to a group the user named elsewhere."""
    def relog(td):
        if td.family == "shop-svc0000":
            return td
        containers = tuple(replace(c, log_configuration=replace(c.log_configuration, options=tuple(
            (k, "/other" if k == "awslogs-group" else v) for k, v in c.log_configuration.options)))
            for c in td.containers)
        return replace(td, containers=containers)
    return replace(p, task_definitions=tuple(relog(td) for td in p.task_definitions))


@pytest.fixture(scope="module")
def split_existing_lb():
    p = generated(200)
    first = replace(p.services[0], load_balancer=(m.LoadBalancerTarget("svc0000", 8000, 80),))
    p = replace(p, services=(first,) + p.services[1:], load_balancer="alb",
                log_groups=(replace(p.log_groups[0], default_name=True),),
                extensions=(("load_balancer_arn", LB_ARN), ("load_balancer_security_group", "sg-0123456789abcdef0")))
    return build_templates(_only_first_logs_to_default(p))


def test_default_log_group_stays_in_the_root_stack(split_existing_lb):
    # ${AWS::StackName} in a nested stack would be the nested stack's (generated) name
    root = split_existing_lb["cloudformation.yaml"]
    (group,) = [r for r in root["Resources"].values() if r["Type"] == "AWS::Logs::LogGroup"]
    assert group["Properties"]["LogGroupName"] == {"Fn::Sub": "/ecs/${AWS::StackName}"}
    for name, nested in list(split_existing_lb.items())[1:]:
        assert not [r for r in nested["Resources"].values() if r["Type"] == "AWS::Logs::LogGroup"], name


def test_existing_load_balancer_in_a_split_project(split_existing_lb):
    root = split_existing_lb["cloudformation.yaml"]
    assert not [r for r in root["Resources"].values() if r["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer"]
    assert root["Parameters"]["LoadBalancerArn"]["Default"] == LB_ARN
    (nested,) = [t for t in list(split_existing_lb.values())[1:] if "Svc0000SecurityGroup" in t["Resources"]]
    rules = nested["Resources"]["Svc0000SecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert {"Ref": "LoadBalancerSecurityGroupId"} in [r.get("SourceSecurityGroupId") for r in rules]
    assert nested["Parameters"]["LoadBalancerSecurityGroupId"]["Type"] == "AWS::EC2::SecurityGroup::Id"
    stacks = [r for r in root["Resources"].values() if r["Type"] == "AWS::CloudFormation::Stack"
              and "LoadBalancerSecurityGroupId" in r["Properties"]["Parameters"]]
    assert [s["Properties"]["Parameters"]["LoadBalancerSecurityGroupId"] for s in stacks] == [
        {"Ref": "LoadBalancerSecurityGroupId"}]
    for name in list(split_existing_lb)[:2]:
        assert lint(dump_template(split_existing_lb[name])) == [], name
