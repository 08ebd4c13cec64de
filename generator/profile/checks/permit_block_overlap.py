"""A permit and a block partly overlap and neither is inside the other (warning).

Windows applies the most specific filter; when one filter is a subset of the other the subset
wins, but for partly overlapping filters (one narrower by address, the other by port or
protocol) which one wins is undocumented. Make each permit a subset of the block, or the
block a subset of the permit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "permit-block-overlap"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for overlap in ctx.overlaps:
        if overlap.own:
            named = ", ".join(ctx.describe(p) for p in overlap.own)
            yield ctx.diagnostic(
                ("rules", overlap.block.index or 0),
                ID,
                SEVERITY,
                f"{overlap.block.label} (block) partly overlaps {named}, without either filter "
                "containing the other",
                "which filter wins for the shared traffic is undocumented; make each "
                "permit a subset of the block, or the block a subset of the permit",
            )
