"""A permit that matches all traffic (warning).

A permit between ``me``/``any`` and ``me``/``any`` with no port and no protocol lets every
packet through: the quarantine isolates nothing. Narrow it to the hosts, ports and protocol
the investigation needs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext
from .traffic import everything, unrestricted

ID = "permit-everything"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for rule in ctx.rules:
        if rule.action == "permit" and unrestricted(rule) and everything(rule):
            yield ctx.diagnostic(
                ("rules", rule.index or 0),
                ID,
                SEVERITY,
                f"{rule.label} permits all traffic between {rule.src.netsh} and {rule.dst.netsh}",
                "the quarantine would isolate nothing; narrow it to the hosts, ports "
                "and protocol the investigation needs",
            )
