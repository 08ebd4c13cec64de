"""A rule matches exactly the traffic of an earlier rule, built-in row or server permit with the
same action.

netsh may refuse a filter that already exists; remove one of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "duplicate-rule"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for rule, other in ctx.first_matches:
        if rule.action == other.action:
            yield ctx.diagnostic(
                ("rules", rule.index or 0),
                ID,
                SEVERITY,
                f"{rule.label} matches exactly the same traffic as {ctx.where_other(other)}",
                "remove one of them; netsh may refuse a filter that already exists",
            )
