"""Big projects of every shape in one CloudFormation deployment (issue 12, items 1–2).

Generated compose projects as the issue describes them — each service on the default network
with a port, environment, a health check, limits, awslogs and a named volume — of 200 and
1000 services, shaped as a chain (each depends on the previous one), a star (everyone depends
on one database) and independent services. Each must become a root template plus nested
stacks, every one of them within CloudFormation's limits, consistent with each other (every
parameter passed, every cross-stack value an output of an earlier stack) and lint-clean.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cloudformation_support import ensure_taskdef, lint

ensure_taskdef()

from compose2ecs.aws.stack import dump as deploy_dump  # noqa: E402
from compose2ecs.emit.cfn import split, units  # noqa: E402
from compose2ecs.emit.cfn.parameters import used_references  # noqa: E402
from compose2ecs.emit.cloudformation import build_templates, dump_template  # noqa: E402
from compose2ecs.errors import UserError  # noqa: E402
from compose2ecs.pipeline import InputOptions, convert_inputs  # noqa: E402

ROOT = "cloudformation.yaml"
MB = 1_000_000


def compose_text(n: int, shape: str) -> str:
    lines = ["name: generated", "services:"]
    for i in range(n):
        port = 8000 + i % 1000
        lines += [f"  svc{i}:", f"    image: registry.example.com/team/svc{i}:1.0",
                  "    ports:", f"      - \"{port}:{port}\"",
                  "    environment:", f"      SERVICE_NAME: svc{i}",
                  "    healthcheck:", f"      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:{port}/health\"]",
                  "      interval: 30s",
                  "    deploy:", "      resources:", "        limits: {cpus: \"0.5\", memory: 512M}",
                  "    logging:", "      driver: awslogs",
                  "    volumes:", f"      - data{i}:/data"]
        if i and shape != "independent":
            lines += ["    depends_on:", f"      - svc{i - 1 if shape == 'chain' else 0}"]
    lines += ["volumes:"] + [f"  data{i}: {{}}" for i in range(n)]
    return "\n".join(lines) + "\n"


def _ecs(tmp: Path, n: int, shape: str):
    path = tmp / f"{shape}{n}.yaml"
    path.write_text(compose_text(n, shape))
    return convert_inputs(InputOptions(files=(str(path),), cwd=str(tmp)), environ={}).ecs


CASES = [(n, shape) for n in (200, 1000) for shape in ("chain", "star", "independent")]
_built: dict = {}


@pytest.fixture(params=CASES, ids=[f"{shape}-{n}" for n, shape in CASES])
def case(request, tmp_path_factory):
    if request.param not in _built:
        _built.clear()  # one case at a time in memory (1000 services: ~50 templates)
        n, shape = request.param
        _built[request.param] = (n, shape, build_templates(_ecs(tmp_path_factory.mktemp("scale"), n, shape)))
    return _built[request.param]


def _stacks(root: dict) -> dict:
    """{stack logical id: resource} of the root's nested stacks."""
    return {rid: r for rid, r in root["Resources"].items() if r["Type"] == "AWS::CloudFormation::Stack"}


def _service_stack(files: dict) -> dict:
    """{ECS service logical id: nested file holding it}."""
    return {rid: name for name, t in files.items() for rid, r in t["Resources"].items()
            if r["Type"] == "AWS::ECS::Service"}


def test_every_template_is_within_every_limit(case):
    n, shape, files = case
    assert len(files) > 2, "a project of this size needs nested stacks"
    for name, template in files.items():
        assert len(template["Resources"]) <= 500, name
        assert len(template.get("Outputs", {})) <= 200, name
        assert len(template.get("Parameters", {})) <= 200, name
        assert len(template.get("Mappings", {})) <= 200, name
        # the text actually written (YAML) and the body deploy sends (indented JSON)
        assert len(dump_template(template).encode()) <= MB, name
        assert len(deploy_dump(template).encode()) <= MB, name
    assert len(_service_stack(files)) == n


def test_nested_stacks_get_everything_through_parameters_and_outputs(case):
    _, _, files = case
    root = files[ROOT]
    stacks = _stacks(root)
    order = sorted(stacks)
    assert {s["Properties"]["TemplateURL"] for s in stacks.values()} == set(files) - {ROOT}
    for rid, stack in stacks.items():
        nested = files[stack["Properties"]["TemplateURL"]]
        passed = stack["Properties"]["Parameters"]
        assert set(passed) == set(nested.get("Parameters", {})), rid
        defined = set(nested["Resources"]) | set(nested.get("Parameters", {}))
        used = used_references([nested["Resources"], nested.get("Outputs", {}), nested.get("Conditions", {})])
        assert {u for u in used if not u.startswith("AWS::")} <= defined, rid
        for resource in nested["Resources"].values():  # DependsOn and Condition stay local
            assert set(resource.get("DependsOn", [])) <= set(nested["Resources"]), rid
            assert resource.get("Condition") in (None, *nested.get("Conditions", {})), rid
        for value in passed.values():  # a value from another nested stack: an earlier one's output
            for target, attr in _stack_outputs(value):
                assert order.index(target) < order.index(rid)
                assert attr in files[stacks[target]["Properties"]["TemplateURL"]]["Outputs"]
        for dep in stack.get("DependsOn", []):
            assert dep not in stacks or order.index(dep) < order.index(rid)
    for target, attr in _stack_outputs([root["Resources"], root.get("Outputs", {})]):
        assert attr in files[stacks[target]["Properties"]["TemplateURL"]]["Outputs"]


def _stack_outputs(value) -> list:
    """(stack, output) of every ``Fn::GetAtt [Stack, Outputs.X]`` in ``value``."""
    text = json.dumps(value)
    found, start = [], 0
    marker = '{"Fn::GetAtt": ["ServicesStack'
    while (start := text.find(marker, start)) >= 0:
        target, attr = json.loads(text[start:text.index("]", start) + 1] + "}")["Fn::GetAtt"]
        found.append((target, attr.removeprefix("Outputs.")))
        start += 1
    return found


def test_dependencies_across_stacks_keep_the_creation_order(case):
    n, shape, files = case
    root, where = files[ROOT], _service_stack(files)
    stack_of_file = {r["Properties"]["TemplateURL"]: rid for rid, r in _stacks(root).items()}
    if shape == "independent":
        return
    holders = {where[f"Svc{i}Service"] for i in range(n)}
    assert len(holders) > 1, "dependent services are split over several stacks, not kept in one"
    for i in range(1, n):
        needed = f"Svc{i - 1 if shape == 'chain' else 0}Service"
        mine, theirs = where[f"Svc{i}Service"], where[needed]
        if mine == theirs:
            assert needed in files[mine]["Resources"][f"Svc{i}Service"]["DependsOn"]
        else:  # DependsOn, or a value of the other stack (which implies it)
            stack = root["Resources"][stack_of_file[mine]]
            assert stack_of_file[theirs] in stack.get("DependsOn", []) + \
                [t for t, _ in _stack_outputs(stack["Properties"]["Parameters"])]


def test_volumes_move_out_of_the_root(case):
    # 9 resources per created EFS volume: they cannot all stay in the root
    _, _, files = case
    root_types = {r["Type"] for r in files[ROOT]["Resources"].values()}
    assert not root_types & {"AWS::EFS::FileSystem", "AWS::EFS::MountTarget", "AWS::ECS::Service"}


@pytest.mark.parametrize("n,shape", [(200, "chain"), (200, "star"), (200, "independent"), (1000, "chain")])
def test_root_and_sample_nested_templates_lint_clean(n, shape, tmp_path):
    files = build_templates(_ecs(tmp_path, n, shape))
    nested = sorted(set(files) - {ROOT})
    for name in (ROOT, nested[0], nested[-1]) if n == 200 else (ROOT, nested[len(nested) // 2]):
        assert lint(dump_template(files[name])) == [], name


# -- unit order: any dependency graph --------------------------------------------------------

def test_units_come_after_what_they_reference():
    groups = units.order({"c": ["C"], "b": ["B"], "a": ["A"]}, {"C": {"B"}, "B": {"A"}}, {"A", "B"})
    assert groups == [["A"], ["B"], ["C"]]


def test_a_cycle_of_leaf_rules_is_broken_not_merged():
    # a's rule references b's group, b's rule references a's: the rules leave their units
    refs = {"RuleA": {"GroupB", "GroupA"}, "RuleB": {"GroupA", "GroupB"}}
    groups = units.order({"a": ["GroupA", "RuleA"], "b": ["GroupB", "RuleB"]}, refs, {"GroupA", "GroupB"})
    assert sorted(map(tuple, groups)) == [("GroupA",), ("GroupB",), ("RuleA",), ("RuleB",)]
    position = {rid: i for i, g in enumerate(groups) for rid in g}
    assert position["RuleA"] > position["GroupB"] and position["RuleB"] > position["GroupA"]


def test_a_true_cycle_stays_together():
    refs = {"A": {"B"}, "B": {"A"}}
    assert units.order({"a": ["A"], "b": ["B"], "c": ["C"]}, refs, {"A", "B"}) == [["A", "B"], ["C"]]


def test_a_long_chain_needs_no_recursion():
    n = 5000
    groups = units.order({f"u{i}": [f"R{i}"] for i in range(n)}, {f"R{i}": {f"R{i - 1}"} for i in range(1, n)},
                         {f"R{i}" for i in range(n)})
    assert groups == [[f"R{i}"] for i in range(n)]


# -- what cannot be expressed is a user error (exit 2), never an internal one ----------------

def test_root_over_a_limit_is_a_user_error_naming_it(tmp_path):
    # 210 created secrets: each is a resource and an output of the root (secrets are named
    # after the root stack, so they cannot move): outputs 210+ > 200
    lines = ["name: many-secrets", "services:", "  app:", "    image: example/app:1", "    secrets:"]
    lines += [f"      - s{i}" for i in range(210)]
    lines += ["secrets:"] + [f"  s{i}: {{file: ./s{i}.txt}}" for i in range(210)]
    for i in range(210):
        (tmp_path / f"s{i}.txt").write_text("x")
    (tmp_path / "compose.yaml").write_text("\n".join(lines) + "\n")
    result = _cli(tmp_path, "convert", "--format", "cloudformation", "-q", "-o", str(tmp_path / "out" / "s.yaml"))
    assert result.returncode == 2, result.stderr
    assert "root template" in result.stderr and _names_limit(result.stderr, "outputs", 200)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_service_too_big_for_any_template_is_refused_before_splitting(tmp_path):
    # one service's resources cannot be divided; its task definition (16,000 variables, 1.4 MB)
    # is over ECS's 64 KiB long before any template limit: that located error comes first
    lines = ["name: huge", "services:", "  big:", "    image: example/big:1", "    environment:"]
    lines += [f"      VARIABLE_NUMBER_{i:05d}: value-of-variable-number-{i:05d}-padding-padding" for i in range(16000)]
    (tmp_path / "compose.yaml").write_text("\n".join(lines) + "\n")
    result = _cli(tmp_path, "convert", "--format", "cloudformation", "-q", "-o", str(tmp_path / "out" / "s.yaml"))
    assert result.returncode == 2, result.stderr
    assert "services.big.environment" in result.stderr and "64 KiB" in result.stderr
    assert "internal error" not in result.stderr and not (tmp_path / "out").exists()


def test_the_byte_limit_is_checked_in_the_format_written(tmp_path):
    # an overlay resource of 7,400 name/value pairs: ~730 KB as YAML, over 1 MB as JSON with indent 2
    # (--json, and the body deploy sends); the JSON one used to be written anyway (exit 0) and fail
    # in CloudFormation. (Overlay resources stay in the root: no split can move them.)
    lines = ["name: envy", "services:", "  web:", "    image: nginx:1.27", "x-ecs:", "  cloudformation:",
             "    Resources:", "      Big:", "        Type: AWS::CloudFormation::WaitConditionHandle",
             "        Metadata:", "          Items:"]
    for i in range(7400):
        lines += [f"          - Name: VARIABLE_NUMBER_{i:05d}",
                  f"            Value: value-of-variable-number-{i:05d}-padding-padding"]
    (tmp_path / "compose.yaml").write_text("\n".join(lines) + "\n")
    as_yaml = _cli(tmp_path, "convert", "--format", "cloudformation", "-q", "-o", str(tmp_path / "y" / "s.yaml"))
    assert as_yaml.returncode == 0, as_yaml.stderr
    assert [p.name for p in (tmp_path / "y").iterdir()] == ["s.yaml"]
    assert (tmp_path / "y" / "s.yaml").stat().st_size <= MB
    as_json = _cli(tmp_path, "convert", "--format", "cloudformation", "--json", "-q", "-o", str(tmp_path / "j" / "s.json"))
    assert as_json.returncode == 2, as_json.stderr
    assert _names_limit(as_json.stderr, "bytes", 1_000_000) and "overlay resource Big" in as_json.stderr
    assert not (tmp_path / "j").exists()


def _names_limit(text: str, what: str, limit: int) -> bool:
    """The message names the limit: ``outputs: 210 > 200`` or ``210 outputs, the limit is 200``."""
    return bool(re.search(rf"{what}: [\d,]+ > {limit}\b", text)
                or re.search(rf"[\d,]+ {what}, the limit is {limit:,}", text))


def _cli(cwd: Path, *args, stdout=subprocess.PIPE):
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    return subprocess.run([sys.executable, "-m", "compose2ecs", *args], cwd=cwd, env=env, text=True,
                          stdout=stdout, stderr=subprocess.PIPE)


# -- stdout (item 2) ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def big_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("big")
    (directory / "compose.yaml").write_text(compose_text(200, "chain"))
    return directory


def test_nested_stacks_to_stdout_is_a_user_error_naming_o_file(big_dir):
    result = _cli(big_dir, "convert", "--format", "cloudformation", "-q")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "<stdout>: error: this project needs nested stacks" in result.stderr
    assert "-o FILE" in result.stderr and "internal error" not in result.stderr


def test_o_naming_stdout_redirected_to_a_file_is_stdout_not_a_file_to_replace(big_dir, tmp_path):
    # `-o /dev/stdout > out.yaml`: /dev/stdout resolves to a regular file; replacing it would
    # replace the link (and write nested/ into its directory). A stand-in link is used here.
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    with open(tmp_path / "captured.yaml", "w") as captured:
        result = _cli(big_dir, "convert", "--format", "cloudformation", "-q", "-o", str(link), stdout=captured)
    assert result.returncode == 2, result.stderr
    assert "needs nested stacks" in result.stderr and "-o FILE" in result.stderr
    assert link.is_symlink() and not (tmp_path / "nested").exists()
    # a project that fits goes to the real stdout, the link untouched
    (tmp_path / "small").mkdir()
    (tmp_path / "small" / "compose.yaml").write_text(compose_text(2, "chain"))
    with open(tmp_path / "captured.yaml", "w") as captured:
        result = _cli(tmp_path / "small", "convert", "--format", "cloudformation", "-q", "-o", str(link),
                      stdout=captured)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert (tmp_path / "captured.yaml").read_text().startswith("AWSTemplateFormatVersion")


def test_depends_on_targets_are_not_counted_as_parameters():
    # 160 services each waiting for every earlier one (client-only services wait for all Service
    # Connect providers): DependsOn becomes the nested stack's DependsOn, never a parameter, so
    # 160 small services share one nested stack (counted as parameters they made two)
    ids = [f"S{i}Service" for i in range(160)]
    resources = {rid: {"Type": "AWS::SNS::Topic", "DependsOn": ids[:i], "Properties": {"TopicName": rid}}
                 for i, rid in enumerate(ids)}
    owners = {rid: f"s{i}" for i, rid in enumerate(ids)}
    template = {"Metadata": {"compose2ecs": {"owners": owners}}, "Resources": resources}
    result = split._Splitter(template).run()
    assert len(result.nested) == 1


# -- load-balanced services in nested stacks ---------------------------------------------------

def test_a_service_waits_for_its_own_listener_inside_its_nested_stack(tmp_path):
    """150 services on distinct load-balancer ports: each port's listener forwards to one
    service's target group, and ECS refuses that service until the listener exists. The
    listener goes with its service, so the DependsOn survives the split (it used to be dropped:
    the listener stayed in the root)."""
    lines = ["name: ports", "x-ecs:", "  load_balancer: alb", "services:"]
    for i in range(150):
        lines += [f"  s{i}:", f"    image: registry.example.com/s{i}:1", "    ports:", f"      - \"{8000 + i}:80\""]
    (tmp_path / "compose.yaml").write_text("\n".join(lines) + "\n")
    result = _cli(tmp_path, "convert", "--format", "cloudformation", "-q", "-o", "out/stack.yaml")
    assert result.returncode == 0, result.stderr
    import yaml

    class _Loader(yaml.SafeLoader):  # CloudFormation's short forms (!Ref …) read as plain values
        pass

    _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    nested = sorted((tmp_path / "out" / "nested").glob("*.yaml"))
    assert len(nested) >= 2
    services = 0
    for path in nested:
        resources = yaml.load(path.read_text(), Loader=_Loader)["Resources"]
        for rid, body in resources.items():
            if body["Type"] == "AWS::ECS::Service":
                services += 1
                port = 8000 + int(rid[1:-len("Service")])
                assert f"Port{port}Listener" in body.get("DependsOn", []), (path.name, rid)
                assert resources[f"Port{port}Listener"]["Type"] == "AWS::ElasticLoadBalancingV2::Listener"
    assert services == 150


def test_a_dependency_on_a_root_resource_becomes_the_nested_stacks_dependency():
    """A nested resource that waits for a root resource without using any of its values (a
    service on a shared load-balancer port waits for the root's listener) makes its stack wait
    for it; one whose value is passed waits already (no redundant DependsOn: cfn-lint W3005)."""
    resources = {"Gate": {"Type": "AWS::SNS::Topic", "Properties": {}},
                 "Used": {"Type": "AWS::SNS::Topic", "Properties": {}}}
    owners = {"Gate": "", "Used": ""}
    for i in range(600):
        body = {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": f"t{i}"}}
        if i == 0:
            body["DependsOn"] = ["Gate"]
        if i == 599:
            body["DependsOn"] = ["Used"]
            body["Properties"]["DisplayName"] = {"Ref": "Used"}
        resources[f"T{i}"] = body
        owners[f"T{i}"] = f"s{i}"
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources,
                "Metadata": {"compose2ecs": {"owners": owners}}}
    result = split.fit(template)
    stacks = {rid: body for rid, body in result.root["Resources"].items()
              if body["Type"] == "AWS::CloudFormation::Stack"}
    holder = {rid: name for name, part in result.nested.items() for rid in part["Resources"]}
    by_url = {body["Properties"]["TemplateURL"]: rid for rid, body in stacks.items()}
    first, last = stacks[by_url[holder["T0"]]], stacks[by_url[holder["T599"]]]
    assert "Gate" in first.get("DependsOn", [])
    assert "Used" not in last.get("DependsOn", []) and last["Properties"]["Parameters"]["Used"] == {"Ref": "Used"}


def test_a_shared_ports_default_target_group_stays_with_its_listener_in_the_root(tmp_path):
    """web answers port 80 by default, 150 services under their paths: the listener (root) needs
    web's target group first, and web waits for the listener — so that target group stays in
    the root (else the root would wait for web's nested stack and web for the root)."""
    import yaml

    from compose2ecs.emit.cfn.parameters import used_references

    class _Loader(yaml.SafeLoader):  # CloudFormation's short forms (!Ref …) read as plain values
        pass

    _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    lines = ["name: shared", "x-ecs:", "  load_balancer: alb", "services:",
             "  web:", "    image: nginx:1.27", "    ports:", "      - \"80:80\""]
    for i in range(150):
        lines += [f"  s{i}:", f"    image: registry.example.com/s{i}:1", "    ports:", "      - \"80:80\"",
                  "    x-ecs:", "      routing:", f"        path: /s{i}"]
    (tmp_path / "compose.yaml").write_text("\n".join(lines) + "\n")
    result = _cli(tmp_path, "convert", "--format", "cloudformation", "-q", "-o", "out/stack.yaml")
    assert result.returncode == 0, result.stderr
    root = yaml.load((tmp_path / "out" / "stack.yaml").read_text(), Loader=_Loader)["Resources"]
    assert root["WebPort80TargetGroup"]["Type"] == "AWS::ElasticLoadBalancingV2::TargetGroup"
    (url,) = [p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out" / "nested").glob("*.yaml")
              if "WebService:" in p.read_text()]
    (stack,) = [body for body in root.values() if body.get("Properties", {}).get("TemplateURL") == url]
    assert "Port80Listener" in set(stack.get("DependsOn", [])) | used_references(stack["Properties"]["Parameters"])
    assert "WebPort80TargetGroup" in used_references(stack["Properties"]["Parameters"])
