"""A mask is given with something other than an IPv4 network address.

netsh applies a mask to an IPv4 address only; ``me``, ``any``, ranges, names, keywords and
IPv6 addresses take no mask.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "mask-without-network"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    yield from ctx.parse_findings(ID)
