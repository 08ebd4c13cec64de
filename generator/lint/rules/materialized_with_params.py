"""A LET that takes parameters is materialized with ``<=``.

``LET f(x) <= ...`` (or ``LET f() <= ...``) evaluates the body once, when the LET runs, with no
value for its parameters; calls to ``f(x=...)`` then ignore their arguments. Velociraptor logs
``Expression f takes parameters but is materialized! Did you mean to use '='?`` at run time, so
this is a warning too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ...vql import ast
from ..context import VqlContext
from ..model import Finding

ID = "materialized-with-params"
SEVERITY = Severity.WARNING
CONTEXT = "vql"
OPTIONS: dict[str, Any] = {}


def check(ctx: VqlContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    for section in ctx.sections:
        if section.program is None:
            continue
        for statement in section.program.statements:
            if (
                isinstance(statement, ast.Let)
                and statement.materialized
                and statement.params is not None
            ):
                yield Finding(
                    ID,
                    ctx.at(section, statement.line, statement.column),
                    f"Expression {statement.name} takes parameters but is materialized! "
                    "Did you mean to use '='?",
                    f"write LET {statement.name}(...) = ...",
                    subject=statement.name,
                )
