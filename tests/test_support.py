"""The support table covers every compose service key, and docs/mapping.md is generated from it."""
from __future__ import annotations

import json

from compose2ecs.ecs import support
from tests.conftest import REPO
from tests.golden import check_golden


def schema_service_keys() -> set:
    schema = json.loads((REPO / "schemas" / "compose-spec.json").read_text())
    return set(schema["definitions"]["service"]["properties"])


def test_every_schema_service_key_is_classified():
    missing = schema_service_keys() - set(support.TABLE)
    assert not missing, f"classify these keys in ecs/support.py: {sorted(missing)}"


def test_no_stale_keys_in_the_table():
    assert set(support.TABLE) - schema_service_keys() == set()


def test_every_rule_is_complete():
    kinds = {support.MAPPED, support.EC2, support.UNSUPPORTED, support.INFO, support.FRONTEND}
    for key, rule in support.TABLE.items():
        assert rule.kind in kinds, key
        assert rule.how, key
        if rule.kind in (support.EC2, support.UNSUPPORTED, support.INFO):
            assert rule.message, f"{key} needs finding text"
        if rule.kind == support.EC2:
            assert rule.ec2_key, key


def test_mapping_doc_is_generated_from_the_table(update_golden):
    check_golden(REPO / "docs" / "mapping.md", support.render_mapping(), update_golden)


def test_mapping_doc_lists_every_key():
    text = support.render_mapping()
    for key in schema_service_keys():
        assert f"| `{key}` |" in text
