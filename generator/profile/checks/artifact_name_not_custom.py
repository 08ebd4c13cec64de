"""The artifact name lacks the ``Custom.`` prefix (warning).

A Velociraptor server refuses to override a built-in artifact through its GUI or API, and
only ``Custom.Windows.Remediation.Quarantine`` replaces the GUI's Quarantine button. Reported
only for a name that is otherwise valid.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...artifactname import name_problem
from ...diagnostics import Diagnostic, Severity
from ..model import DEFAULT_ARTIFACT_NAME
from .artifact_name import brief
from .context import CheckContext

ID = "artifact-name-not-custom"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    name = ctx.get("artifact", "name")
    if not isinstance(name, str) or name_problem(name) is not None:
        return
    if name.split(".")[0] != "Custom":
        yield ctx.diagnostic(
            ("artifact", "name"),
            ID,
            SEVERITY,
            f"artifact.name {brief(name)} does not start with 'Custom.'",
            "a Velociraptor server refuses to override a built-in artifact, and only "
            f"{DEFAULT_ARTIFACT_NAME} replaces the GUI's Quarantine button",
        )
