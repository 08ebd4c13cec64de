"""A block partly overlaps the built-in DNS or DHCP permit (info).

DNS or DHCP traffic to the block's addresses may still pass, or may be blocked: which filter
wins is undocumented. If it matters, narrow the block or turn the built-in row off under
``allow:``. Informational, so that ``validate --strict`` passes ordinary profiles.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "permit-block-overlap-builtin"
SEVERITY = Severity.INFO
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for overlap in ctx.overlaps:
        if overlap.builtin:
            named = ", ".join(p.label for p in overlap.builtin)
            yield ctx.diagnostic(
                ("rules", overlap.block.index or 0),
                ID,
                SEVERITY,
                f"{overlap.block.label} (block) partly overlaps {named}",
                "DNS/DHCP traffic to this block's addresses may still pass, or may be "
                "blocked (which filter wins is undocumented); if it matters, narrow the "
                "block or turn the built-in row off under allow:",
            )
