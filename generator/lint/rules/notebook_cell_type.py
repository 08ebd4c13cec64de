"""A notebook cell ``type`` is not one Velociraptor knows.

Allowed, case-insensitively: ``md``, ``markdown``, ``vql``, ``vql_suggestion``, ``notebook``,
``none``. Anything else is refused at load time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..context import LintContext
from ..model import Finding

ID = "notebook-cell-type"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}

CELL_TYPES = ("md", "markdown", "vql", "vql_suggestion", "notebook", "none")


def check(ctx: LintContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    sources = ctx.data.get("sources")
    for s_index, source in enumerate(sources if isinstance(sources, list) else []):
        cells = source.get("notebook") if isinstance(source, dict) else None
        for c_index, cell in enumerate(cells if isinstance(cells, list) else []):
            if not isinstance(cell, dict) or cell.get("type") is None:
                continue
            kind = str(cell["type"])
            if kind.lower() not in CELL_TYPES:
                yield Finding(
                    ID,
                    ctx.artifact.location(("sources", s_index, "notebook", c_index, "type")),
                    f"notebook cell type {kind!r} is not one of {', '.join(CELL_TYPES)}",
                    subject=kind,
                )
