"""A mapping holds the same key twice: Velociraptor's loader refuses the artifact.

Velociraptor's loader (``yaml.UnmarshalStrict``) refuses duplicate keys; most other YAML tools
silently keep the last one, so the artifact you review is not the one that runs. Reported at the
second occurrence, naming the line of the first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..context import LintContext
from ..model import Finding

ID = "yaml-duplicate-key"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: LintContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    for d in ctx.artifact.load_diagnostics:
        if d.rule == ID:
            yield Finding(d.rule, d.location, d.message, d.hint)
