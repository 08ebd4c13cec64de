"""The file is a quarantine profile, not a Velociraptor artifact.

A profile (``format_version:``, ``artifact:``, ``rules:`` ... and no ``name:``/``sources:``) is
the input of ``vr-quarantine validate`` and ``render``; its artifact is what ``render`` writes.
This is the only finding for such a file: the artifact rules would only list every profile key
as unknown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..context import LintContext
from ..model import Finding

ID = "not-an-artifact"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: LintContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    yield Finding(
        ID,
        ctx.artifact.location(("format_version",), key=True),
        "this is a quarantine profile, not a Velociraptor artifact",
        "check profiles with `vr-quarantine validate`, and lint the artifact that "
        "`vr-quarantine render` writes from it",
    )
