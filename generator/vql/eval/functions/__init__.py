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
