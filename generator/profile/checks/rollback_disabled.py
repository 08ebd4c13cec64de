"""The connectivity check is off (warning).

Nothing then removes a policy that locks the responders out. The check costs seconds and
saves a site visit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "rollback-disabled"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    if not ctx.flag("rollback", "connectivity_check"):
        yield ctx.diagnostic(
            ("rollback", "connectivity_check"),
            ID,
            SEVERITY,
            "rollback.connectivity_check is off: nothing removes a policy that locks "
            "the responders out",
            "keep the connectivity check on; it costs seconds and saves a site visit",
        )
