"""Everything is blocked and no Velociraptor server is permitted: the responders are cut off.

With block-all (or a rule that blocks everything), the client needs a permitted server: the
client config's own (``servers.from_client_config: true``) or one listed in
``servers.urls``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from ...yamlsource import NodePath
from .context import CheckContext

ID = "lockout-no-server"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    urls = ctx.get("servers", "urls")
    has_urls = isinstance(urls, list) and len(urls) > 0
    if not ctx.blocks_everything or ctx.flag("servers", "from_client_config") or has_urls:
        return
    path: NodePath = ("servers", "from_client_config")
    if ctx.get("servers", "from_client_config") is None:
        path = ("servers",) if "servers" in ctx.data else ("block_all",)
    yield ctx.diagnostic(
        path,
        ID,
        SEVERITY,
        "this profile cuts the responders off: everything is blocked and no "
        "Velociraptor server is permitted",
        "set servers.from_client_config: true, or list the server in servers.urls",
    )
