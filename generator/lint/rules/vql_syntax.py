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

from ...diagnostics import Severity
from ..context import LintContext
from ..model import Finding

ID = "vql-syntax"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def within_text(text: str, line: int, column: int) -> tuple[int, int]:
    """An error at the end of input is shown at the query's last character, not past the block."""
    body = text.rstrip()
    last_line = body.count("\n") + 1
    last_column = len(body) - body.rfind("\n") - 1
    if (line, column) > (last_line, last_column):
        return last_line, last_column
    return line, column


def check(ctx: LintContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    for section in ctx.artifact.sections:
        error = section.error
        if error is None:
            continue
        message = getattr(error, "message", None) or str(error)
        line, column = within_text(section.text, error.line, error.column)
        yield Finding(
            ID,
            ctx.at(section, line, column),
            f"VQL syntax error in {section.label}: {message}",
            getattr(error, "hint", None),
            subject=ctx.artifact.name,
        )
