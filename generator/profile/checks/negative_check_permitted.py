"""A permit rule lets the negative check through.

The check would always reach its host and remove the policy. Pick a host that no permit
covers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from ..addresses import Address
from ..rules import ParsedRule
from .context import CheckContext
from .traffic import permit_lets_through, url_address

ID = "negative-check-permitted"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    check = ctx.negative_check
    if check is None or check.url is None:
        return
    url = check.url
    if any(s.host == url.host for s in ctx.urls):
        return  # negative-check-is-server says more
    probe = ParsedRule(
        None, "", "permit", Address("me", "me"), 0, url_address(url), url.port, "tcp", True, ""
    )
    rule = next(
        (r for r in ctx.rules if r.action == "permit" and permit_lets_through(r, probe)), None
    )
    if rule is not None:
        yield ctx.diagnostic(
            ("rollback", "negative_check_url"),
            ID,
            SEVERITY,
            f"{rule.label} permits the negative check {url.url}",
            "the check would always reach it and remove the policy; pick a host "
            "that no permit covers",
        )
