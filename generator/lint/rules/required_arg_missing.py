"""A call leaves out an argument that the plugin, function or LET definition requires.

Required arguments come from ``vql.yaml`` (``required: true``); for ``LET f(a, b=1) = ...`` every
parameter without a default is required. Velociraptor's verifier: ``While calling plugin foo(),
required arg X is not provided``. A call passing ``**=dict(...)`` is not checked (its arguments are
only known at run time).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..calls import kind_word, kwargs_call, resolved_calls
from ..context import VqlContext
from ..model import Finding

ID = "required_arg_missing"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}
CONTEXT = "vql"


def check(ctx: VqlContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    for call in resolved_calls(ctx):
        site = call.site
        if kwargs_call(site):
            continue
        passed = set(site.arg_names)
        if call.spec is not None:
            missing = [a for a in call.spec.required_args if a not in passed]
            target = f"{kind_word(site)} {site.name}()"
        elif call.definition is not None and call.definition.params is not None:
            definition = call.definition
            missing = [
                p
                for p in definition.params or ()
                if p not in definition.defaults and p not in passed
            ]
            target = f"VQL definition {site.name}()"
        else:
            continue
        for name in missing:
            yield Finding(
                ID,
                ctx.at(call.section.section, site.line, site.column),
                f"While calling {target}, required arg {name} is not provided",
                f"add {name}=...",
                subject=name,
            )
