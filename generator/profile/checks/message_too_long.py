"""The user message is longer than 255 characters.

msg.exe shows at most 255 characters; upstream cuts the message there. A phone number and a
ticket id are enough.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "message-too-long"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    message = ctx.get("message")
    if isinstance(message, str) and len(message) > 255:
        yield ctx.diagnostic(
            ("message",),
            ID,
            SEVERITY,
            f"message is {len(message)} characters; msg.exe shows at most 255",
            "shorten the message (a phone number and a ticket id are enough)",
        )
