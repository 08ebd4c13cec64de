"""The typed VQL syntax tree. Every node carries a 1-based line and column.

The shapes follow vfilter's grammar (see ``../shared/reference/vql-and-artifacts.md`` section 3.2),
flattened into ordinary expression nodes. Positions are in the coordinates the parser was given:
when a query comes from an artifact, the caller passes offsets so that they are the artifact
file's own lines and columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Node:
    line: int = field(compare=False, kw_only=True)
    column: int = field(compare=False, kw_only=True)


# ---------------------------------------------------------------- literals


@dataclass(frozen=True)
class String(Node):
    """A string literal, already unescaped. `raw` is True for ``'''...'''``."""

    value: str
    raw: bool = False
    text: str = field(default="", compare=False)
    """The source spelling with its quotes (vfilter formats a string literal this way)."""


@dataclass(frozen=True)
class Number(Node):
    """A numeric literal. `text` is the source spelling (``010`` is octal 8, ``0x1F`` hex)."""

    value: int | float
    text: str


@dataclass(frozen=True)
class Bool(Node):
    value: bool
    text: str = field(default="", compare=False)
    """The source spelling (``true``, ``FALSE``...); vfilter formats a boolean this way."""


@dataclass(frozen=True)
class Null(Node):
    pass


# ---------------------------------------------------------------- references and calls


@dataclass(frozen=True)
class Symbol(Node):
    """A bare name, possibly dotted (``config.server_urls``) or negated (``-x``).

    Dotted parts are kept separately; vfilter resolves ``a.b`` by looking up ``a`` in the scope
    and then member ``b``.
    """

    parts: tuple[str, ...]
    negated: bool = False

    @property
    def name(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Arg(Node):
    """One keyword argument, ``name=value``. `value` may be a subquery or an array literal."""

    name: str
    value: Expr


@dataclass(frozen=True)
class Call(Node):
    """A function call: ``name(args)``, possibly dotted (``Artifact.X(...)``) or negated."""

    parts: tuple[str, ...]
    args: tuple[Arg, ...]
    negated: bool = False

    @property
    def name(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Subquery(Node):
    """``{ SELECT ... }``: only legal as an argument value or a column."""

    select: Select


@dataclass(frozen=True)
class ArrayLiteral(Node):
    """``[a, b]``: only legal as an argument value."""

    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Tuple(Node):
    """A parenthesised comma expression with at least one comma: ``(a, b)`` or ``(a,)``."""

    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Paren(Node):
    """``(expr)`` without a comma: evaluates to `expr`."""

    expr: Expr


# ---------------------------------------------------------------- operators


@dataclass(frozen=True)
class BinaryOp(Node):
    """A binary operator.

    `op` is one of: ``AND`` ``OR`` (normalised from ``&&`` and ``|``/``||``),
    ``=`` ``!=`` ``<>`` ``<`` ``<=`` ``>`` ``>=`` ``=~`` ``IN``, ``+`` ``-`` ``*`` ``/``.
    """

    op: str
    left: Expr
    right: Expr
    spelling: str = field(default="", compare=False)
    """The operator as written (``||``, ``and``, ``in``...); vfilter's OR returns the right
    value itself, not TRUE, when it was spelled ``||``."""


@dataclass(frozen=True)
class Not(Node):
    operand: Expr


@dataclass(frozen=True)
class Member(Node):
    """``obj.name`` where `obj` is not a plain symbol (e.g. ``url(parse=x).Host``)."""

    obj: Expr
    name: str


@dataclass(frozen=True)
class Index(Node):
    """``obj[index]``."""

    obj: Expr
    index: Expr


@dataclass(frozen=True)
class Slice(Node):
    """``obj[start:end]``; either bound may be absent."""

    obj: Expr
    start: Expr | None
    end: Expr | None


Expr = (
    String
    | Number
    | Bool
    | Null
    | Symbol
    | Call
    | Subquery
    | ArrayLiteral
    | Tuple
    | Paren
    | BinaryOp
    | Not
    | Member
    | Index
    | Slice
)


@dataclass(frozen=True)
class Lambda(Node):
    """``x => expr`` or ``x, y => expr``: parsed at run time from a string argument (lambda.go)."""

    params: tuple[str, ...]
    body: Expr


# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class Star(Node):
    """``*`` in a column list."""


@dataclass(frozen=True)
class Column(Node):
    """One SELECT column. `text` is vfilter's formatted spelling, used as the default name."""

    expr: Expr | Star
    alias: str | None
    text: str

    @property
    def name(self) -> str:
        return self.alias if self.alias is not None else self.text


@dataclass(frozen=True)
class Plugin(Node):
    """The FROM clause: ``name(args)`` or a bare ``name`` (a stored query or variable)."""

    parts: tuple[str, ...]
    args: tuple[Arg, ...] | None
    """None when written without parentheses."""

    @property
    def name(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Select(Node):
    columns: tuple[Column, ...]
    plugin: Plugin
    where: Expr | None = None
    group_by: tuple[Expr, ...] = ()
    order_by: str | None = None
    order_desc: bool = False
    limit: int | None = None
    explain: bool = False


@dataclass(frozen=True)
class LetParam(Node):
    name: str
    default: Expr | None = None


@dataclass(frozen=True)
class Let(Node):
    """``LET name[(params)] = value`` (lazy) or ``<=`` (materialized)."""

    name: str
    params: tuple[LetParam, ...] | None
    """None when written without parentheses; () for ``LET f() = ...``."""
    materialized: bool
    value: Select | Expr


Statement = Let | Select


@dataclass(frozen=True)
class Comment(Node):
    """A comment kept for linter suppressions. `text` excludes the ``--``, ``//`` or ``/* */``."""

    text: str


@dataclass(frozen=True)
class Program(Node):
    """All statements of one query text, and its comments in source order."""

    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...] = ()
