"""vfilter's formatting of VQL nodes: the text that becomes a column's default name.

vfilter names a column without ``AS`` after the formatted expression, then strips backticks
(``utils.Unquote_ident``): ``SELECT mock_replay(plugin='execve') FROM scope()`` has the column
``mock_replay(plugin='execve')``. The rules follow vfilter's ``ToString`` methods and its golden
fixtures (``fixtures/vql_queries.golden``, ``multi_vql_queries.golden``):

- string literals keep their source spelling, quotes included (``'a'`` vs ``"a"``);
- integers are printed in decimal (``0x10`` -> ``16``, ``010`` -> ``8``) and floats in Go's
  shortest ``'f'`` form with ``.0`` added when there is no dot (``1e3`` -> ``1000.0``);
- binary operators get one space on each side (``1 + 1 = 2``), AND and OR upper case;
- calls are ``name(a=1, b=2)``; a subquery argument is ``name= { SELECT ...}`` and an array
  argument ``name= [1, 2]`` (vfilter's own spacing);
- a subquery column is ``{ SELECT ... }``; LIMIT and DESC carry a trailing space (``LIMIT 1 ``).

Not confirmed against a running vfilter (documented guesses):

- ``||``/``|``/``&&`` are printed as ``OR``/``AND``; EXPLAIN as an ``EXPLAIN `` prefix;
- a backticked name inside a dotted name or an argument name is printed with backticks only when
  it is not a plain identifier (the AST keeps names already unquoted);
- a one-element tuple ``(x,)`` is printed ``(x, )`` (vfilter prints the empty trailing element),
  while a longer tuple with a trailing comma loses it;
- ``x[]`` is printed ``x[NULL]``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from generator.vql import ast
from generator.vql.lexer import unquote_ident

__all__ = ["format_column_name", "format_expr", "format_select"]

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
        "GROUP",
        "ORDER",
    }
)


def _name(name: str) -> str:
    if _PLAIN_NAME.fullmatch(name) and name.upper() not in _KEYWORDS:
        return name
    return f"`{name}`"


def _dotted(parts: tuple[str, ...], negated: bool) -> str:
    return ("-" if negated else "") + ".".join(_name(part) for part in parts)


def _format_float(value: float) -> str:
    """Go's ``strconv.FormatFloat(v, 'f', -1, 64)``, plus ``.0`` when there is no dot."""
    text = format(Decimal(repr(value)), "f")
    if "." not in text:
        text += ".0"
    return text


def _number(node: ast.Number) -> str:
    if isinstance(node.value, bool):
        return str(node.value)
    if isinstance(node.value, int):
        return str(node.value)
    return _format_float(node.value)


def _arg(arg: ast.Arg) -> str:
    name = _name(arg.name)
    value = arg.value
    if isinstance(value, ast.Subquery):
        return f"{name}= {{ {format_select(value.select)}}}"
    if isinstance(value, ast.ArrayLiteral):
        return f"{name}= [{', '.join(format_expr(item) for item in value.items)}]"
    return f"{name}={format_expr(value)}"


def _args(args: tuple[ast.Arg, ...]) -> str:
    return ", ".join(_arg(arg) for arg in args)


def format_expr(expr: ast.Expr | ast.Star) -> str:
    """Format an expression as vfilter does (see the module docstring)."""
    if isinstance(expr, ast.String):
        return expr.text or _quote(expr)
    if isinstance(expr, ast.Number):
        return _number(expr)
    if isinstance(expr, ast.Bool):
        return "TRUE" if expr.value else "FALSE"
    if isinstance(expr, ast.Null):
        return "NULL"
    if isinstance(expr, ast.Symbol):
        return _dotted(expr.parts, expr.negated)
    if isinstance(expr, ast.Call):
        return f"{_dotted(expr.parts, expr.negated)}({_args(expr.args)})"
    if isinstance(expr, ast.BinaryOp):
        return f"{format_expr(expr.left)} {expr.op} {format_expr(expr.right)}"
    if isinstance(expr, ast.Not):
        return f"NOT {format_expr(expr.operand)}"
    if isinstance(expr, ast.Paren):
        return f"({format_expr(expr.expr)})"
    if isinstance(expr, ast.Tuple):
        items = [format_expr(item) for item in expr.items]
        if len(items) == 1:
            items.append("")
        return f"({', '.join(items)})"
    if isinstance(expr, ast.Member):
        return f"{format_expr(expr.obj)}.{_name(expr.name)}"
    if isinstance(expr, ast.Index):
        return f"{format_expr(expr.obj)}[{format_expr(expr.index)}]"
    if isinstance(expr, ast.Slice):
        start = "" if expr.start is None else format_expr(expr.start)
        end = "" if expr.end is None else format_expr(expr.end)
        return f"{format_expr(expr.obj)}[{start}:{end}]"
    if isinstance(expr, ast.Subquery):
        return f"{{ {format_select(expr.select)} }}"
    if isinstance(expr, ast.ArrayLiteral):
        return f"[{', '.join(format_expr(item) for item in expr.items)}]"
    if isinstance(expr, ast.Star):
        return "*"
    raise TypeError(f"not a VQL expression: {type(expr).__name__}")


def _quote(node: ast.String) -> str:
    if node.raw:
        return f"'''{node.value}'''"
    escaped = node.value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def format_column_name(expr: ast.Expr | ast.Star) -> str:
    """The default name of a column: the formatted expression with backticks stripped."""
    return unquote_ident(format_expr(expr))


def _column(column: ast.Column) -> str:
    text = format_expr(column.expr)
    if column.alias is not None:
        text += f" AS {_name(column.alias)}"
    return text


def format_select(select: ast.Select) -> str:
    """Format a SELECT as vfilter's ``_Select.ToString`` does."""
    parts = ["EXPLAIN " if select.explain else "", "SELECT "]
    parts.append(", ".join(_column(column) for column in select.columns))
    plugin = select.plugin
    parts.append(" FROM ")
    parts.append(_dotted(plugin.parts, False))
    if plugin.args is not None:
        parts.append(f"({_args(plugin.args)})")
    if select.where is not None:
        parts.append(f" WHERE {format_expr(select.where)}")
    if select.group_by:
        parts.append(f" GROUP BY {', '.join(format_expr(item) for item in select.group_by)}")
    if select.order_by is not None:
        parts.append(f" ORDER BY {_name(select.order_by)}")
        if select.order_desc:
            parts.append(" DESC ")
    if select.limit is not None:
        parts.append(f" LIMIT {select.limit} ")
    return "".join(parts)
