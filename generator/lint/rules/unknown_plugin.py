"""A plugin or function that is neither in Velociraptor's reference nor defined with ``LET``.

Call sites are checked against the catalog built from Velociraptor's ``vql.yaml`` and the LET
definitions visible at that point (those of the same section, the exports, the exports of
``imports`` and the sections Velociraptor verifies earlier). Velociraptor's verifier reports this
as ``unknown_plugin``: ``Unknown function foo()``; at run time the query logs ``Plugin foo not
found`` or ``Function foo not found``. Dotted names other than ``Artifact.X`` are not checked.
When an imported artifact is not in the linted set, its exports are unknown, so unknown names are
not reported for that artifact.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..calls import kind_word, resolved_calls
from ..context import VqlContext
from ..model import Finding

ID = "unknown_plugin"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}
CONTEXT = "vql"


def check(ctx: VqlContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    if ctx.analysis.unresolved_imports:
        return
    for call in resolved_calls(ctx):
        if not call.unknown:
            continue
        site = call.site
        word = kind_word(site)
        table = ctx.catalog.plugins if word == "plugin" else ctx.catalog.functions
        names = list(table) + list(call.section.definitions)
        close = difflib.get_close_matches(site.name, names, n=1)
        hint = (
            f"did you mean {close[0]}()?"
            if close
            else f"define it with `LET {site.name}(...) = ...`"
        )
        other = ctx.catalog.functions if word == "plugin" else ctx.catalog.plugins
        if site.name in other:
            hint = f"{site.name} is a {'function' if word == 'plugin' else 'plugin'}, not a {word}"
        yield Finding(
            ID,
            ctx.at(call.section.section, site.line, site.column),
            f"Unknown {word} {site.name}()",
            hint,
            subject=site.name,
        )
