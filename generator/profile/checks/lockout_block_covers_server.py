"""A block rule covers a server URL's address and port.

The server permit would then depend on netsh's undocumented filter ordering. ``any`` (the
documented block-all idiom, which the narrower server permit overrides) does not count; a
block that names the server's address does. Exclude the server from the block (split the
range or network around it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext
from .traffic import block_covers

ID = "lockout-block-covers-server"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for rule in ctx.rules:
        if rule.action != "block":
            continue
        for url in ctx.urls:
            if block_covers(rule, url):
                yield ctx.diagnostic(
                    ("rules", rule.index or 0),
                    ID,
                    SEVERITY,
                    f"{rule.label} blocks the server {url.url} ({url.host} port {url.port}/tcp)",
                    "the server permit would then depend on netsh's undocumented "
                    "filter ordering; exclude the server from the block (split the "
                    "range or network around it)",
                )
