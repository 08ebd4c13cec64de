"""A LET takes the name of a built-in VQL function.

``LET hash = ...`` hides the function ``hash()`` from everything that runs after it in the query,
including artifacts called with ``Artifact.X()`` that rely on it. vfilter logs ``LET expression is
masking a built in function hash`` at run time, so this is a warning. Rename the LET.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ...vql import ast
from ..context import VqlContext
from ..model import Finding

ID = "let-masks-builtin"
SEVERITY = Severity.WARNING
CONTEXT = "vql"
OPTIONS: dict[str, Any] = {}


def check(ctx: VqlContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    functions = ctx.catalog.functions
    for section in ctx.sections:
        if section.program is None:
            continue
        for statement in section.program.statements:
            if isinstance(statement, ast.Let) and statement.name in functions:
                yield Finding(
                    ID,
                    ctx.at(section, statement.line, statement.column),
                    f"LET expression is masking a built in function {statement.name}",
                    f"rename it, e.g. {statement.name}_value",
                    subject=statement.name,
                )
