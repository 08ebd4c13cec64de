"""The user message starts with ``/`` or ``-``, which msg.exe may read as an option.

The artifact shows the message with ``msg *``; an option such as ``/TIME:0`` or ``/W`` would
change how the message is shown, or make msg.exe wait for the user. Start it with a word.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "message-option-like"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    message = ctx.get("message")
    if isinstance(message, str) and message[:1] in ("/", "-"):
        yield ctx.diagnostic(
            ("message",),
            ID,
            SEVERITY,
            f"message starts with {message[:1]!r}: msg.exe may read it as an option",
            "start the message with a word (an option such as /TIME:0 or /W would change "
            "how the message is shown, or make msg.exe wait for the user)",
        )
