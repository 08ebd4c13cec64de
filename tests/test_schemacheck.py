"""The compiled schema check never accepts what jsonschema refuses, and accepts what we ship."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vr_quarantine.resources import ARTIFACT_SCHEMA, PROFILE_SCHEMA, schema_text
from vr_quarantine.schemacheck import accepts, compile_schema

ROOT = Path(__file__).resolve().parent.parent
PROFILES = [
    yaml.safe_load(p.read_text(encoding="utf-8"))
    for p in [*sorted((ROOT / "examples").glob("*.yaml")), ROOT / "generator/profile/default.yaml"]
]
ARTIFACTS = [
    yaml.safe_load(p.read_text(encoding="utf-8"))
    for p in sorted((ROOT / "artifacts").glob("*.yaml"))
]
VALIDATORS = {
    PROFILE_SCHEMA: jsonschema.Draft7Validator(json.loads(schema_text(PROFILE_SCHEMA))),
    ARTIFACT_SCHEMA: jsonschema.Draft202012Validator(json.loads(schema_text(ARTIFACT_SCHEMA))),
}

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=70000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        ["", "permit", "block", "me", "any", "tcp", "Custom.X", "https://a.example/", "CLIENT"]
    ),
    st.text(max_size=8),
    st.dates(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*at, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, documents: list[Any]) -> Any:
    document = copy.deepcopy(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(document)))
        if not path:
            continue
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=6))] = draw(VALUES)
        else:
            parent[path[-1]] = draw(VALUES)
    return document


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, datetime.date) else value


@pytest.mark.parametrize("name", [PROFILE_SCHEMA, ARTIFACT_SCHEMA])
def test_both_schemas_compile(name: str) -> None:
    assert compile_schema(json.loads(schema_text(name))) is not None


def test_what_we_ship_is_accepted_without_jsonschema(corpus_dir: Path) -> None:
    assert all(accepts(PROFILE_SCHEMA)(p) for p in PROFILES)
    assert all(accepts(ARTIFACT_SCHEMA)(a) for a in ARTIFACTS)
    corpus = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in corpus_dir.rglob("*.yaml")]
    assert all(accepts(ARTIFACT_SCHEMA)(_plain(a)) for a in corpus)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(PROFILES))
def test_never_accepts_a_profile_jsonschema_refuses(document: Any) -> None:
    if accepts(PROFILE_SCHEMA)(document):
        assert VALIDATORS[PROFILE_SCHEMA].is_valid(document)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(ARTIFACTS))
def test_never_accepts_an_artifact_jsonschema_refuses(document: Any) -> None:
    if accepts(ARTIFACT_SCHEMA)(document):
        assert VALIDATORS[ARTIFACT_SCHEMA].is_valid(document)


@pytest.mark.parametrize(
    ("schema", "instance", "accepted"),
    [
        ({"type": "integer"}, 1, True),
        ({"type": "integer"}, True, False),
        ({"type": "integer"}, 1.0, False),  # valid for jsonschema, but not sure here: False
        ({"enum": [1, "a"]}, True, False),
        ({"const": False}, 0, False),
        ({"uniqueItems": True}, ["a", "a"], False),
        ({"uniqueItems": True}, [1, True], True),  # JSON: true is not 1
        ({"uniqueItems": True}, [{"a": 1, "b": 2}, {"b": 2, "a": 1}], False),
        ({"uniqueItems": True}, [{"a": 1}, {"a": True}], True),
        ({"uniqueItems": True}, [{"a": 1.0}, {"a": 2}], False),  # a float: not sure
        ({"if": {"required": ["p"]}, "then": {"required": ["q"]}}, {"p": 1}, False),
        ({"if": {"required": ["p"]}, "then": {"required": ["q"]}}, {"p": 1, "q": 2}, True),
        ({"if": {"required": ["p"]}, "then": {"required": ["q"]}}, {}, True),
        ({"if": {"const": True}, "then": {"type": "null"}, "else": {"type": "string"}}, 3, False),
        ({"not": {"pattern": "^a"}}, "abc", False),
        ({"not": {"pattern": "^a"}}, "xbc", True),
        ({"contains": {"enum": ["x"]}}, ["y", "x"], True),
        ({"contains": {"enum": ["x"]}}, ["y"], False),
        ({"additionalProperties": False, "properties": {"a": {}}}, {"a": 1, "b": 2}, False),
        ({"pattern": "^x"}, 5, True),
        ({"maxLength": 2}, "abc", False),
        ({"$ref": "#/definitions/n", "definitions": {"n": {"type": "null"}}}, None, True),
    ],
)
def test_small_cases(schema: dict[str, Any], instance: Any, accepted: bool) -> None:
    check = compile_schema(schema)
    assert check is not None and check(instance) is accepted


def test_an_unknown_keyword_means_jsonschema_decides() -> None:
    assert compile_schema({"patternProperties": {"^a": {}}}) is None
    assert compile_schema({"propertyNames": {"maxLength": 3}}) is None


def test_a_condition_that_cannot_be_answered_exactly_means_jsonschema_decides() -> None:
    # False means "not sure"; inside `if` or `not` it would turn into a wrong True.
    assert compile_schema({"if": {"type": "integer"}, "then": {}}) is None
    assert compile_schema({"not": {"const": 1}}) is None
    assert compile_schema({"not": {"uniqueItems": True}}) is None
    assert compile_schema({"if": {"const": "a"}, "then": {"type": "integer"}}) is not None


def test_a_reference_inside_a_condition_means_jsonschema_decides_in_every_draft() -> None:
    """Draft 7 resolves `$ref` before any other keyword: a reference compiled outside a
    condition must not be reused inside one, where its "not sure" (1.0 may be an integer)
    would turn into a wrong answer."""
    for draft in ({"$schema": "http://json-schema.org/draft-07/schema#"}, {}):
        schema = {
            **draft,
            "definitions": {"i": {"type": "integer"}},
            "properties": {
                "b": {"$ref": "#/definitions/i"},
                "a": {"not": {"$ref": "#/definitions/i"}},
            },
        }
        check = compile_schema(schema)
        for instance in ({"a": 1.0}, {"a": 1}, {"a": 1.5}):
            expected = jsonschema.Draft7Validator(schema).is_valid(instance)
            assert check is None or check(instance) is expected, (draft, instance)
