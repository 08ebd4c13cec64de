"""DNS is blocked while a server URL names a host (warning).

The client and the connectivity check resolve the name again after the policy is in force.
The client config's server URLs usually name a host too. Allow DNS, or use addresses.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "dns-off-with-hostname"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    if ctx.flag("allow", "dns"):
        return
    for index, url in ctx.indexed_urls:
        if url.host_kind == "dns":
            yield ctx.diagnostic(
                ("servers", "urls", index),
                ID,
                SEVERITY,
                f"allow.dns is off but servers.urls[{index}] names the host {url.host}",
                "the client and the connectivity check resolve the name again after "
                "the policy is in force; allow DNS or use an address",
            )
    if ctx.flag("servers", "from_client_config"):
        yield ctx.diagnostic(
            ("allow", "dns"),
            ID,
            SEVERITY,
            "allow.dns is off while the client config's server URLs are permitted; "
            "they usually name a host",
            "allow DNS unless every client config uses an IP address",
        )
