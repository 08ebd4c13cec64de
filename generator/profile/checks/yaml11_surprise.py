"""YAML 1.1 reads an unquoted value differently from how it looks.

PyYAML (and Velociraptor's loader) follow YAML 1.1: ``yes``/``no``/``on``/``off`` are booleans,
``010`` is 8, ``0x1F`` is 31, ``1_000`` is 1000, ``1:30`` is 90 and ``1.10`` is 1.1, while
editors and JSON Schema tools (YAML 1.2) read them as written. Quote the value if it is text,
write ``true``/``false`` or plain decimal digits if it is not.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "yaml11-surprise"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    yield from (d for d in ctx.schema_findings() if d.rule == ID)
