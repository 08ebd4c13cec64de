"""A server URL is not https or wss.

Velociraptor clients reach their server over https (or wss); the artifact permits the URL's
host and port for TCP.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "server-url-scheme"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    yield from ctx.parse_findings(ID)
