"""Local-only ports stay local; port ranges deploy (issue 10 item 5, issue 17 item 15).

A port published on a loopback (or other non-public) host address is reachable only from the
Docker host under Compose: on ECS it must get no internet ingress — in CloudFormation and in the
deployer alike — and a task gets a public IP only with an internet-published port, unless x-ecs
asks. Port ranges must reach boto3 as numbers on both deploy paths, and a request botocore would
reject must fail before the first mutating call.
"""
from __future__ import annotations

import io
import ipaddress
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from compose2ecs.aws import network as aws_network
from compose2ecs.aws.plan import Live
from compose2ecs.aws.services import network_configuration
from compose2ecs.ecs import exposure
from compose2ecs.errors import AwsError
from tests.aws_fixtures import FakeClock, aws_env, make_clients, moto, moto_server  # noqa: F401
from tests.conftest import CORPUS, corpus_dir
from tests.test_cloudformation_support import ensure_taskdef, lint

ensure_taskdef()

from compose2ecs.emit.cloudformation import build_templates, dump_template  # noqa: E402
from compose2ecs.emit.taskdef import task_definition_dict  # noqa: E402
from compose2ecs.pipeline import InputOptions, convert_inputs  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
WORLD = ("0.0.0.0/0", "::/0")

COMPOSE = """\
name: exposure
services:
  web:
    image: nginx:1.27
    ports:
      - "80:80"
      - "8000-8001:8000-8001"
    expose:
      - "9000-9001"
  db:
    image: postgres:16
    ports:
      - "127.0.0.1:5432:5432"
  debug:
    image: node:20
    ports:
      - "[::1]:9229:9229"
      - "127.0.0.1:7000-7001:7000-7001"
      - "192.168.1.5:8080:8080"
  edge:
    image: nginx:1.27
    ports:
      - "1.2.3.4:8443:8443"
"""


def _convert(tmp_path: Path, text: str = COMPOSE, name: str = "compose.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return convert_inputs(InputOptions(files=(str(path),), cwd=str(tmp_path)), environ={})


def _findings(result) -> list:
    return [str(f) for f in result.findings]


# -- which host addresses are internet-published ---------------------------------------------------

@pytest.mark.parametrize("host_ip, kind", [
    (None, exposure.INTERNET), ("", exposure.INTERNET), ("0.0.0.0", exposure.INTERNET), ("::", exposure.INTERNET),
    ("127.0.0.1", exposure.LOOPBACK), ("127.1.2.3", exposure.LOOPBACK), ("::1", exposure.LOOPBACK),
    ("[::1]", exposure.LOOPBACK), ("localhost", exposure.LOOPBACK),
    ("192.168.1.5", exposure.PRIVATE), ("10.0.0.7", exposure.PRIVATE), ("fe80::1%eth0", exposure.PRIVATE),
    ("not-an-ip", exposure.PRIVATE), ("1.2.3.4", exposure.PUBLIC_ADDRESS), ("2606:4700::1", exposure.PUBLIC_ADDRESS),
])
def test_host_ip_kinds(host_ip, kind):
    assert exposure.host_ip_kind(host_ip) == kind
    assert exposure.internet_published(host_ip) == (kind in (exposure.INTERNET, exposure.PUBLIC_ADDRESS))


def test_port_span_turns_ranges_into_ints():
    assert exposure.port_span(80) == (80, 80)
    assert exposure.port_span("8000-8001") == (8000, 8001)


# -- lowering: findings located at the entry, ports not published ----------------------------------

def test_each_local_port_gets_a_located_finding_saying_what_was_done(tmp_path):
    lines = _findings(_convert(tmp_path))
    where = str(tmp_path / "compose.yaml")
    expected = {f"{where}:13:9: services.db.ports[0]: info: port 5432 is published on the loopback address 127.0.0.1",
                f"{where}:17:9: services.debug.ports[0]: info: port 9229 is published on the loopback address ::1",
                f"{where}:18:9: services.debug.ports[1]: info: ports 7000-7001 are published on the loopback "
                f"address 127.0.0.1",
                f"{where}:19:9: services.debug.ports[2]: info: port 8080 is published on the non-public address "
                f"192.168.1.5",
                f"{where}:23:9: services.edge.ports[0]: info: host address 1.2.3.4 is not kept"}
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert not any("host_ip" in line and "is ignored" in line for line in lines)


def test_local_ports_stay_in_the_task_definition_but_are_not_published(tmp_path):
    ecs = _convert(tmp_path).ecs
    services = {s.name: s for s in ecs.services}
    assert services["db"].public_ports == () and services["db"].ingress_ports == ((5432, "tcp"),)
    assert services["debug"].public_ports == ()
    assert set(services["debug"].ingress_ports) == {(9229, "tcp"), ("7000-7001", "tcp"), (8080, "tcp")}
    assert set(services["web"].public_ports) == {(80, "tcp"), ("8000-8001", "tcp")}
    assert services["edge"].public_ports == ((8443, "tcp"),)
    db = next(td for td in ecs.task_definitions if td.family.endswith("-db"))
    assert [p["containerPort"] for p in task_definition_dict(db)["containerDefinitions"][0]["portMappings"]] == [5432]


# -- CloudFormation and the deployer agree ---------------------------------------------------------

def _cfn_world_ports(template: dict) -> dict:
    """security group logical id → {(proto, from, to)} open to the whole internet."""
    out: dict = {}
    for rid, res in template["Resources"].items():
        if res["Type"] == "AWS::EC2::SecurityGroup":
            rules = [(rid, r) for r in res["Properties"].get("SecurityGroupIngress", [])]
        elif res["Type"] == "AWS::EC2::SecurityGroupIngress":
            rules = [(json.dumps(res["Properties"]["GroupId"]), res["Properties"])]
        else:
            continue
        for group, r in rules:
            if r.get("CidrIp") in WORLD or r.get("CidrIpv6") in WORLD:
                out.setdefault(group, set()).add((r["IpProtocol"], r["FromPort"], r["ToPort"]))
    return out


def _cfn_service_views(files: dict) -> dict:
    """ECS service name → (world-open (proto, from, to) set, AssignPublicIp value) over every template."""
    out = {}
    for template in files.values():
        world = _cfn_world_ports(template)
        for res in template["Resources"].values():
            if res["Type"] != "AWS::ECS::Service":
                continue
            props = res["Properties"]
            vpc = props["NetworkConfiguration"]["AwsvpcConfiguration"]
            own = vpc["SecurityGroups"][0]["Fn::GetAtt"][0]
            out[props["ServiceName"]] = (world.get(own, set()), vpc["AssignPublicIp"])
    return out


def _deployer_views(ecs, default_vpc: bool = False) -> dict:
    """ECS service name → (world-open (proto, from, to) set, assignPublicIp) as the deployer plans them
    (into given subnets, or into the default VPC, which has no NAT gateway)."""
    live = Live(subnets=["subnet-1"], group_ids={s.name: f"sg-{i:08d}" for i, s in enumerate(ecs.services)},
                default_vpc=default_vpc)
    out = {}
    for service in ecs.services:
        rules = aws_network.desired_rules(ecs, service)
        for proto, low, high, _source in rules:
            assert isinstance(low, int) and isinstance(high, int), (service.name, rules)
        world = {(proto, low, high) for proto, low, high, source in rules if source in WORLD}
        public = network_configuration(service, live, ecs)["awsvpcConfiguration"]["assignPublicIp"]
        out[service.name] = (world, public)
    return out


def _cfn_public(value, template_default: str = "ENABLED", pulls: str = "DISABLED") -> str:
    """The AssignPublicIp a stack gets: parameter defaults, PublicIpForPulls as deploy fills it
    (DISABLED in given subnets, ENABLED in the default VPC)."""
    if value == {"Ref": "PublicIpForPulls"}:
        return pulls
    return template_default if value == {"Ref": "AssignPublicIp"} else value


def test_cloudformation_and_deployer_open_the_same_ports_and_agree_on_public_ips(tmp_path):
    ecs = _convert(tmp_path).ecs
    files = build_templates(ecs)
    for template in files.values():
        assert lint(dump_template(template)) == []
    cfn, api = _cfn_service_views(files), _deployer_views(ecs)
    assert {k: (w, _cfn_public(p)) for k, (w, p) in cfn.items()} == api
    assert api == {
        "web": ({("tcp", 80, 80), ("tcp", 8000, 8001)}, "ENABLED"),
        "db": (set(), "DISABLED"),
        "debug": (set(), "DISABLED"),
        "edge": ({("tcp", 8443, 8443)}, "ENABLED"),
    }


def test_peers_still_reach_a_loopback_port(tmp_path):
    ecs = _convert(tmp_path).ecs
    db = next(s for s in ecs.services if s.name == "db")
    assert ("tcp", 5432, 5432, "sg:web") in aws_network.desired_rules(ecs, db)
    template = build_templates(ecs)["cloudformation.yaml"]
    rules = template["Resources"]["DbSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert [r["FromPort"] for r in rules if "SourceSecurityGroupId" in r] == [5432]


def test_no_public_ip_without_an_internet_port_is_said_once_per_service(tmp_path):
    result = _convert(tmp_path)
    lines = [line for line in _findings(result) if exposure.NO_PUBLIC_IP in line]
    assert [line.split(": info:")[0].rsplit(": ", 1)[1] for line in lines] == ["services.db", "services.debug"]


@pytest.mark.parametrize("x_ecs, expected", [
    ("    x-ecs: {assign_public_ip: true}\n", {"db": "ENABLED", "web": "ENABLED"}),
    ("    x-ecs: {assign_public_ip: false}\n", {"db": "DISABLED", "web": "ENABLED"}),
])
def test_per_service_opt_in_wins(tmp_path, x_ecs, expected):
    text = "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n  db:\n    image: postgres\n" \
           "    ports: ['127.0.0.1:5432:5432']\n" + x_ecs
    ecs = _convert(tmp_path, text).ecs
    cfn = {k: _cfn_public(p) for k, (_w, p) in _cfn_service_views(build_templates(ecs)).items()}
    api = {k: p for k, (_w, p) in _deployer_views(ecs).items()}
    assert cfn == api == expected
    db_lines = [line for line in _findings(_convert(tmp_path, text)) if "services.db" in line]
    assert not any(exposure.NO_PUBLIC_IP in line for line in db_lines), "the user chose: nothing to say"


def test_top_level_choice_is_followed_by_both_paths(tmp_path):
    text = "x-ecs: {assign_public_ip: false}\nservices:\n  web:\n    image: nginx\n    ports: ['80:80']\n" \
           "  db:\n    image: postgres\n"
    ecs = _convert(tmp_path, text).ecs
    template = build_templates(ecs)["cloudformation.yaml"]
    assert template["Parameters"]["AssignPublicIp"]["Default"] == "DISABLED"
    cfn = {k: _cfn_public(p, "DISABLED") for k, (_w, p) in _cfn_service_views({"t": template}).items()}
    api = {k: p for k, (_w, p) in _deployer_views(ecs).items()}
    assert cfn == api == {"web": "DISABLED", "db": "DISABLED"}


def test_no_unused_assign_public_ip_parameter(tmp_path):
    ecs = _convert(tmp_path, "services:\n  db:\n    image: postgres\n    ports: ['127.0.0.1:5432:5432']\n").ecs
    template = build_templates(ecs)["cloudformation.yaml"]
    text = dump_template(template)
    assert "AssignPublicIp" not in template["Parameters"] and "Ref: AssignPublicIp" not in text
    # the database's only public IP is the one for pulling images, off unless the subnets need it
    assert template["Parameters"]["PublicIpForPulls"]["Default"] == "DISABLED"
    assert lint(text) == []


def test_default_vpc_gives_local_only_services_a_public_ip_for_pulls_only(tmp_path):
    """The default VPC has no NAT gateway: without a public IP a database could not pull its
    image. It gets one for egress; its security group still admits nothing from the internet."""
    ecs = _convert(tmp_path).ecs
    cfn = _cfn_service_views(build_templates(ecs))
    api = _deployer_views(ecs, default_vpc=True)
    assert {k: (w, _cfn_public(p, pulls="ENABLED")) for k, (w, p) in cfn.items()} == api
    assert api["db"] == (set(), "ENABLED") and api["debug"] == (set(), "ENABLED")


def test_docker_run_loopback_publish_stays_local(tmp_path):
    result = convert_inputs(InputOptions(docker_run=("docker run -d --name db -p 127.0.0.1:5432:5432 postgres:16",),
                                         cwd=str(tmp_path)), environ={})
    (service,) = result.ecs.services
    assert service.public_ports == () and service.assign_public_ip is False
    assert any("loopback address 127.0.0.1" in line for line in _findings(result))


# -- the corpus: no loopback-bound port is open to the internet anywhere ---------------------------

def _corpus_files() -> list:
    if not CORPUS.exists():
        return []
    patterns = ("awesome-compose/*/compose.y*ml", "real/*.y*ml", "real/*/docker-compose.y*ml", "real/*/compose.y*ml")
    return sorted({str(p.relative_to(CORPUS)) for pattern in patterns for p in CORPUS.glob(pattern)})


def _loopback(host_ip) -> bool:
    """The test's own oracle (independent of ecs/exposure.py): bound to the host's loopback."""
    text = (host_ip or "").strip("[]")
    if text == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def _local_ports(result) -> dict:
    """ECS service → {(proto, port)} published only on a loopback address and never on another
    address (a port published both ways may be an internet port)."""
    group_of = {c: s.name for s in result.ecs.services for c in s.compose_services}
    local: dict = {}
    public: dict = {}
    for service in result.project.services:
        if service.name not in group_of:
            continue
        for port in service.ports:
            key = ((port.protocol or "tcp").lower(), port.target)
            bucket = local if _loopback(port.host_ip) else public
            bucket.setdefault(group_of[service.name], set()).add(key)
    return {svc: ports - public.get(svc, set()) for svc, ports in local.items() if ports - public.get(svc, set())}


def _covers(rules: set, proto: str, port: int) -> bool:
    return any(p in (proto, "-1") and low <= port <= high for p, low, high in rules)


def _corpus_convert(name: str):
    from compose2ecs.errors import UserError

    path = corpus_dir(name)
    try:
        return convert_inputs(InputOptions(files=(str(path),), cwd=str(path.parent)), environ={})
    except UserError as err:  # the front-end rejects some corpus files on purpose
        pytest.skip(f"front-end rejects {path.name}: {str(err).splitlines()[0][:120]}")


@pytest.mark.parametrize("name", _corpus_files() or ["<corpus absent>"])
def test_corpus_local_ports_get_no_internet_ingress(name):
    result = _corpus_convert(name)
    cfn = _cfn_service_views(build_templates(result.ecs))
    api = _deployer_views(result.ecs)
    for svc, (world, public) in api.items():  # both paths agree on every service, local ports or not
        if svc not in cfn:  # a one-shot job: RunTask on deploy, no AWS::ECS::Service
            assert result.ecs.service(svc).job, svc
            continue
        assert cfn[svc][0] == world, svc
        assert _cfn_public(cfn[svc][1]) == public, svc
    for svc, ports in _local_ports(result).items():
        for proto, port in ports:
            assert not _covers(api[svc][0], proto, port), (svc, proto, port)
            assert not _covers(cfn[svc][0], proto, port), (svc, proto, port)
    listening = _task_ports(result.ecs)
    for svc, (world, _public) in api.items():  # the internet reaches only ports the task listens on
        for proto, low, high in world:
            assert any(p == proto and lo <= low and high <= hi for p, lo, hi in listening[svc]), (svc, world)


def _task_ports(ecs) -> dict:
    """ECS service → {(proto, from, to)} of the portMappings its task definition registers."""
    tds = {td.family: task_definition_dict(td) for td in ecs.task_definitions}
    out = {}
    for service in ecs.services:
        spans = set()
        for container in tds[service.task_definition]["containerDefinitions"]:
            for m in container.get("portMappings", []):
                low, high = exposure.port_span(m.get("containerPortRange") or m["containerPort"])
                spans.add((m.get("protocol", "tcp"), low, high))
        out[service.name] = spans
    return out


@pytest.mark.parametrize("name, service, port", [
    ("real/mailcow-docker-compose.yaml", "dovecot-mailcow", 12345),  # doveadm, 127.0.0.1:19991
    ("real/mailcow-docker-compose.yaml", "mysql-mailcow", 3306),
    ("real/mailcow-docker-compose.yaml", "redis-mailcow", 6379),
    ("real/voting-app-docker-compose.yaml", "result", 9229),  # the node debugger
])
def test_named_corpus_cases_are_local(name, service, port):
    result = _corpus_convert(name)
    group = next(s.name for s in result.ecs.services if service in s.compose_services)
    assert ("tcp", port) in _local_ports(result).get(group, set()), "the case binds the port on loopback"
    assert not _covers(_deployer_views(result.ecs)[group][0], "tcp", port)
    assert not _covers(_cfn_service_views(build_templates(result.ecs))[group][0], "tcp", port)
    assert any(f"services.{service}.ports" in line and "loopback address 127.0.0.1" in line
               for line in _findings(result))


# -- the deployer against moto: security groups, assignPublicIp, ranges, re-run ---------------------

def _api_deploy(ecs, clients, render=task_definition_dict):
    from compose2ecs.aws.deploy import DeployOptions, deploy
    from compose2ecs.aws.progress import PlainProgress

    clock = FakeClock()
    return deploy(ecs, clients, DeployOptions(), PlainProgress(io.StringIO(), clock), clock.sleep, clock, render)


@pytest.fixture
def recorded(moto):  # noqa: F811 - the moto fixture
    from compose2ecs.aws.session import CallRecorder

    recorder = CallRecorder()
    clients = make_clients(recorder)
    sent: list = []
    clients.hooks.append(lambda client: client.meta.events.register(
        "provide-client-params.ecs.CreateService", lambda params, **_: sent.append(dict(params))))
    return recorder, clients, sent


def test_deployer_opens_only_internet_ports_and_gives_public_ips_only_to_them(recorded, tmp_path):
    recorder, clients, sent = recorded
    ecs = _convert(tmp_path).ecs
    _api_deploy(ecs, clients)
    groups = {g["GroupName"]: g["IpPermissions"] for g in clients.ec2.describe_security_groups()["SecurityGroups"]}
    world = {name: {(p["IpProtocol"], p["FromPort"], p["ToPort"]) for p in perms
                    if any(r["CidrIp"] in WORLD for r in p.get("IpRanges", []))} for name, perms in groups.items()}
    assert world["exposure-web"] == {("tcp", 80, 80), ("tcp", 8000, 8001)}
    assert world["exposure-edge"] == {("tcp", 8443, 8443)}
    assert world["exposure-db"] == set() and world["exposure-debug"] == set()
    db = {(p["FromPort"], p["ToPort"]) for p in groups["exposure-db"]}
    assert db == {(5432, 5432)}, "peers still reach the loopback-bound database"
    public = {b["serviceName"]: b["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] for b in sent}
    # moto's account has a default VPC (no NAT): db and debug get a public IP to pull images only;
    # their security groups above admit nothing from the internet
    assert public == {"web": "ENABLED", "edge": "ENABLED", "db": "ENABLED", "debug": "ENABLED"}


def test_port_ranges_deploy_through_the_api_and_a_rerun_changes_nothing(recorded, tmp_path):
    recorder, clients, _ = recorded
    ecs = _convert(tmp_path).ecs
    first = _api_deploy(ecs, clients)
    assert first.applied
    registered = clients.ecs.describe_task_definition(taskDefinition="exposure-web")["taskDefinition"]
    ranges = [p["containerPortRange"] for p in registered["containerDefinitions"][0]["portMappings"]
              if "containerPortRange" in p]
    assert ranges == ["8000-8001", "9000-9001"]
    recorder.calls.clear()
    second = _api_deploy(ecs, clients)
    assert recorder.mutating() == [] and not second.changed


def test_a_request_botocore_would_reject_fails_before_the_first_mutating_call(recorded, tmp_path):
    recorder, clients, _ = recorded
    ecs = _convert(tmp_path).ecs

    def bad_render(td):  # a port number as a string: what a range used to send
        body = task_definition_dict(td)
        for container in body["containerDefinitions"]:
            for port in container.get("portMappings", []):
                if "containerPort" in port:
                    port["containerPort"] = str(port["containerPort"])
        return body

    with pytest.raises(AwsError) as raised:
        _api_deploy(ecs, clients, bad_render)
    assert str(raised.value).startswith("task definition exposure-")
    assert "ParamValidation" in str(raised.value) and "nothing was created" in str(raised.value)
    assert recorder.calls and recorder.mutating() == [], recorder.mutating()


def test_preflight_checks_the_security_group_requests_too(recorded, tmp_path, monkeypatch):
    recorder, clients, _ = recorded
    ecs = _convert(tmp_path).ecs
    monkeypatch.setattr(aws_network, "desired_rules",  # the pre-fix rule shape: a range as one string
                        lambda project, service: frozenset({("tcp", "8000-8001", "8000-8001", "0.0.0.0/0")}))
    with pytest.raises(AwsError) as raised:
        _api_deploy(ecs, clients)
    assert str(raised.value).startswith("security group exposure-")
    assert recorder.mutating() == []


# -- both deploy paths through the CLI against a moto server ---------------------------------------

E2E = """\
name: ranges
x-ecs:
  service_connect: false   # moto's CloudFormation cannot create Cloud Map namespaces
services:
  web:
    image: nginx:1.27
    ports:
      - "80:80"
      - "8000-8001:8000-8001"
    expose:
      - "9000-9001"
  db:
    image: postgres:16
    ports:
      - "127.0.0.1:5432:5432"
"""


def _cli(endpoint, cwd, *args):
    env = dict(os.environ, PYTHONPATH=str(REPO), CI="true")
    command = [sys.executable, "-m", "compose2ecs.cli", *args, "--endpoint-url", endpoint, "--region", "us-east-1"]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _groups(endpoint) -> dict:
    import boto3

    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name="us-east-1")
    return {g["GroupName"]: g["IpPermissions"] for g in ec2.describe_security_groups()["SecurityGroups"]}


def _group(groups: dict, service: str) -> list:
    """The service's group: ``ranges-web`` (api) or ``ranges-WebSecurityGroup-…`` (CloudFormation)."""
    (perms,) = [p for n, p in groups.items()
                if n.lower() == f"ranges-{service}" or n.lower().startswith(f"ranges-{service}securitygroup-")]
    return perms


def _world(perms) -> set:
    return {(p["FromPort"], p["ToPort"]) for p in perms if any(r["CidrIp"] in WORLD for r in p.get("IpRanges", []))}


@pytest.mark.parametrize("via", ["api", "cloudformation"])
def test_port_ranges_deploy_end_to_end_and_rerun(moto_server, tmp_path, via):  # noqa: F811
    (tmp_path / "compose.yaml").write_text(E2E, encoding="utf-8")
    converted = subprocess.run([sys.executable, "-m", "compose2ecs.cli", "convert", "--format", "cloudformation",
                                "-o", "template.yaml"], cwd=tmp_path, capture_output=True, text=True,
                               env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=300)
    assert converted.returncode == 0, converted.stderr
    assert lint((tmp_path / "template.yaml").read_text(encoding="utf-8")) == []
    first = _cli(moto_server, tmp_path, "deploy", "--via", via)
    assert first.returncode == 0, first.stdout + first.stderr
    groups = _groups(moto_server)
    web, db = _group(groups, "web"), _group(groups, "db")
    assert _world(web) == {(80, 80), (8000, 8001)}
    assert _world(db) == set()
    again = _cli(moto_server, tmp_path, "deploy", "--via", via)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "no changes" in (again.stdout + again.stderr).lower()


def test_plan_says_local_only_services_get_a_public_ip_for_pulls_in_the_default_vpc(moto, tmp_path):  # noqa: F811
    from compose2ecs.aws.plan import make_plan, render_plan

    plan = make_plan(_convert(tmp_path).ecs, make_clients(), task_definition_dict)
    line = next(line for line in render_plan(plan).splitlines() if " network " in line)
    assert "default VPC" in line and "db, debug: public IP only to pull images" in line
    assert "no internet ingress" in line
