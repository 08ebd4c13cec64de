"""The negative check URL cannot be used.

``rollback.negative_check_url`` must be an http or https URL with a host; a loopback,
unspecified or link-local host is refused too: IPsec never filters that traffic, so the
check would always succeed and prove nothing. Use a public host that the quarantine blocks,
e.g. ``https://www.example.com/``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "negative-check-url"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    check = ctx.negative_check
    if check is not None and check.problem is not None:
        yield check.problem
