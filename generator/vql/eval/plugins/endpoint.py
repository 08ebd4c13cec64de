"""Plugins that would touch the endpoint: execve, http_client, info, stat, wmi, read_reg_key.

They never run anything here: the session's side-effects model (a scenario) or a mock answers,
and an unanswered call stops the evaluation with a message naming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..engine import Args, CallContext, PluginImpl

PLUGINS: dict[str, PluginImpl] = {}


def side_effect_rows(ctx: CallContext, name: str, args: Args) -> list[Any]:
    rows = ctx.session.side_effects.plugin(name, args.evaluated())
    if rows is None:
        hint = (
            f"mock it: mock(plugin='{name}', results=...)"
            if ctx.session.mocks is not None
            else f"answer it in a scenario file: plugin_results: {{{name}: [...]}}"
        )
        raise ctx.fail(f"{name}() would touch the endpoint and nothing answers it", hint=hint)
    return rows


def _make(name: str) -> PluginImpl:
    def call(ctx: CallContext, args: Args) -> Iterator[Any]:
        yield from side_effect_rows(ctx, name, args)

    call.__name__ = name
    return call


for _name in (
    "execve",
    "http_client",
    "info",
    "stat",
    "wmi",
    "read_reg_key",
    "glob",
    "netstat",
    "pslist",
    "read_file",
):
    PLUGINS[_name] = _make(_name)
