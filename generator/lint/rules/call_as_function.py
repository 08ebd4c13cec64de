"""A LET defined without parentheses is called with arguments.

``LET x = SELECT ...`` takes no parameters, so ``x(a=1)`` (or ``FROM x(a=1)``) passes arguments
that nothing receives. Velociraptor's verifier: ``LET x was defined without args but it is being
called as a function``. Define it as ``LET x(a) = ...`` or drop the arguments.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..calls import resolved_calls
from ..context import VqlContext
from ..model import Finding

ID = "call_as_function"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}
CONTEXT = "vql"


def check(ctx: VqlContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    for call in resolved_calls(ctx):
        definition = call.definition
        if definition is None or definition.params is not None or not call.site.args:
            continue
        site = call.site
        yield Finding(
            ID,
            ctx.at(call.section.section, site.line, site.column),
            f"LET {site.name} was defined without args but it is being called as a function",
            f"declare its parameters: LET {site.name}({', '.join(site.arg_names)}) = ...",
            subject=site.name,
        )
