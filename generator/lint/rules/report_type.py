"""A (deprecated) ``reports`` entry has a ``type`` Velociraptor refuses.

Allowed, case-insensitively: ``monitoring_daily``, ``server_event``, ``client``, ``internal``,
``hunt``, ``templates``, ``html`` or empty. Reports are deprecated: prefer notebook templates.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..context import LintContext
from ..model import Finding

ID = "report-type"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}

REPORT_TYPES = (
    "monitoring_daily",
    "server_event",
    "client",
    "internal",
    "hunt",
    "templates",
    "html",
    "",
)


def check(ctx: LintContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    reports = ctx.data.get("reports")
    for index, report in enumerate(reports if isinstance(reports, list) else []):
        if not isinstance(report, dict) or report.get("type") is None:
            continue
        kind = str(report["type"])
        if kind.lower() not in REPORT_TYPES:
            yield Finding(
                ID,
                ctx.artifact.location(("reports", index, "type")),
                f"report type {kind!r} is invalid",
                "use one of " + ", ".join(t for t in REPORT_TYPES if t),
                subject=kind,
            )
