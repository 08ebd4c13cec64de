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


SOURCES = {
    "execve": "vql/tools/shell/execve.go",
    "http_client": "vql/networking/http_client.go",
    "info": "vql/info.go",
    "stat": "vql/filesystem/filesystem.go",
    "wmi": "vql/windows/wmi/wmi.go",
    "read_reg_key": "vql/windows/registry.go",
    "glob": "vql/filesystem/filesystem.go",
    "netstat": "vql/windows/network.go",
    "pslist": "vql/tools/process/pslist.go",
    "read_file": "vql/filesystem/filesystem.go",
}
"""The Velociraptor source each endpoint plugin follows; the endpoint model (simulate's, or a
golden run's file system and mocks) answers it."""


def _make(name: str) -> PluginImpl:
    def call(ctx: CallContext, args: Args) -> Iterator[Any]:
        yield from side_effect_rows(ctx, name, args)

    call.__name__ = name
    call.__doc__ = (
        f"Velociraptor's ``{name}`` plugin (``{SOURCES[name]}``): answered by the session's "
        "endpoint (simulate's model, a golden run's file system) or a mock; unanswered, the run "
        "stops."
    )
    return call


for _name in SOURCES:
    PLUGINS[_name] = _make(_name)
