"""Run VQL text: parse (cached), then evaluate each statement in order in one scope."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from ...errors import VrqError
from .. import ast
from .engine import Evaluator
from .scope import Scope


def statements_of(text: str) -> tuple[ast.Statement, ...]:
    return _parse(text).statements


@lru_cache(maxsize=256)
def _parse(text: str) -> ast.Program:
    """Parse once per distinct text (artifacts re-run the same sources and preambles)."""
    from ..parser import VqlSyntaxError, parse

    try:
        return parse(text)
    except VqlSyntaxError as exc:
        raise VrqError(f"VQL syntax error: {exc}") from None


def run_text(
    text: str,
    scope: Scope,
    evaluator: Evaluator,
    *,
    statements: tuple[ast.Statement, ...] | None = None,
) -> Iterator[dict[str, Any]]:
    """Evaluate every statement of `text` in `scope`; yield the rows of its SELECTs."""
    for statement in statements if statements is not None else _parse(text).statements:
        yield from evaluator.run_statement(statement, scope)
