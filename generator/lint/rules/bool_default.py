"""A ``bool`` parameter's default is a value that Velociraptor reads as false.

The launcher turns a ``bool`` parameter into ``get(field)=TRUE OR get(field) =~
'^(Y|TRUE|YES|OK)$'`` (case-insensitive, ``services/launcher/parameters.go``), so only ``Y``,
``TRUE``, ``YES`` and ``OK`` are true. A default such as ``1``, ``on`` or ``enabled`` silently
reads as false; write ``Y`` or ``N``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..context import LintContext
from ..model import Finding

ID = "bool-default"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Any] = {}

_BOOL_WORDS = re.compile(r"(?i)^(Y|TRUE|YES|OK|N|NO|FALSE|)$")


def check(ctx: LintContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    params = ctx.data.get("parameters")
    for index, param in enumerate(params if isinstance(params, list) else []):
        if not isinstance(param, dict) or param.get("type") != "bool" or "default" not in param:
            continue
        value = param["default"]
        text = "" if value is None else str(value)
        if isinstance(value, bool) or _BOOL_WORDS.match(text):
            continue
        name = str(param.get("name"))
        yield Finding(
            ID,
            ctx.artifact.location(("parameters", index, "default")),
            f"bool parameter {name} has default {text!r}, which Velociraptor reads as false",
            "write Y or N",
            subject=name,
        )
