"""A permit limited by port or protocol only, to and from every address (warning).

An attacker's command and control over that port or protocol stays open; name the hosts that
need it instead of ``any``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext
from .traffic import everything, traffic, unrestricted

ID = "permit-any-address"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for rule in ctx.rules:
        if rule.action == "permit" and unrestricted(rule) and not everything(rule):
            yield ctx.diagnostic(
                ("rules", rule.index or 0),
                ID,
                SEVERITY,
                f"{rule.label} permits {traffic(rule)} to and from every address",
                "an attacker's command and control over this port or protocol stays "
                "open; name the hosts that need it instead of `any`",
            )
