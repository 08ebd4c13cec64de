"""A comparison uses ``<>``, which VQL parses but always evaluates to false.

vfilter's grammar accepts ``<>`` yet its evaluator has no case for it, so ``WHERE a <> b`` silently
drops every row and ``if(condition=a <> b, ...)`` always takes the else branch. Velociraptor says
nothing. Write ``!=``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ...vql import ast
from ..context import VqlContext
from ..model import Finding

ID = "diamond-operator"
SEVERITY = Severity.ERROR
CONTEXT = "vql"
OPTIONS: dict[str, Any] = {}


def check(ctx: VqlContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    for section in ctx.sections:
        for node in section.nodes():
            if isinstance(node, ast.BinaryOp) and node.op == "<>":
                yield Finding(
                    ID,
                    ctx.at(section, node.line, node.column),
                    "`<>` always evaluates to false in VQL",
                    "use `!=`",
                    subject="<>",
                )
