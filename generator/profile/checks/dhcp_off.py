"""DHCP is blocked (warning).

A host with a DHCP address loses it when its lease expires, and the responders lose the
host. Keep DHCP allowed unless every quarantined host has a static address.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "dhcp-off"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    if not ctx.flag("allow", "dhcp"):
        yield ctx.diagnostic(
            ("allow", "dhcp"),
            ID,
            SEVERITY,
            "allow.dhcp is off: a DHCP host loses its address when its lease expires, "
            "and the responders lose the host",
            "keep DHCP allowed unless every quarantined host has a static address",
        )
