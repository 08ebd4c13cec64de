"""Whether an artifact file has Velociraptor's artifact shape: the one verdict that lint's
``artifact-schema`` rule reports and that the evaluator requires before it runs an artifact.

Checked against ``schema/velociraptor-artifact.schema.json``, which transcribes
``artifacts/proto/artifact.proto``. Velociraptor unmarshals artifacts with ``yaml.UnmarshalStrict``,
so an unknown key anywhere (``field X not found in type proto.Artifact``) or a list where a string
belongs is refused at load time: such an artifact never reaches a client.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from ..diagnostics import Location
from ..resources import ARTIFACT_SCHEMA, schema_text
from ..schemacheck import accepts
from .file import ArtifactFile

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


@dataclass(frozen=True)
class ShapeProblem:
    """Where the artifact departs from Velociraptor's artifact format, and how to fix it.

    `subject` is the unknown key, when the problem is one (lint's suppressions match it)."""

    location: Location
    message: str
    hint: str | None = None
    subject: str | None = None


@cache
def _validator() -> Draft202012Validator:
    # Imported only for an artifact the compiled check does not accept (`generator.schemacheck`).
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend

    from ..schemacheck import pattern_validator

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


def shape_problems(artifact: ArtifactFile) -> Iterator[ShapeProblem]:
    """Every place where the loaded artifact is not what Velociraptor's loader accepts (for a
    file that did not load as YAML, only that it has no name: its load diagnostics say why)."""
    data = _plain(artifact.data)
    if accepts(ARTIFACT_SCHEMA)(data):
        return
    for error in _validator().iter_errors(data):
        for leaf in _leaves(error):
            where = tuple(leaf.absolute_path)
            schema = leaf.schema if isinstance(leaf.schema, dict) else {}
            if leaf.validator == "additionalProperties" and isinstance(leaf.instance, dict):
                allowed = schema.get("properties", {})
                proto = schema.get("title", "proto.Artifact")
                for key in leaf.instance:
                    if key not in allowed:
                        yield ShapeProblem(
                            artifact.location((*where, str(key)), key=True),
                            f"unknown key {key!r}: Velociraptor refuses it "
                            f"(field {key} not found in type {proto})",
                            _key_hint(str(key), sorted(allowed)),
                            subject=str(key),
                        )
            elif leaf.validator == "required":
                yield ShapeProblem(
                    artifact.location(where),
                    f"artifact {leaf.message}",
                    "every artifact needs a `name:`",
                )
            else:
                expected = schema.get("type") or "a different kind of value"
                yield ShapeProblem(
                    artifact.location(where),
                    f"{'.'.join(map(str, where)) or 'document'} is {_kind(leaf.instance)}; "
                    f"expected {expected if isinstance(expected, str) else ' or '.join(expected)}",
                )
