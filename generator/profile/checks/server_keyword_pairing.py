"""A server keyword (``DNS``, ``WINS``, ``DHCP``, ``GATEWAY``) without ``me`` on the other side.

netsh: if one side of a filter is a server keyword, the other side is ``me``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "server-keyword-pairing"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    yield from ctx.parse_findings(ID)
