"""A source or destination is not a netsh address.

netsh takes ``me``, ``any``, an IPv4 or IPv6 address, an IPv4 network (with a mask or a
prefix), a range ``first-last``, a DNS name, or a server keyword (``DNS``, ``WINS``,
``DHCP``, ``GATEWAY``). The hint names the closest form.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "address-syntax"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    yield from ctx.parse_findings(ID)
