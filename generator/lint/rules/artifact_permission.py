"""A ``required_permissions`` entry is not a Velociraptor permission.

Velociraptor's loader looks each one up (case-insensitively) in its ACL list and refuses the
artifact otherwise (``Invalid artifact permission: X``). Known: ANY_QUERY, PUBLISH, READ_RESULTS,
LABEL_CLIENT, COLLECT_CLIENT, COLLECT_BASIC, START_HUNT, COLLECT_SERVER, ARTIFACT_WRITER,
SERVER_ARTIFACT_WRITER, EXECVE, NOTEBOOK_EDITOR, SERVER_ADMIN, ORG_ADMIN, IMPERSONATION,
FILESYSTEM_READ, FILESYSTEM_WRITE, NETWORK, MACHINE_STATE, PREPARE_RESULTS, DELETE_RESULTS,
DATASTORE_ACCESS.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..context import LintContext
from ..model import Finding

ID = "artifact-permission"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}

PERMISSIONS = (
    "ANY_QUERY",
    "PUBLISH",
    "READ_RESULTS",
    "LABEL_CLIENT",
    "COLLECT_CLIENT",
    "COLLECT_BASIC",
    "START_HUNT",
    "COLLECT_SERVER",
    "ARTIFACT_WRITER",
    "SERVER_ARTIFACT_WRITER",
    "EXECVE",
    "NOTEBOOK_EDITOR",
    "SERVER_ADMIN",
    "ORG_ADMIN",
    "IMPERSONATION",
    "FILESYSTEM_READ",
    "FILESYSTEM_WRITE",
    "NETWORK",
    "MACHINE_STATE",
    "PREPARE_RESULTS",
    "DELETE_RESULTS",
    "DATASTORE_ACCESS",
)


def check(ctx: LintContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    values = ctx.data.get("required_permissions")
    for index, value in enumerate(values if isinstance(values, list) else []):
        text = "" if value is None else str(value)
        if text.upper() not in PERMISSIONS:
            close = difflib.get_close_matches(text.upper(), PERMISSIONS, n=1)
            yield Finding(
                ID,
                ctx.artifact.location(("required_permissions", index)),
                f"Invalid artifact permission: {text}",
                f"did you mean {close[0]}?" if close else "see the rule documentation for the list",
                subject=text,
            )
