"""The negative check URL points at a server.

The negative check must fail once the quarantine is in force; a permitted server answers, so
the check always fails the artifact and the policy is always removed. Use a host that the
quarantine blocks, e.g. a public web site.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "negative-check-is-server"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    check = ctx.negative_check
    if check is None or check.url is None:
        return
    server = next((s for s in ctx.urls if s.host == check.url.host), None)
    if server is not None:
        yield ctx.diagnostic(
            ("rollback", "negative_check_url"),
            ID,
            SEVERITY,
            f"the negative check {check.url.url} points at the server {server.url}",
            "the negative check needs a host that the quarantine blocks, e.g. a public web site",
        )
