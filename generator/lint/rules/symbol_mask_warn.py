"""A bare symbol has the name of a plugin, a function or a LET function.

Velociraptor's verifier warns: ``Use of symbol `url` which might mask a function of the same
name``. A column or parameter named like a function (``url``, ``hash``) makes the query hard to
read, and a forgotten ``()`` evaluates to the function object instead of calling it (``Symbol X is a
function but it is not being called``). ``Artifact`` is exempt. Suppress a deliberate use with a
VQL comment ``// linter: symbol_mask_warn:url``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..context import VqlContext
from ..model import Finding

ID = "symbol_mask_warn"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Any] = {}
CONTEXT = "vql"


def check(ctx: VqlContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    catalog = ctx.catalog
    for section in ctx.analysis.sections:
        for site in section.calls:
            if site.kind != "symbol" or site.name == "Artifact" or "." in site.name:
                continue
            if site.name in catalog.plugins:
                kind = "plugin"
            elif site.name in catalog.functions:
                kind = "function"
            else:
                definition = section.definitions.get(site.name)
                if definition is None or definition.params is None:
                    continue
                kind = "LET definition"
            yield Finding(
                ID,
                ctx.at(section.section, site.line, site.column),
                f"Use of symbol `{site.name}` which might mask a {kind} of the same name",
                f"rename it, or call it: {site.name}(...)",
                subject=site.name,
            )
