"""`logs --since` reads what `docker compose logs --since` reads; anything else is a located
user error (it used to be an internal ValueError)."""
from __future__ import annotations

import pytest

from compose2ecs.aws.logs import parse_since
from compose2ecs.errors import UserError

NOW = 1_800_000_000.0


@pytest.mark.parametrize("value, expected_ms", [
    ("10m", 1_799_999_400_000),
    ("1h30m", 1_799_994_600_000),
    ("2.5s", 1_799_999_997_500),
    ("2026-12-04T13:00:00Z", 1_796_389_200_000),
    ("2026-12-04T13:00:00+01:00", 1_796_385_600_000),
    ("2026-12-04T13:00:00.5Z", 1_796_389_200_500),
    ("1733316000", 1_733_316_000_000),  # a Unix timestamp, as in Docker
])
def test_since_accepts_durations_rfc3339_times_and_unix_timestamps(value, expected_ms):
    assert parse_since(value, NOW) == expected_ms


def test_a_date_without_zone_is_local_time_like_docker():
    from datetime import datetime

    assert parse_since("2026-12-04", NOW) == int(datetime(2026, 12, 4).timestamp() * 1000)


@pytest.mark.parametrize("value", ["10x", "", "-5m", "2026-13-04", "yesterday", "10m ago"])
def test_anything_else_is_a_located_user_error_naming_the_forms(value):
    with pytest.raises(UserError) as caught:
        parse_since(value, NOW)
    text = str(caught.value)
    assert text.startswith("--since: error:") and "RFC 3339" in text and "--since 10m" in text
