"""An ``imports`` entry names an artifact of the linted set that has no ``export`` section.

Velociraptor's verifier: ``X: Artifact Y does not export anything`` (``invalid_import``); the
import adds nothing, so the LET definitions you expected from it are missing. Imports of
artifacts outside the linted set (built-ins, your server's custom artifacts) cannot be checked
here; Velociraptor reports those it cannot find as ``Artifact Y not found``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..context import LintContext
from ..model import Finding

ID = "invalid_import"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: LintContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    imports = ctx.data.get("imports")
    for index, name in enumerate(imports if isinstance(imports, list) else []):
        summary = ctx.known.get(str(name))
        if summary is not None and not summary.has_export:
            yield Finding(
                ID,
                ctx.artifact.location(("imports", index)),
                f"{ctx.artifact.name}: Artifact {name} does not export anything",
                f"add an `export:` section to {name}, or remove the import",
                subject=str(name),
            )
