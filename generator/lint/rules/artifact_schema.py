"""The artifact does not match Velociraptor's artifact format (unknown key, wrong kind of value).

Checked against ``schema/velociraptor-artifact.schema.json``, which transcribes
``artifacts/proto/artifact.proto``. Velociraptor unmarshals artifacts with ``yaml.UnmarshalStrict``,
so an unknown key anywhere (``field X not found in type proto.Artifact``) or a list where a string
belongs is refused at load time. Scalars stored as strings may be written as numbers or booleans,
as Velociraptor accepts them.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from ...diagnostics import Severity
from ...resources import ARTIFACT_SCHEMA, schema_text
from ...schemacheck import accepts
from ..context import LintContext
from ..model import Finding

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

ID = "artifact-schema"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


@cache
def validator() -> Draft202012Validator:
    # Imported only for an artifact the compiled check does not accept (`generator.schemacheck`).
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend

    from ...schemacheck import pattern_validator

    ecma = extend(Draft202012Validator, {"pattern": pattern_validator})  # type: ignore[no-untyped-call]
    return cast(Draft202012Validator, ecma(json.loads(schema_text(ARTIFACT_SCHEMA))))


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return f"the {type(value).__name__} {value!r}"


def _key_hint(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return "known keys here: " + ", ".join(allowed)


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    if error.context:
        best = max(error.context, key=lambda e: len(e.absolute_path))
        yield from _leaves(best)
    else:
        yield error


def _plain(value: Any) -> Any:
    """YAML 1.1 dates and timestamps are strings to Velociraptor's loader."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def check(ctx: LintContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    data = _plain(ctx.data)
    if accepts(ARTIFACT_SCHEMA)(data):
        return
    for error in validator().iter_errors(data):
        for leaf in _leaves(error):
            where = tuple(leaf.absolute_path)
            schema = leaf.schema if isinstance(leaf.schema, dict) else {}
            if leaf.validator == "additionalProperties" and isinstance(leaf.instance, dict):
                allowed = schema.get("properties", {})
                proto = schema.get("title", "proto.Artifact")
                for key in leaf.instance:
                    if key not in allowed:
                        yield Finding(
                            ID,
                            ctx.artifact.location((*where, str(key)), key=True),
                            f"unknown key {key!r}: Velociraptor refuses it "
                            f"(field {key} not found in type {proto})",
                            _key_hint(str(key), sorted(allowed)),
                            subject=str(key),
                        )
            elif leaf.validator == "required":
                yield Finding(
                    ID,
                    ctx.artifact.location(where),
                    f"artifact {leaf.message}",
                    "every artifact needs a `name:`",
                )
            else:
                expected = schema.get("type") or "a different kind of value"
                yield Finding(
                    ID,
                    ctx.artifact.location(where),
                    f"{'.'.join(map(str, where)) or 'document'} is {_kind(leaf.instance)}; "
                    f"expected {expected if isinstance(expected, str) else ' or '.join(expected)}",
                )
