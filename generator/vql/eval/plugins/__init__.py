"""VQL plugins, grouped by theme; `all_plugins()` maps each name to its implementation."""

from __future__ import annotations

from collections.abc import Callable

from ..engine import PluginImpl


def registrar(table: dict[str, PluginImpl]) -> Callable[[str], Callable[[PluginImpl], PluginImpl]]:
    def register(name: str) -> Callable[[PluginImpl], PluginImpl]:
        def wrap(func: PluginImpl) -> PluginImpl:
            table[name] = func
            return func

        return wrap

    return register


def all_plugins() -> dict[str, PluginImpl]:
    from . import control, data, endpoint

    table: dict[str, PluginImpl] = {}
    for module in (control, data, endpoint):
        table.update(module.PLUGINS)
    return table


VFILTER_PLUGINS = ("if", "flatten", "chain", "foreach", "range", "scope")
"""vfilter's built-in plugins (``plugins/builtins.go``)."""


def vfilter_plugins() -> dict[str, PluginImpl]:
    table = all_plugins()
    return {name: table[name] for name in VFILTER_PLUGINS}
