"""A source query is not a run of ``LET`` statements followed by one ``SELECT``.

Velociraptor refuses the artifact: ``Invalid artifact X: All Queries in a source must be LET
queries, except for the final one.`` Only the last statement's rows are the source's results, so a
``SELECT`` in the middle would be silently lost, and a final ``LET`` returns nothing.
Preconditions and exports are not subject to this rule.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ...vql import ast
from ..context import VqlContext
from ..model import Finding

ID = "let-select-order"
SEVERITY = Severity.ERROR
CONTEXT = "vql"
OPTIONS: dict[str, Any] = {}


def check(ctx: VqlContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    def message() -> str:
        return (
            f"Invalid artifact {ctx.name or 'artifact'}: All Queries in a source must be LET "
            "queries, except for the final one."
        )

    for section in ctx.sections_of("query"):
        if section.program is None or not section.program.statements:
            continue
        *head, last = section.program.statements
        for statement in head:
            if not isinstance(statement, ast.Let):
                yield Finding(
                    ID,
                    ctx.at(section, statement.line, statement.column),
                    f"{message()} This SELECT of {section.label} is not the last statement.",
                    "turn it into `LET name = SELECT ...` or move it to the end",
                    subject=ctx.name or "artifact",
                )
        if isinstance(last, ast.Let):
            yield Finding(
                ID,
                ctx.at(section, last.line, last.column),
                f"{message()} The last statement of {section.label} is a LET.",
                f"end the query with a SELECT, e.g. `SELECT * FROM {last.name}`",
                subject=ctx.name or "artifact",
            )
