"""The published JSON Schema: a valid draft-07 contract, documented on every property."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from vr_quarantine.profile import default_profile
from vr_quarantine.profile.model import (
    DEFAULT_ARTIFACT_NAME,
    DEFAULT_CHECK_TIMEOUT,
    DEFAULT_POLICY_NAME,
)
from vr_quarantine.profile.schema import iter_properties, profile_schema

SCHEMA = profile_schema()
PROPERTIES = list(iter_properties(SCHEMA))


def _objects(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if node.get("type") == "object":
            found.append(node)
        for value in node.values():
            found.extend(_objects(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_objects(value))
    return found


def test_is_valid_draft_07() -> None:
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(SCHEMA)


def test_unknown_keys_refused_everywhere() -> None:
    objects = _objects(SCHEMA)
    assert len(objects) >= 6
    assert all(o.get("additionalProperties") is False for o in objects)


@pytest.mark.parametrize(("name", "prop"), PROPERTIES, ids=[n for n, _ in PROPERTIES])
def test_every_property_is_documented(name: str, prop: dict[str, Any]) -> None:
    for key in ("title", "description", "default", "examples"):
        assert key in prop, f"{name} lacks {key}"
    validator = jsonschema.Draft7Validator({**prop, "definitions": SCHEMA["definitions"]})
    assert validator.is_valid(prop["default"]), f"{name}: default does not validate"
    for example in prop["examples"]:
        assert validator.is_valid(example), f"{name}: example {example!r} does not validate"


def test_schema_defaults_are_the_model_defaults() -> None:
    props = SCHEMA["properties"]
    assert props["artifact"]["properties"]["name"]["default"] == DEFAULT_ARTIFACT_NAME
    assert props["policy_name"]["default"] == DEFAULT_POLICY_NAME
    assert props["rollback"]["properties"]["timeout_seconds"]["default"] == DEFAULT_CHECK_TIMEOUT
    profile = default_profile()
    assert props["servers"]["properties"]["from_client_config"]["default"] is (
        profile.use_client_server_urls
    )
    assert props["allow"]["properties"]["dns"]["default"] is profile.allow_dns
    assert props["allow"]["properties"]["dhcp"]["default"] is profile.allow_dhcp
    assert props["block_all"]["default"] is profile.block_all
    assert props["rules"]["items"] == {"$ref": "#/definitions/rule"}
    rule = SCHEMA["definitions"]["rule"]["properties"]
    assert rule["mirrored"]["default"] is True


def test_rule_fields_have_titles_of_their_own() -> None:
    props = dict(PROPERTIES)
    titles = [
        props[f"rules.[].{side}{part}"]["title"]
        for side in ("source", "destination")
        for part in ("", "_mask", "_port")
    ]
    assert len(set(titles)) == len(titles) == 6
    assert props["rules.[].destination_port"]["title"] == "Destination port"
