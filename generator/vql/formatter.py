"""vfilter's formatting of VQL nodes: the text that becomes a column's default name.

vfilter names a column without ``AS`` with ``Unquote_ident(FormatToString(scope, column))``:
``SELECT mock_replay(plugin='execve') FROM scope()`` has the column
``mock_replay(plugin='execve')``. ``FormatToString`` runs vfilter's ``Visitor`` (``visitor.go``)
with ``ToStringOptions`` (no line breaks, indent threshold 0) and trims the result. This module
reproduces that visitor fragment by fragment, including its spacing quirks:

- a "line break" in one-line mode adds a space unless the last fragment is one of
  ``" " ( { = [ =[`` or ends with a space, and the visitor asks for one before every AND term, so
  ``a AND b`` is formatted ``a  AND b`` (two spaces), and before a symbol placed after a slice
  colon (``x[1: y]``);
- string and boolean literals keep their source spelling (``'a'``, ``"a"``, ``true``), AND/OR
  and comparison operators their spelling (``IN`` is upper-cased by the lexer);
- integers are printed in decimal (``0x10`` -> ``16``, ``010`` -> ``8``) and floats in Go's
  shortest ``'f'`` form, with ``.0`` added when there is no dot (``1e3`` -> ``1000.0``);
- arguments are ``name=value``, ``name=[1, 2]``, ``name=[]`` and ``name={ SELECT ... }``;
- a subquery column is ``{ SELECT ... }``; ``DESC`` and ``LIMIT n`` carry a trailing space, so a
  subquery ending with them closes with two spaces (``LIMIT 1  }``);
- a tuple with a trailing comma prints the empty element: ``(x, )``.

Limits (the syntax tree does not keep these spellings): names are printed from their unquoted
form, with backticks added when they are not plain identifiers (escapes inside backticks are not
re-created); a number that vfilter cannot parse is printed ``NULL`` where vfilter prints
``FALSE``; ``x[]`` is printed ``x[NULL]`` where vfilter prints ``x.``; a trailing comma after
several tuple elements, or in an array argument, is not printed (vfilter prints ``(a, b, )``);
``WHERE (a, b)`` is printed ``WHERE a, b``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from . import ast
from .lexer import unquote_ident

__all__ = ["format_column_name", "format_expr", "format_lambda", "format_select"]

_PLAIN_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_KEYWORDS = frozenset(
    {
        "SELECT",
        "FROM",
        "WHERE",
        "AND",
        "OR",
        "NOT",
        "AS",
        "IN",
        "LIMIT",
        "NULL",
        "DESC",
        "TRUE",
        "FALSE",
        "LET",
        "EXPLAIN",
    }
)
_NO_SPACE_AFTER = frozenset({" ", "(", "{", "=", "[", "=["})


def _name(name: str) -> str:
    if _PLAIN_NAME.fullmatch(name) and name.upper() not in _KEYWORDS:
        return name
    return f"`{name}`"


def _dotted(parts: tuple[str, ...], negated: bool) -> str:
    return ("-" if negated else "") + ".".join(_name(part) for part in parts)


def _float(value: float) -> str:
    """Go's ``strconv.FormatFloat(v, 'f', -1, 64)``, plus ``.0`` when there is no dot."""
    text = format(Decimal(repr(value)), "f")
    if "." not in text:
        text += ".0"
    return text


class _Visitor:
    """vfilter's Visitor in one-line mode: fragments, and the current line position."""

    def __init__(self) -> None:
        self.fragments: list[str] = []
        self.pos = 0

    def push(self, *fragments: str) -> None:
        for fragment in fragments:
            self.fragments.append(fragment)
            self.pos += len(fragment)

    def line_break(self) -> None:
        last = self.fragments[-1] if self.fragments else ""
        if last not in _NO_SPACE_AFTER and not last.endswith(" "):
            self.push(" ")

    def text(self) -> str:
        return "".join(self.fragments).strip()

    # ------------------------------------------------------------ expressions

    def expr(self, node: ast.Expr) -> None:
        if isinstance(node, ast.BinaryOp):
            self.binary(node)
        elif isinstance(node, ast.Not):
            self.push("NOT ")
            self.expr(node.operand)
        elif isinstance(node, ast.Symbol):
            self.symbol(_dotted(node.parts, node.negated))
        elif isinstance(node, ast.Call):
            self.symbol(_dotted(node.parts, node.negated))
            self.call_args(node.args)
        elif isinstance(node, ast.String):
            self.push(node.text or _quote(node))
        elif isinstance(node, ast.Number):
            value = node.value
            self.push(str(value) if isinstance(value, int) else _float(value))
        elif isinstance(node, ast.Bool):
            self.push(node.text or ("TRUE" if node.value else "FALSE"))
        elif isinstance(node, ast.Null):
            self.push("NULL")
        elif isinstance(node, ast.Paren):
            self.push("(")
            self.expr(node.expr)
            self.push(")")
        elif isinstance(node, ast.Tuple):
            self.push("(")
            self.comma(node.items, trailing=len(node.items) == 1)
            self.push(")")
        elif isinstance(node, ast.Member | ast.Index | ast.Slice):
            self.postfix(node)
        elif isinstance(node, ast.Subquery):
            self.push("{", " ")
            self.select(node.select)
            self.push(" }")
        elif isinstance(node, ast.ArrayLiteral):
            self.push("[")
            self.comma(node.items, trailing=False)
            self.push("]")
        else:
            raise TypeError(f"not a VQL expression: {type(node).__name__}")

    def binary(self, node: ast.BinaryOp) -> None:
        # A chain ``a + b + c`` is a left-deep tree as long as the chain: walked in a loop, so
        # that its length costs no recursion.
        chain: list[ast.BinaryOp] = []
        left: ast.Expr = node
        while isinstance(left, ast.BinaryOp):
            chain.append(left)
            left = left.left
        self.expr(left)
        for link in reversed(chain):
            if link.op == "AND":
                self.line_break()
            self.push(" ", link.spelling or link.op, " ")
            self.expr(link.right)

    def postfix(self, node: ast.Member | ast.Index | ast.Slice) -> None:
        """``x.a[1].b[2:3]``: a left-deep chain, walked in a loop as `binary` does."""
        chain: list[ast.Member | ast.Index | ast.Slice] = []
        obj: ast.Expr = node
        while isinstance(obj, ast.Member | ast.Index | ast.Slice):
            chain.append(obj)
            obj = obj.obj
        self.expr(obj)
        for link in reversed(chain):
            if isinstance(link, ast.Member):
                self.push(".", _name(link.name))
            elif isinstance(link, ast.Index):
                self.push("[")
                self.expr(link.index)
                self.push("]")
            else:
                self.push("[")
                if link.start is not None:
                    self.expr(link.start)
                self.push(":")
                if link.end is not None:
                    self.expr(link.end)
                self.push("]")

    def symbol(self, text: str) -> None:
        if self.pos > 0:
            self.line_break()
        self.push(text)

    def call_args(self, args: tuple[ast.Arg, ...]) -> None:
        if not args:
            self.push("()")
            return
        self.push("(")
        for index, arg in enumerate(args):
            self.arg(arg)
            if index < len(args) - 1:
                self.push(",", " ")
        self.push(")")

    def arg(self, arg: ast.Arg) -> None:
        if self.pos > 0:
            self.line_break()
        name = _name(arg.name)
        value = arg.value
        if isinstance(value, ast.Subquery):
            self.push(name, "={", " ")
            self.select(value.select)
            self.push(" }")
        elif isinstance(value, ast.ArrayLiteral):
            if value.items:
                self.push(name, "=[")
                self.comma(value.items, trailing=False)
                self.push("]")
            else:
                self.push(name, "=[]")
        else:
            self.push(name, "=")
            self.expr(value)

    def comma(self, items: tuple[ast.Expr, ...], *, trailing: bool) -> None:
        self.expr(items[0])
        for item in items[1:]:
            self.push(",", " ")
            self.expr(item)
        if trailing:
            self.push(",", " ")

    # ------------------------------------------------------------ statements

    def column(self, column: ast.Column) -> None:
        expr = column.expr
        if isinstance(expr, ast.Star):
            self.push("*")
            return
        self.expr(expr)
        if column.alias is not None:
            self.push(" AS ", _name(column.alias))

    def select(self, node: ast.Select) -> None:
        if node.explain:
            self.push("EXPLAIN ")
        self.push("SELECT ")
        columns = list(node.columns)
        if columns and isinstance(columns[0].expr, ast.Star) and columns[0].alias is None:
            # The leading `*` of `SELECT *, a` is vfilter's separate `All` flag.
            columns.pop(0)
            self.push("*")
            if columns:
                self.push(",", " ")
        for index, column in enumerate(columns):
            self.column(column)
            if index < len(columns) - 1:
                self.push(",", " ")
                self.line_break()
        self.line_break()
        self.push("FROM ", _dotted(node.plugin.parts, False))
        if node.plugin.args is not None:
            self.call_args(node.plugin.args)
        if node.where is not None:
            self.line_break()
            self.push("WHERE ")
            if isinstance(node.where, ast.Tuple):
                # A WHERE comma expression is not parenthesised.
                self.comma(node.where.items, trailing=len(node.where.items) == 1)
            else:
                self.expr(node.where)
        if node.group_by:
            self.line_break()
            self.push("GROUP BY ")
            self.comma(node.group_by, trailing=False)
        if node.order_by is not None:
            self.line_break()
            self.push("ORDER BY ", _name(node.order_by))
            if node.order_desc:
                self.push(" DESC ")
        if node.limit is not None:
            self.line_break()
            self.push(f"LIMIT {node.limit} ")


def _quote(node: ast.String) -> str:
    if node.raw:
        return f"'''{node.value}'''"
    escaped = node.value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def format_expr(expr: ast.Expr | ast.Star) -> str:
    """Format an expression as vfilter's ``FormatToString`` does (see the module docstring)."""
    if isinstance(expr, ast.Star):
        return "*"
    visitor = _Visitor()
    visitor.expr(expr)
    return visitor.text()


def format_column_name(expr: ast.Expr | ast.Star) -> str:
    """The default name of a column: the formatted expression with backticks stripped."""
    return unquote_ident(format_expr(expr))


def format_select(select: ast.Select) -> str:
    """Format a SELECT as vfilter's ``FormatToString`` does (one line, trimmed)."""
    visitor = _Visitor()
    visitor.select(select)
    return visitor.text()


def format_lambda(node: ast.Lambda) -> str:
    """Format a lambda as vfilter does: ``x, y => body``."""
    visitor = _Visitor()
    visitor.push(", ".join(_name(param) for param in node.params), " => ")
    visitor.expr(node.body)
    return visitor.text()
