"""The policy name is one of Windows' built-in example policies (warning).

Windows ships ``Client (Respond Only)``, ``Server (Request Security)`` and ``Secure Server
(Require Security)``; the artifact deletes and recreates its policy, so it would delete one
of them. Pick a name of your own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from ..text import unsafe_in_netsh_name
from .context import CheckContext

ID = "policy-name-builtin"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    name = ctx.get("policy_name")
    if not isinstance(name, str) or not name or unsafe_in_netsh_name(name):
        return
    if name.lower() in _BUILTIN_POLICIES:
        yield ctx.diagnostic(
            ("policy_name",),
            ID,
            SEVERITY,
            f"policy_name {name!r} is a built-in Windows example policy",
            "the artifact deletes and recreates its policy; pick a name of your own",
        )


_BUILTIN_POLICIES = {
    "client (respond only)",
    "server (request security)",
    "secure server (require security)",
}
