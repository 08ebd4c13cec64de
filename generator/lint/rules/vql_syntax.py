"""A query, precondition, export or notebook VQL cell does not parse.

Reported at the artifact file's own line and column with what the parser expected, e.g.
``unexpected token ";"``. VQL has its own quirks: statements are separated by whitespace only
(``;`` is an error), ``x-1`` and ``x -y`` are errors (write ``x - 1``), ``[...]`` is only allowed
as an argument value, ``{...}`` subqueries only as argument values or columns, and ``%`` is not
an operator. Velociraptor refuses the artifact (``While parsing source query ...``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...artifact import clamp
from ...diagnostics import Severity
from ..context import VqlContext
from ..model import Finding

ID = "vql-syntax"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}
CONTEXT = "vql"


def check(ctx: VqlContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    for section in ctx.sections:
        if section.error is None:
            continue
        where = ctx.at(section, *clamp(section.text, section.error.line, section.error.column))
        yield Finding(ID, where, section.error_message, section.error.hint, subject=ctx.name)
