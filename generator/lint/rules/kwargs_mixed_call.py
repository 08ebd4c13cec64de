"""A call passes ``**=dict(...)`` together with named arguments.

Velociraptor's verifier: ``Calling plugin `foo` with kwargs (**) as well as with arg `x` ``. Put
every argument into the dict, or pass them all by name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..calls import KWARGS, kind_word, kwargs_call, resolved_calls
from ..context import VqlContext
from ..model import Finding

ID = "kwargs_mixed_call"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}
CONTEXT = "vql"


def check(ctx: VqlContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    for call in resolved_calls(ctx):
        site = call.site
        if call.unknown or not kwargs_call(site):
            continue
        for arg in site.args or ():
            if arg.name != KWARGS:
                yield Finding(
                    ID,
                    ctx.at(call.section.section, site.line, site.column),
                    f"Calling {kind_word(site)} `{site.name}` with kwargs (**) "
                    f"as well as with arg `{arg.name}`",
                    f"move {arg.name} into the ** dict",
                    subject=site.name,
                )
