"""The artifact name breaks Velociraptor's naming rule.

Velociraptor accepts only ``a-zA-Z0-9_.`` in a name, refuses an empty dotted part and a part
that starts with a digit; the same rule (`generator.artifact.name_problem`) is used by
``lint`` and ``render``. Example: ``Custom.Windows.Remediation.Quarantine``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...artifactname import name_problem
from ...diagnostics import Diagnostic, Severity
from ..model import DEFAULT_ARTIFACT_NAME
from .context import CheckContext

ID = "artifact-name"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    name = ctx.get("artifact", "name")
    if not isinstance(name, str):
        return
    problem = name_problem(name)
    if problem is None:
        return
    part = brief(problem.part)
    if problem.kind == "empty-part":
        what = "has an empty dotted part"
    elif problem.kind == "digit-start":
        what = f"has the dotted part {part}, which starts with a digit"
    else:
        what = f"has the dotted part {part} with characters outside a-z A-Z 0-9 _"
    yield ctx.diagnostic(
        ("artifact", "name"),
        ID,
        SEVERITY,
        f"artifact.name {brief(name)} {what}",
        "Velociraptor artifact names match ^[a-zA-Z0-9_.]+$ and no dotted part may "
        f"start with a digit, e.g. {DEFAULT_ARTIFACT_NAME}",
    )


def brief(name: str, limit: int = 80) -> str:
    """A name for a message, quoted, cut short when it is long."""
    return repr(name if len(name) <= limit else name[: limit - 1] + "…")
