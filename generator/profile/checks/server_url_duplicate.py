"""The same server address and port is listed twice in ``servers.urls`` (warning).

One entry per server address and port is enough: the artifact permits it once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from ...yamlsource import NodePath
from ..schema import where
from .context import CheckContext

ID = "server-url-duplicate"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    seen: dict[tuple[str, int], int] = {}
    for index, url in ctx.indexed_urls:
        endpoint = (url.host, url.port)
        if endpoint not in seen:
            seen[endpoint] = index
            continue
        path: NodePath = ("servers", "urls", index)
        yield ctx.diagnostic(
            path,
            ID,
            SEVERITY,
            f"{where(path)} permits {url.host} port {url.port} again "
            f"(as servers.urls[{seen[endpoint]}])",
            "one entry per server address and port is enough",
        )
