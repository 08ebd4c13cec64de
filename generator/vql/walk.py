"""Walking the VQL syntax tree: node children, and the call sites that the verifier sees."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from . import ast

CallKind = Literal["plugin", "function", "symbol"]


def children(node: ast.Node) -> Iterator[ast.Node]:
    """The direct children of `node`, in source order."""
    if isinstance(node, ast.Program):
        yield from node.statements
    elif isinstance(node, ast.Select):
        yield from node.columns
        yield node.plugin
        if node.where is not None:
            yield node.where
        yield from node.group_by
    elif isinstance(node, ast.Column):
        yield node.expr
    elif isinstance(node, ast.Plugin | ast.Call):
        yield from node.args or ()
    elif isinstance(node, ast.Arg):
        yield node.value
    elif isinstance(node, ast.BinaryOp):
        yield node.left
        yield node.right
    elif isinstance(node, ast.Let):
        for param in node.params or ():
            if param.default is not None:
                yield param.default
        yield node.value
    elif isinstance(node, ast.Subquery):
        yield node.select
    elif isinstance(node, ast.ArrayLiteral | ast.Tuple):
        yield from node.items
    elif isinstance(node, ast.Paren):
        yield node.expr
    elif isinstance(node, ast.Not):
        yield node.operand
    elif isinstance(node, ast.Member):
        yield node.obj
    elif isinstance(node, ast.Index):
        yield node.obj
        yield node.index
    elif isinstance(node, ast.Slice):
        yield node.obj
        if node.start is not None:
            yield node.start
        if node.end is not None:
            yield node.end


def walk(node: ast.Node) -> Iterator[ast.Node]:
    """Every node under `node` (included), depth first, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))


@dataclass(frozen=True)
class CallSite:
    """A use of a name: ``FROM p(...)`` (plugin), ``f(...)`` (function) or a bare symbol."""

    kind: CallKind
    name: str
    args: tuple[ast.Arg, ...] | None
    line: int
    column: int

    @property
    def arg_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.args or ())


def call_sites(nodes: Iterable[ast.Node]) -> Iterator[CallSite]:
    """Call sites as vfilter's visitor collects them (a FROM without parentheses is none)."""
    for node in nodes:
        if isinstance(node, ast.Plugin):
            if node.args is not None:
                yield CallSite("plugin", node.name, node.args, node.line, node.column)
        elif isinstance(node, ast.Call):
            yield CallSite("function", node.name, node.args, node.line, node.column)
        elif isinstance(node, ast.Symbol) and not node.negated:
            yield CallSite("symbol", node.name, None, node.line, node.column)
