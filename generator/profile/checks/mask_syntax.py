"""A mask or prefix is not a contiguous IPv4 mask or a prefix length 1-32.

netsh takes a dotted mask (``255.255.255.0``) or a prefix length; a mask with holes
(``255.0.255.0``) matches nothing netsh can express.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "mask-syntax"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    yield from ctx.parse_findings(ID)
