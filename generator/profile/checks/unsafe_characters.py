"""A description or message holds characters its destination cannot carry.

Rule descriptions travel in the artifact's CSV rule table and on netsh's command line: no
commas, quotes, line breaks, control characters or edge spaces. (The policy name has a rule of
its own: ``policy-name-characters``.) The message, the author, the engagement and the
references are one line each; the description and the reason may hold line breaks and tabs,
nothing else invisible.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from ...yamlsource import NodePath
from ..schema import where
from ..text import unsafe_in_line, unsafe_in_prose
from .context import CheckContext, value_at

ID = "unsafe-characters"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    yield from ctx.parse_findings(ID)  # rule descriptions, found while parsing the rules
    for key in ("author", "engagement"):
        yield from _line_text(ctx, ("artifact", key))
    references = ctx.get("artifact", "references")
    for index in range(len(references) if isinstance(references, list) else 0):
        yield from _line_text(ctx, ("artifact", "references", index))
    for key in ("description", "reason"):
        value = ctx.get("artifact", key)
        bad = unsafe_in_prose(value) if isinstance(value, str) else None
        if bad:
            yield ctx.diagnostic(
                ("artifact", key),
                ID,
                SEVERITY,
                f"artifact.{key} contains {bad}",
                "remove it; line breaks and tabs are fine here",
            )
    message = ctx.get("message")
    bad = unsafe_in_line(message) if isinstance(message, str) else None
    if bad:
        yield ctx.diagnostic(
            ("message",),
            ID,
            SEVERITY,
            f"message contains {bad}",
            "msg.exe shows one line and the upstream truncation keeps only the first "
            "one; write the message on a single line",
        )


def _line_text(ctx: CheckContext, path: NodePath) -> Iterator[Diagnostic]:
    value = value_at(ctx.data, path)
    bad = unsafe_in_line(value) if isinstance(value, str) else None
    if bad:
        yield ctx.diagnostic(
            path,
            ID,
            SEVERITY,
            f"{where(path)} contains {bad}",
            "write it on one line without control characters",
        )
