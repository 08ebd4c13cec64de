"""The profile does not match its JSON Schema (``schema/quarantine-profile.schema.json``).

A wrong type, an unknown or missing key, a value out of range or of the wrong form; every
error is reported, at the line of the offending value (of the key for unknown and missing
keys), with the schema's description as hint. ``vr-quarantine schema`` prints the schema.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "schema"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    yield from (d for d in ctx.schema_findings() if d.rule == ID)
