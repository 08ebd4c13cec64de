"""``Artifact.X(...)`` passes a parameter that artifact X does not declare.

Checked when X is in the linted set (all files of one ``lint`` run, or the artifacts passed to
``lint_text``); ``source`` and ``preconditions`` are always allowed. Velociraptor's verifier:
``Call to Artifact.X contains unknown parameter Y``; at run time the value is silently ignored,
so the called artifact runs with its default instead of what you meant.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..calls import KWARGS, resolved_calls
from ..context import VqlContext
from ..model import Finding

ID = "unknown_parameter_in_call"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}
CONTEXT = "vql"

IMPLICIT = frozenset({"source", "preconditions"})


def _names(names: frozenset[str]) -> str:
    return ", ".join(sorted(names)) or "no parameters"


def check(ctx: VqlContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    for call in resolved_calls(ctx):
        if call.summary is None:
            continue
        site = call.site
        allowed = call.summary.parameters | IMPLICIT
        for arg in site.args or ():
            if arg.name == KWARGS:
                break
            if arg.name not in allowed:
                close = difflib.get_close_matches(arg.name, sorted(allowed), n=1)
                yield Finding(
                    ID,
                    ctx.at(call.section.section, arg.line, arg.column),
                    f"Call to {site.name} contains unknown parameter {arg.name}",
                    f"did you mean {close[0]}?"
                    if close
                    else f"{call.artifact} declares: {_names(call.summary.parameters)}",
                    subject=site.name,
                )
