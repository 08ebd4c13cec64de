"""The policy name holds a character outside its safe set.

The name goes on netsh's command line (``name=...``, ``filterlist=...``), and the artifact's
description shows it inside the commands that remove a quarantine by hand, for a responder to
paste into an elevated prompt: ``netsh ipsec static delete policy name="<policy_name>"``. So it
is kept to what cmd.exe, PowerShell and netsh all take literally inside double quotes: ASCII
letters, digits, spaces (not at either end), ``_``, ``-``, ``.``, ``(`` and ``)``, at most 100
characters. Anything else could act: cmd expands ``%VAR%`` and ``!VAR!`` even inside quotes,
PowerShell expands ``$(...)``, ``${...}`` and ``$VAR`` and reads the backtick as an escape,
typographic quotes (“ ” ‘ ’) end a PowerShell string, a backslash before the closing quote
escapes it for the C runtime that splits netsh's arguments, netsh itself splits at ``=``,
``,`` and quotes, and a line break ends the command. The schema's pattern says the same; this
rule names the character.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from ..text import unsafe_in_netsh_name
from .context import CheckContext

ID = "policy-name-characters"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    name = ctx.get("policy_name")
    bad = unsafe_in_netsh_name(name) if isinstance(name, str) and name else None
    if bad:
        yield ctx.diagnostic(
            ("policy_name",),
            ID,
            SEVERITY,
            f"policy_name {name!r} contains {bad}",
            "the description shows it in netsh commands to paste into cmd.exe or PowerShell; "
            "use letters A-Z a-z, digits, spaces, '_', '-', '.', '(' and ')'",
        )
