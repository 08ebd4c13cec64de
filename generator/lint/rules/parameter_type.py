"""A parameter's ``type`` is not one that Velociraptor converts: its value stays a string.

Velociraptor never refuses an unknown parameter type; the value simply stays a string. That is
harmless for ``str`` or ``glob``, but ``type: boolean`` leaves ``"N"`` a non-empty, truthy string,
so ``WHERE RemoveAll`` holds when the operator said no. Reported at level info with the closest
known type as hint; add site-specific types to option ``extra-types``, or re-level the rule to
``warning`` in the config file.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..context import LintContext
from ..model import Finding

ID = "parameter-type"
SEVERITY = Severity.INFO
OPTIONS: dict[str, Any] = {"extra-types": []}

KNOWN_TYPES = (
    "",
    "string",
    "regex",
    "yara",
    "redacted",
    "upload",
    "upload_file",
    "server_metadata",
    "int",
    "int64",
    "integer",
    "float",
    "timestamp",
    "starlark",
    "csv",
    "artifactset",
    "json",
    "json_array",
    "regex_array",
    "multichoice",
    "xml",
    "yaml",
    "bool",
    "hidden",
    "choices",
)


def check(ctx: LintContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    known = set(KNOWN_TYPES) | {str(t) for t in options.get("extra-types") or ()}
    params = ctx.data.get("parameters")
    for index, param in enumerate(params if isinstance(params, list) else []):
        if not isinstance(param, dict) or param.get("type") is None:
            continue
        kind = str(param["type"])
        if kind not in known:
            name = str(param.get("name"))
            where = ctx.artifact.location(("parameters", index, "type"))
            close = difflib.get_close_matches(kind, [t for t in KNOWN_TYPES if t], n=1)
            yield Finding(
                ID,
                where,
                f"parameter {name} has type {kind!r}, which Velociraptor does not convert: "
                "its value stays a string",
                f"did you mean {close[0]!r}?" if close else "use a known type, or `string`",
                subject=name,
            )
