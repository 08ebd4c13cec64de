"""A permit and a block match exactly the same traffic.

Windows orders filters from most to least specific, and the tie-break between equal filters
is undefined: the traffic may pass or not. Make the permit strictly narrower (address, port
or protocol), or turn the built-in row off.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "permit-block-tie"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for rule, other in ctx.first_matches:
        if rule.action != other.action:
            yield ctx.diagnostic(
                ("rules", rule.index or 0),
                ID,
                SEVERITY,
                f"{rule.label} ({rule.action}) matches exactly the same traffic as "
                f"{ctx.where_other(other)}",
                "Windows orders filters from most to least specific and the "
                "tie-break between equal filters is undefined; make the permit "
                "strictly narrower (address, port or protocol)"
                + ("" if other.index is not None else ", or turn the built-in row off"),
            )
