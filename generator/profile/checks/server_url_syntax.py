"""A server URL cannot be parsed.

It needs a host (IPv6 literals in brackets), an optional port 1-65535, and no credentials;
the hint says how to write it, e.g. ``https://vr.example.org:8000/``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "server-url-syntax"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    yield from ctx.parse_findings(ID)
