"""An IPv4 network has host bits set (``198.51.100.7/24``).

netsh would filter the network, not the host the address names, or refuse it; write the
network address (``198.51.100.0/24``) or the host alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "network-host-bits"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    yield from ctx.parse_findings(ID)
