"""block_all is off and no rule blocks all traffic: the host is not isolated (warning).

Turn block_all on unless the profile deliberately blocks only a few hosts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "no-block-all"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    if not ctx.blocks_everything:
        yield ctx.diagnostic(
            ("block_all",),
            ID,
            SEVERITY,
            "block_all is off and no rule blocks all traffic: the host is not isolated",
            "turn block_all on unless this profile deliberately blocks only a few hosts",
        )
