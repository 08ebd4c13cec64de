"""VQL functions, grouped by theme; `FUNCTIONS` maps each name to its implementation."""

from __future__ import annotations

from collections.abc import Callable

from ..engine import FunctionImpl


def registrar(
    table: dict[str, FunctionImpl],
) -> Callable[[str], Callable[[FunctionImpl], FunctionImpl]]:
    def register(name: str) -> Callable[[FunctionImpl], FunctionImpl]:
        def wrap(func: FunctionImpl) -> FunctionImpl:
            table[name] = func
            return func

        return wrap

    return register


def all_functions() -> dict[str, FunctionImpl]:
    from . import control, data, endpoint, network, strings, testing, time

    table: dict[str, FunctionImpl] = {}
    for module in (data, strings, time, control, endpoint, network, testing):
        table.update(module.FUNCTIONS)
    return table


VFILTER_FUNCTIONS = (
    "dict", "timestamp", "split", "if", "format", "get", "encode",
    "count", "sum", "min", "max", "enumerate", "len", "version",
)  # fmt: skip
"""vfilter's built-in functions (``functions/builtin.go`` and ``scope/version.go``)."""


def vfilter_functions() -> dict[str, FunctionImpl]:
    """vfilter's own built-in functions: Velociraptor's where they agree, vfilter's own
    versions (`vfilter_core`) where Velociraptor overrides them with different behaviour."""
    from . import vfilter_core

    table = all_functions()
    core = {name: table[name] for name in VFILTER_FUNCTIONS if name in table}
    core.update(vfilter_core.FUNCTIONS)
    return core
