"""A call passes an argument that the plugin, function or LET definition does not take.

Velociraptor's verifier: ``Invalid arg X for plugin foo()`` / ``Invalid arg X for VQL definition
f``; at run time ``Extra unrecognized arg``. Plugins and functions marked ``free_form_args`` in
``vql.yaml`` (``chain``, ``dict``, ``switch``, ...) take any argument, and a call that passes
``**=dict(...)`` is not checked argument by argument (see ``kwargs_mixed_call``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..calls import KWARGS, kind_word, resolved_calls
from ..context import VqlContext
from ..model import Finding

ID = "invalid_arg"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}
CONTEXT = "vql"


def check(ctx: VqlContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    for call in resolved_calls(ctx):
        site = call.site
        if call.spec is not None:
            if call.spec.free_form_args:
                continue
            allowed = list(call.spec.args)
            target = f"{kind_word(site)} {site.name}()"
        elif call.definition is not None:
            allowed = [] if call.definition.params is None else list(call.definition.params)
            target = f"VQL definition {site.name}"
        else:
            continue
        for arg in site.args or ():
            if arg.name == KWARGS:
                break
            if arg.name in allowed:
                continue
            close = difflib.get_close_matches(arg.name, allowed, n=1)
            hint = (
                f"did you mean {close[0]}?"
                if close
                else "it takes " + (", ".join(allowed) if allowed else "no arguments")
            )
            yield Finding(
                ID,
                ctx.at(call.section.section, arg.line, arg.column),
                f"Invalid arg {arg.name} for {target}",
                hint,
                subject=arg.name,
            )
