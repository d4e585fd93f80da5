"""Shared units: one meaning for `1g`, `1m30s` and `0.5` CPUs everywhere."""
from __future__ import annotations

import pytest

from compose2ecs.units import format_duration, parse_bytes, parse_cpus, parse_duration, split_command


@pytest.mark.parametrize("text, expected", [
    ("512m", 512 * 1024 ** 2), ("1g", 1024 ** 3), ("1.5G", int(1.5 * 1024 ** 3)), ("2048k", 2 * 1024 ** 2),
    ("512Mi", 512 * 1024 ** 2), ("300mb", 300 * 1024 ** 2), ("2b", 2), (1024, 1024), ("100", 100),
])
def test_byte_sizes_are_1024_based(text, expected):
    assert parse_bytes(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("1m30s", 90.0), ("10ms", 0.01), ("1h5m30s20ms", 3930.02), ("1.5s", 1.5), ("30", 30.0), (5, 5.0),
])
def test_durations_follow_go(text, expected):
    assert parse_duration(text) == pytest.approx(expected)


@pytest.mark.parametrize("bad", ["lots", "-1", float("inf"), float("nan"), True, "1x"])
def test_bad_byte_sizes_are_rejected(bad):
    with pytest.raises(ValueError):
        parse_bytes(bad)


@pytest.mark.parametrize("bad", ["many", -1, float("inf"), float("nan"), False])
def test_bad_cpu_counts_are_rejected(bad):
    with pytest.raises(ValueError):
        parse_cpus(bad)


def test_durations_format_back_to_go_style():
    assert [format_duration(s) for s in (0, 90, 0.5, 3600)] == ["0s", "1m30s", "500ms", "1h"]


def test_commands_split_like_a_shell_without_expansion():
    assert split_command("sh -c 'echo $HOME' \"a b\"") == ["sh", "-c", "echo $HOME", "a b"]
    with pytest.raises(ValueError):
        split_command("echo 'unbalanced")
