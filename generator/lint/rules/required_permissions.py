"""A client artifact uses a plugin or function whose permission it does not declare.

Velociraptor's verifier warns: ``Add X to artifact's required_permissions or implied_permissions
fields``. Only client artifacts (``type`` CLIENT or empty) are checked. Permissions come from
``vql.yaml``; FILESYSTEM_READ, MACHINE_STATE and COLLECT_SERVER are implied for every client
collection, as are those listed in ``required_permissions`` and ``implied_permissions``. Reported
once per permission, at its first use. Notebook cells run on the server and are not counted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..calls import resolved_calls
from ..context import VqlContext
from ..model import Finding, SectionPosition

ID = "required_permissions"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Any] = {}
CONTEXT = "vql"

ALWAYS_IMPLIED = frozenset({"FILESYSTEM_READ", "MACHINE_STATE", "COLLECT_SERVER"})


def check(ctx: VqlContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    if not ctx.is_client:
        return
    implied = ALWAYS_IMPLIED | ctx.permissions
    first_use: dict[str, tuple[SectionPosition, str]] = {}
    for call in resolved_calls(ctx):
        if call.spec is None or call.section.section.kind == "notebook":
            continue
        for permission in call.spec.permissions:
            if permission not in implied and permission not in first_use:
                where = ctx.at(call.section.section, call.site.line, call.site.column)
                first_use[permission] = (where, call.site.name)
    for permission, (where, name) in sorted(first_use.items()):
        yield Finding(
            ID,
            where,
            f"Add {permission} to artifact's required_permissions or implied_permissions fields",
            f"{name}() needs {permission}",
            subject=permission,
        )
