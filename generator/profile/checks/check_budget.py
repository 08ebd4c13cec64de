"""The connectivity probes may not fit the artifact's time budget.

Every server address and the negative check is probed for up to ``rollback.timeout_seconds``;
the artifact refuses to run when ``timeout × (server URLs + 1)`` exceeds 480 s (error). Over
240 s while the client config's servers are permitted too, it may once they add addresses
(warning): a name may resolve to several.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from ...yamlsource import NodePath
from .context import CheckContext

ID = "check-budget"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    timeout = ctx.get("rollback", "timeout_seconds")
    if not ctx.flag("rollback", "connectivity_check"):
        return
    if isinstance(timeout, bool) or not isinstance(timeout, int) or not 1 <= timeout <= 120:
        return  # missing (the default fits) or out of range (reported by the schema)
    urls = ctx.get("servers", "urls")
    own = sum(1 for u in urls if isinstance(u, str) and u) if isinstance(urls, list) else 0
    budget = timeout * (own + 1)
    path: NodePath = ("rollback", "timeout_seconds")
    if budget > PROBE_BUDGET:
        yield ctx.diagnostic(
            path,
            ID,
            Severity.ERROR,
            f"the connectivity probes take up to {timeout} s × ({own} server URLs + the "
            f"negative check) = {budget} s, over the artifact's {PROBE_BUDGET} s budget",
            f"lower rollback.timeout_seconds to {PROBE_BUDGET // (own + 1)} or less, or "
            "list fewer server URLs; the artifact refuses to run otherwise",
        )
    elif budget > PROBE_BUDGET_TIGHT and ctx.flag("servers", "from_client_config"):
        yield ctx.diagnostic(
            path,
            ID,
            Severity.WARNING,
            f"the connectivity probes take up to {budget} s for the profile's own "
            f"{own} server URLs and the negative check, and the client config may add more",
            f"every extra server address (a name may resolve to several) adds {timeout} s "
            f"and the artifact refuses over {PROBE_BUDGET} s; lower "
            "rollback.timeout_seconds",
        )


# The artifact's pre-flight refuses probes longer than this in all (templates/vql/_preflight).
PROBE_BUDGET = 480
PROBE_BUDGET_TIGHT = 240
