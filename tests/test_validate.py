"""Phase 5, schema validation: located, plain-word errors (compose/validate.py, messages.py)."""
from __future__ import annotations

import functools
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from compose2ecs.compose import fastschema
from compose2ecs.compose.source import Override, Reset, parse_yaml, read_yaml_file
from compose2ecs.compose.validate import (compose_schema, plain_message, to_plain,
                                          validate_document, validate_with_schema)
from compose2ecs.errors import Finding, Severity, UserError

from .conftest import FIXTURES, corpus_dir
from .golden import cases, check_golden

FILE = "compose.yaml"


def run(text: str) -> list:
    """Validate inline YAML; the rendered error lines, or [] when valid."""
    data = parse_yaml(textwrap.dedent(text), FILE)
    try:
        validate_document(data, FILE)
    except UserError as exc:
        return [str(d) for d in exc.diagnostics]
    return []


# --- one test per message kind, exact text including file:line:col -----------------------

def test_valid_document_has_no_errors():
    assert run("""
        services:
          web:
            image: nginx
            ports: ["80:80", 443]
        """) == []


def test_unknown_service_key_suggests_the_closest_name():
    assert run("""
        services:
          web:
            imgae: nginx
        """) == ["compose.yaml:4:5: services.web: error: unknown key 'imgae' "
                 "(did you mean 'image'?)"]


def test_unknown_key_with_block_value_points_at_the_key_line():
    assert run("""
        services:
          web:
            image: nginx
            deploi:
              replicas: 2
        """) == ["compose.yaml:5:5: services.web: error: unknown key 'deploi' "
                 "(did you mean 'deploy'?)"]


def test_unknown_key_without_close_match_lists_allowed_keys():
    assert run("""
        services:
          web:
            image: nginx
            ports:
              - target: 80
                colour: blue
        """) == ["compose.yaml:7:9: services.web.ports[0]: error: unknown key 'colour' "
                 "(allowed keys: name, mode, host_ip, target, published, protocol, app_protocol;"
                 " custom keys must start with 'x-')"]


def test_unknown_top_level_key_that_looks_like_a_service():
    assert run("""
        services:
          web:
            image: nginx
        worker:
          image: busybox
        """) == ["compose.yaml:5:1: error: unknown key 'worker' "
                 "(it looks like a service: move it under the top-level 'services:' key)"]


def test_type_error_in_plain_words():
    assert run("""
        services:
          web:
            image: nginx
            ports:
              - [80]
        """) == ["compose.yaml:6:9: services.web.ports[0]: error: "
                 "must be a number, a string or a mapping, not a list "
                 '(e.g. "8080:80", or {target: 80, published: "8080"})']


def test_type_error_for_a_scalar_names_the_value():
    assert run("""
        services:
          web:
            image: nginx
            restart: 5
            use_api_socket: "yes"
        """) == ["compose.yaml:5:14: services.web.restart: error: must be a string, "
                 "not the number 5",
                 "compose.yaml:6:21: services.web.use_api_socket: error: must be true or false, "
                 "not a string"]


def test_empty_service_says_it_is_empty():
    assert run("""
        services:
          web:
        """) == ["compose.yaml:3:3: services.web: error: must be a mapping, but it is empty "
                 "(a service is a mapping with at least 'image:' or 'build:')"]


def test_one_of_is_reduced_to_the_branch_matching_the_value():
    # depends_on is a list of names or a mapping; the user wrote a mapping, so the
    # mapping branch's error is the one that matters, not "not valid under any".
    assert run("""
        services:
          web:
            image: nginx
            depends_on:
              db:
                condition: healthy
        """) == ["compose.yaml:7:20: services.web.depends_on.db.condition: error: must be one of: "
                 "service_started, service_healthy, service_completed_successfully, "
                 "not 'healthy'"]


def test_one_of_with_no_fitting_branch_lists_the_accepted_types():
    assert run("""
        services:
          web:
            image: nginx
            command: {run: server}
        """) == ["compose.yaml:5:14: services.web.command: error: must be a string or a list, "
                 'not a mapping (use a string, or a list such as ["npm", "start"])']


def test_missing_required_key_inside_a_one_of_branch():
    assert run("""
        services:
          web:
            image: nginx
            env_file:
              - required: false
        """) == ["compose.yaml:6:9: services.web.env_file[0]: error: missing required key 'path'"]


def test_enum_lists_the_allowed_values():
    assert run("""
        services:
          web:
            image: nginx
            cgroup: shared
        """) == ["compose.yaml:5:13: services.web.cgroup: error: must be one of: host, private, "
                 "not 'shared'"]


def test_restart_policy_values_the_schema_leaves_open():
    assert run("""
        services:
          web:
            image: nginx
            restart: sometimes
          ok1: {image: nginx, restart: "no"}
          ok2: {image: nginx, restart: "on-failure:3"}
          ok3: {image: nginx, restart: unless-stopped}
          unset: {image: nginx, restart: ""}
        """) == ["compose.yaml:5:14: services.web.restart: error: must be one of: no, always, "
                 "on-failure, on-failure:<max retries>, unless-stopped, not 'sometimes'"]


def test_pattern_is_said_in_words():
    assert run("""
        services:
          web:
            image: nginx
            pull_policy: sometimes
        """) == ["compose.yaml:5:18: services.web.pull_policy: error: 'sometimes' must be one "
                 "of: always, never, missing, build, if_not_present, refresh, daily, weekly, "
                 "every_<duration> (e.g. every_12h)"]


def test_invalid_service_name():
    assert run("""
        services:
          "my web":
            image: nginx
        """) == ["compose.yaml:3:3: services: error: invalid service name 'my web': only "
                 "letters, digits, '.', '_' and '-' are allowed (rename it)"]


def test_duplicate_list_entry_points_at_the_second_one():
    assert run("""
        services:
          web:
            image: nginx
            dns:
              - 1.1.1.1
              - 1.1.1.1
        """) == ["compose.yaml:7:9: services.web.dns[1]: error: '1.1.1.1' is listed more than "
                 "once (remove the duplicate entry)"]


def test_minimum_and_maximum():
    assert run("""
        services:
          web:
            image: nginx
            cpu_percent: 150
        """) == ["compose.yaml:5:18: services.web.cpu_percent: error: must be at most 100, "
                 "not 150"]


def test_type_error_hides_the_enum_error_of_the_same_value():
    assert run("""
        services:
          web:
            image: nginx
            cgroup: 5
        """) == ["compose.yaml:5:13: services.web.cgroup: error: must be a string, "
                 "not the number 5"]


def test_all_errors_are_reported_most_specific_first():
    lines = run("""
        services:
          web:
            imgae: nginx
            depends_on:
              db: {condition: healthy}
        netwroks: {}
        """)
    assert [line.split(": error: ")[0] for line in lines] == [
        "compose.yaml:6:23: services.web.depends_on.db.condition",
        "compose.yaml:4:5: services.web",
        "compose.yaml:7:1",
    ]


# --- structure checks before the schema ----------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("", "compose.yaml: error: the compose file is empty "
         "(define your services under a top-level 'services:' key)"),
    ("{}", "compose.yaml:1:1: error: the compose file is empty "
           "(define your services under a top-level 'services:' key)"),
    ("- web\n", "compose.yaml:1:1: error: a compose file must be a mapping of top-level keys "
                "(services:, networks:, volumes:, ...), not a list "
                "(start the file with 'services:')"),
    ("just text\n", "compose.yaml: error: a compose file must be a mapping of top-level keys "
                    "(services:, networks:, volumes:, ...), not a string "
                    "(start the file with 'services:')"),
])
def test_document_that_is_empty_or_not_a_mapping(text, expected):
    assert run(text) == [expected]


def test_legacy_version_1_format():
    assert run("""
        web:
          image: nginx
        db:
          build: ./db
        x-other:
          image: ignored
        """) == ["compose.yaml:2:1: error: this is the legacy Compose file format (version 1): "
                 "'web' and 'db' look like services defined at the top level "
                 "(move the services under a top-level 'services:' key)"]


@pytest.mark.parametrize("key, value, hint", [
    ("net", "host", "use 'network_mode' instead, e.g. network_mode: host"),
    ("log_driver", "syslog", "use 'logging: {driver: ...}' instead"),
    ("log_opt", "{a: b}", "use 'logging: {options: ...}' instead"),
    ("volume_driver", "flocker",
     "set 'driver' on the named volume under the top-level 'volumes:' instead"),
    ("dockerfile", "Dockerfile", "use 'build: {context: ., dockerfile: ...}' instead"),
])
def test_legacy_service_keys_name_their_replacement(key, value, hint):
    assert run(f"""
        services:
          web:
            image: nginx
            {key}: {value}
        """) == [f"compose.yaml:5:5: services.web: error: '{key}' is a key of the legacy Compose "
                 f"file format and is no longer supported ({hint})"]


def test_legacy_keys_flagged_are_really_absent_from_the_schema():
    from compose2ecs.compose.messages import LEGACY_SERVICE_KEYS
    service_keys = compose_schema()["definitions"]["service"]["properties"]
    assert not set(LEGACY_SERVICE_KEYS) & set(service_keys)


def test_version_key_is_an_info_finding():
    data = parse_yaml("version: '3.8'\nservices:\n  web:\n    image: nginx\n", FILE)
    findings = validate_document(data, FILE)
    assert [str(f) for f in findings] == [
        "compose.yaml:1:10: version: info: the top-level 'version' key is obsolete and ignored "
        "(remove it; Compose uses the latest format)"]
    assert findings[0].severity == Severity.INFO


def test_unquoted_version_number_explains_the_fix():
    assert run("version: 3.8\nservices:\n  web:\n    image: nginx\n") == [
        "compose.yaml:1:10: version: error: must be a string, not the number 3.8 "
        '(the key is obsolete: remove it, or quote the value as in "3.8")']


def test_include_without_services_is_valid():
    assert run("include:\n  - ./other.yaml\n") == []


# --- !reset / !override ----------------------------------------------------------------------

def test_error_inside_override_is_located():
    assert run("""
        services:
          web:
            image: nginx
            ports: !override
              - 80
              - [81]
        """) == ["compose.yaml:7:9: services.web.ports[1]: error: "
                 "must be a number, a string or a mapping, not a list "
                 '(e.g. "8080:80", or {target: 80, published: "8080"})']


def test_error_inside_reset_mapping_is_located():
    assert run("""
        services:
          web: !override
            image: nginx
            logging:
              options: [max-size]
        """) == ["compose.yaml:6:16: services.web.logging.options: error: "
                 "must be a mapping, not a list"]


def test_reset_to_null_or_empty_list_counts_as_absent():
    # `services.web: !reset null` would be "must be a mapping" if the schema saw it.
    assert run("""
        services:
          web: !reset null
          api:
            image: nginx
            ports: !reset []
            command: !reset null
        """) == []


def test_reset_of_a_value_is_still_validated():
    assert run("""
        services:
          web:
            image: nginx
            cgroup: !reset shared
        """) == ["compose.yaml:5:13: services.web.cgroup: error: must be one of: host, private, "
                 "not 'shared'"]


# --- odd inputs never crash ------------------------------------------------------------------

def test_non_string_keys_are_validated_as_their_text():
    assert run("""
        services:
          1:
            image: nginx
            labels: {2: three, true: false}
          web:
            image: nginx
            ulimits: {nofile: {soft: 1}}
        """) == ["compose.yaml:8:23: services.web.ulimits.nofile: error: "
                 "missing required key 'hard'"]


def test_plain_python_data_without_locations():
    with pytest.raises(UserError) as info:
        validate_document({"services": {"web": {"image": 5}}}, "gen.yaml")
    assert [str(d) for d in info.value.diagnostics] == [
        "gen.yaml: services.web.image: error: must be a string, not the number 5"]


def test_deep_nesting_is_a_user_error_not_a_crash():
    deep: object = "x"
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(UserError):
        validate_document({"services": {"web": {"image": "x", "x-deep": deep}}}, FILE)


def test_many_services_report_only_the_broken_one():
    services = {f"s{i}": {"image": "nginx", "ports": ["80"]} for i in range(1000)}
    services["s500"]["imgae"] = "x"
    with pytest.raises(UserError) as info:
        validate_document({"services": services}, FILE)
    assert [str(d) for d in info.value.diagnostics] == [
        "compose.yaml: services.s500: error: unknown key 'imgae' (did you mean 'image'?)"]


# --- the generic API (reused by the x-ecs validator) -----------------------------------------

XECS_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {"cpu": {"type": "integer", "minimum": 256},
                   "launch_type": {"enum": ["FARGATE", "EC2"]}},
    "additionalProperties": False,
}


def test_validate_with_schema_locates_under_root_path():
    data = parse_yaml("services:\n  web:\n    x-ecs:\n      cpu: 128\n      lunch_type: EC2\n",
                      FILE)
    sub = data["services"]["web"]["x-ecs"]
    found = validate_with_schema(XECS_SCHEMA, sub, ("services", "web", "x-ecs"), FILE)
    assert all(isinstance(f, Finding) and f.severity == Severity.ERROR for f in found)
    assert [str(f) for f in found] == [
        "compose.yaml:4:12: services.web.x-ecs.cpu: error: must be at least 256, not 128",
        "compose.yaml:5:7: services.web.x-ecs: error: unknown key 'lunch_type' "
        "(did you mean 'launch_type'?)",
    ]


def test_validate_with_schema_valid_returns_nothing():
    assert validate_with_schema(XECS_SCHEMA, {"cpu": 512}, ("x-ecs",), FILE) == []


def test_plain_message_reduces_one_of():
    validator = Draft7Validator(compose_schema())
    doc = {"services": {"web": {"image": "x", "depends_on": {"db": {"condition": "no"}}}}}
    (error,) = validator.iter_errors(doc)
    assert plain_message(error) == ("db.condition: must be one of: service_started, "
                                    "service_healthy, service_completed_successfully, not 'no'")


# --- golden cases ----------------------------------------------------------------------------

def render_case(case: Path) -> str:
    """'ok' (plus any findings) for a valid file, else the error lines."""
    data = parse_yaml((case / "compose.yaml").read_text(encoding="utf-8"), FILE)
    try:
        findings = validate_document(data, FILE)
    except UserError as exc:
        return "".join(f"{d}\n" for d in exc.diagnostics)
    return "ok\n" + "".join(f"{f}\n" for f in findings)


@pytest.mark.parametrize("case", cases(FIXTURES / "validate"), ids=lambda p: p.name)
def test_golden(case, update_golden):
    actual = render_case(case)
    check_golden(case / "error.txt", actual, update_golden)
    # good/bad pairs: a case named *-ok must be valid, any other must fail
    assert actual.startswith("ok\n") == case.name.endswith("-ok")


# --- the real-world corpus -------------------------------------------------------------------

# Every corpus file that does not validate, and why. Anything else must be valid.
EXPECTED_INVALID = {
    # a compose-go test fixture: an intentionally empty service (`nil:`), null per the schema
    "real/compose-go-extends/base.yaml": "services.nil: error: must be a mapping, but it is empty",
    # read raw here, without interpolation: `restart: ${VARIABLE}` is not a restart policy
    "real/compose-go-using-variables.yaml": "services.foo.restart: error: must be one of",
    # docker-compose's own tests of the version-1 format (services at the top level)
    **{f"real/docker-compose-v1-extends/{name}": "legacy Compose file format (version 1)"
       for name in ("common-env-labels-ulimits.yml", "common.yml", "docker-compose.yml",
                    "nested-intermediate.yml", "nested.yml", "specify-file-as-self.yml",
                    "verbose-and-shorthand.yml")},
}


def corpus_files() -> list:
    root = corpus_dir()
    return sorted(p for sub in ("real", "awesome-compose") for p in (root / sub).rglob("*")
                  if p.suffix in (".yml", ".yaml"))


def test_corpus_validates_except_known_cases():
    root = corpus_dir()
    failures = {}
    for path in corpus_files():
        name = path.relative_to(root).as_posix()
        try:
            validate_document(read_yaml_file(str(path), name), name)
        except UserError as exc:
            failures[name] = "\n".join(str(d) for d in exc.diagnostics)
    assert sorted(failures) == sorted(EXPECTED_INVALID)
    for name, reason in EXPECTED_INVALID.items():
        assert reason in failures[name]


def test_fast_check_agrees_with_jsonschema_on_corpus():
    check, validator = compiled_both()
    for path in corpus_files():
        doc = to_plain(read_yaml_file(str(path)))
        assert check(doc) == validator.is_valid(doc), path


def _leaf_paths(value, path=()):
    if isinstance(value, dict):
        for key, child in value.items():
            yield path + (key,)
            yield from _leaf_paths(child, path + (key,))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield path + (i,)
            yield from _leaf_paths(child, path + (i,))


def _replaced(value, path, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replaced(value[head], rest, new)}
    return [_replaced(v, rest, new) if i == head else v for i, v in enumerate(value)]


def test_fast_check_agrees_with_jsonschema_on_mutated_corpus_services():
    # Random documents are almost never valid; a fast-path bug that accepts an invalid
    # service would hide among *nearly valid* ones. Mutate real services one value at a time.
    schema = compose_schema()
    service = {"$ref": "#/definitions/service"}
    check = fastschema.compile_schema(schema, service)
    validator = Draft7Validator({**schema, **service})
    substitutes = (None, 7, 1.5, True, "x", "80:80", [], ["a"], {}, {"x-a": 1})
    compared = 0
    for path in corpus_files():
        doc = to_plain(read_yaml_file(str(path)))
        if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict):
            continue
        for body in doc["services"].values():
            for i, leaf in enumerate(_leaf_paths(body)):
                new = substitutes[(i + compared) % len(substitutes)]
                mutated = _replaced(body, leaf, new)
                assert check(mutated) == validator.is_valid(mutated), (path, leaf, new)
                compared += 1
    assert compared > 1000, compared


# --- fuzzing ---------------------------------------------------------------------------------

SERVICE_KEYS = sorted(compose_schema()["definitions"]["service"]["properties"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                    st.text(max_size=8), st.sampled_from(["80:80", "host", "service_healthy",
                                                          "always", "1g", "tcp"]))
keys = st.one_of(st.text(max_size=6), st.integers(), st.booleans(), st.none(),
                 st.sampled_from(SERVICE_KEYS + ["target", "condition", "x-a", "type"]))
json_like = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=20)
services = st.dictionaries(st.text(max_size=5),
                           st.dictionaries(st.sampled_from(SERVICE_KEYS), json_like, max_size=5),
                           max_size=3)
documents = st.one_of(json_like, st.fixed_dictionaries({"services": services}),
                      st.dictionaries(st.sampled_from(["services", "volumes", "version", "x-a",
                                                       "networks", "include", "web"]),
                                      json_like, max_size=4))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_fuzz_only_user_errors(doc):
    try:
        findings = validate_document(doc, FILE)
    except UserError as exc:
        assert exc.diagnostics and all(d.location.file == FILE for d in exc.diagnostics)
    else:
        assert all(isinstance(f, Finding) for f in findings)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_fuzz_fast_check_agrees_with_jsonschema(doc):
    plain = to_plain(doc)
    check, validator = compiled_both()
    assert check(plain) == validator.is_valid(plain)


@functools.lru_cache(maxsize=1)
def compiled_both():
    return fastschema.compile_schema(compose_schema()), Draft7Validator(compose_schema())


def test_wrappers_are_unwrapped_in_plain_copies():
    assert to_plain({"a": Reset(None), "b": Override([1, Reset(2)]), 3: True}) == \
        {"b": [1, 2], "3": True}
