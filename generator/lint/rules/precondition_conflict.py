"""The artifact has a top-level ``precondition`` and a source ``precondition`` together.

Velociraptor refuses this combination at load time: ``Artifact X contains a top level
precondition and a source precondition.`` Keep one: either the artifact's or each source's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..context import LintContext
from ..model import Finding

ID = "precondition-conflict"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: LintContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    if not str(ctx.data.get("precondition") or "").strip():
        return
    sources = ctx.data.get("sources")
    for index, source in enumerate(sources if isinstance(sources, list) else []):
        if isinstance(source, dict) and str(source.get("precondition") or "").strip():
            name = ctx.artifact.name or "artifact"
            yield Finding(
                ID,
                ctx.artifact.location(("sources", index, "precondition"), key=True),
                f"Artifact {name} contains a top level precondition and a source precondition.",
                "move the condition to one place: the top level or every source",
                subject=name,
            )
