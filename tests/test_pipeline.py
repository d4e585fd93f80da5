"""The pipeline's own decisions: where the region comes from when nothing is given."""
from __future__ import annotations

from compose2ecs.pipeline import InputOptions, aws_config_region, convert_inputs


def write_config(tmp_path, text):
    path = tmp_path / "config"
    path.write_text(text)
    return str(path)


def test_region_of_the_active_profile_is_read_from_the_config_file(tmp_path):
    config = write_config(tmp_path, "[default]\nregion = eu-west-1\n[profile ci]\nregion = ap-south-1\n")
    assert aws_config_region({"AWS_CONFIG_FILE": config}) == "eu-west-1"
    assert aws_config_region({"AWS_CONFIG_FILE": config, "AWS_PROFILE": "ci"}) == "ap-south-1"
    assert aws_config_region({"AWS_CONFIG_FILE": config, "AWS_PROFILE": "other"}) is None


def test_missing_or_broken_config_file_gives_no_region(tmp_path):
    assert aws_config_region({"AWS_CONFIG_FILE": str(tmp_path / "nope")}) is None
    broken = write_config(tmp_path, "region = x\n[[[")
    assert aws_config_region({"AWS_CONFIG_FILE": broken}) is None


def test_convert_uses_the_config_file_region_for_awslogs(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    config = write_config(tmp_path, "[default]\nregion = eu-central-1\n")
    result = convert_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path)),
                            environ={"AWS_CONFIG_FILE": config})
    options = dict(result.ecs.task_definitions[0].containers[0].log_configuration.options)
    assert options["awslogs-region"] == "eu-central-1"
    assert not any("no AWS region configured" in f.message for f in result.findings)


import pytest  # noqa: E402

from compose2ecs.errors import UserError  # noqa: E402


@pytest.mark.parametrize("flags, message", [
    ({"launch_type": "BOGUS"}, "'BOGUS' is not a launch type"),
    ({"load_balancer": "elb"}, "'elb' is not a load balancer type"),
    ({"efs": (("data", "notanfs"),)}, "'notanfs' is not an EFS file system id"),
    ({"efs": (("dta", "fs-12345678"),)}, "the project has no named volume 'dta' (did you mean 'data'?)"),
    ({"images": (("wbe", "repo/web:1"),)}, "the project has no service 'wbe' (did you mean 'web'?)"),
])
def test_flag_values_that_cannot_apply_are_errors(tmp_path, flags, message):
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx\n    volumes: [data:/d]\nvolumes:\n  data: {}\n")
    options = InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path), **flags)
    with pytest.raises(UserError) as info:
        convert_inputs(options, environ={})
    assert message in str(info.value)
