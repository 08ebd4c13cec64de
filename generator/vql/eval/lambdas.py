"""VQL lambdas: strings such as ``"x => x.Size > 10"`` parsed and evaluated at run time."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .. import ast
from .engine import CallContext


@lru_cache(maxsize=256)
def _parse(text: str) -> ast.Lambda:
    from ..parser import parse_lambda

    return parse_lambda(text)


def call_lambda(ctx: CallContext, source: Any, values: list[Any], caller: str) -> Any:
    """Evaluate lambda `source` with its parameters bound to `values`."""
    from ..parser import VqlSyntaxError

    if not isinstance(source, str):
        raise ctx.fail(f'{caller}(): a lambda must be a string like "x => x > 1"')
    try:
        function = _parse(source)
    except VqlSyntaxError as exc:
        raise ctx.fail(f"{caller}(): invalid lambda {source!r}: {exc}") from None
    ctx.budget.tick(ctx.node)
    frame = dict(zip(function.params, values, strict=False))
    return ctx.evaluator.eval(function.body, ctx.scope.with_vars(frame))
