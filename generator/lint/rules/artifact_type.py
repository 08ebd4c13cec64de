"""The artifact ``type`` is not one Velociraptor knows.

Allowed, case-insensitively: ``CLIENT`` (also the default when empty), ``CLIENT_EVENT``,
``SERVER``, ``SERVER_EVENT``, ``NOTEBOOK``, ``INTERNAL``. Anything else is refused at load time
(``Artifact type X invalid.``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..context import LintContext
from ..model import Finding

ID = "artifact-type"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}

TYPES = ("CLIENT", "CLIENT_EVENT", "SERVER", "SERVER_EVENT", "NOTEBOOK", "INTERNAL")


def check(ctx: LintContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    value = ctx.data.get("type")
    if value is None or isinstance(value, dict | list):
        return
    text = str(value)
    if text.strip() and text.upper() not in TYPES:
        yield Finding(
            ID,
            ctx.artifact.location(("type",)),
            f"Artifact type {text} invalid.",
            "use one of " + ", ".join(TYPES),
            subject=text,
        )
