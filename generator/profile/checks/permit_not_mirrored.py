"""A permit without ``mirrored: true`` (warning).

IPsec filters are stateless: without the mirrored filter the replies hit the block-all filter,
so the permitted connection does not work.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "permit-not-mirrored"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for rule in ctx.rules:
        if rule.action == "permit" and not rule.mirrored:
            yield ctx.diagnostic(
                ("rules", rule.index or 0, "mirrored"),
                ID,
                SEVERITY,
                f"{rule.label} permits one direction only",
                "IPsec filters are stateless: without mirrored: true the replies hit the "
                "block-all filter",
            )
