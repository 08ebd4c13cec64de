"""A DNS name in a rule is resolved once, when the filter is created (info).

netsh stores the addresses the name had then; later DNS changes are not followed. Prefer
addresses for hosts behind load balancers or CDNs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "dns-name-resolved-once"
SEVERITY = Severity.INFO
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for rule in ctx.rules:
        for side, address in (("source", rule.src), ("destination", rule.dst)):
            if address.kind == "dns":
                yield ctx.diagnostic(
                    ("rules", rule.index or 0, side),
                    ID,
                    SEVERITY,
                    f"{rule.label}.{side} {address.netsh} is resolved once, when the "
                    "filter is created",
                    "later DNS changes are not followed; prefer addresses for hosts "
                    "behind load balancers or CDNs",
                )
