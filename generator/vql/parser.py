"""A hand-written recursive-descent parser for VQL that accepts exactly what vfilter accepts.

The grammar is vfilter's participle grammar (``../shared/reference/vql-and-artifacts.md`` 3.2).
Each rule decides on its first token, so parsing is linear in the number of tokens. Comments
are dropped from the token stream, as in vfilter's ``MultiParse``, and kept in
``Program.comments`` for linter suppressions.

Checked against vfilter's own parser (``tests/test_differential_parse.py``, the ``parse``
oracle): after a comma, expressions may stand side by side and only the last counts
(``(1, 2 3)`` is ``[1, 3]``); a call whose argument list fails within one token is given back
(participle's lookahead of one), so ``(1, f(x))`` is ``f`` followed by ``(x)``.

Choices where vfilter's behaviour was inferred, not run:

- ``a = b = c``: a comparison is captured into a single field, so the last one wins: ``a = c``.
- ``x[1 2]`` (several values inside one bracket): the last value wins; ``x[]`` has no index at
  all and evaluates to NULL in vfilter; it is represented as ``Index(x, Null)``.
- ``f(a=1)(b=2)``: call parentheses may repeat; their arguments accumulate into one call.
- ``(1,,2)``: vfilter stops evaluating a comma expression at the first empty element, so the
  tuple holds the elements before it.
- ``LIMIT`` needs a numeric literal that Go's ``ParseInt(s, 0, 64)`` accepts (``LIMIT 1.5`` is an
  error).
- A Number that neither ParseInt nor ParseFloat accepts (``0xFFFFFFFFFFFFFFFFFF``, ``1e400``)
  parses; vfilter evaluates it to NULL, so it becomes a ``Null`` node.

One deliberate difference: nesting deeper than 50 levels (parentheses, calls, subqueries, NOT)
is rejected with "expression nested too deeply", where vfilter has no limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from . import ast
from .formatter import format_column_name
from .lexer import (
    ALT_AND,
    ALT_OR,
    EOF,
    IDENT,
    MULTILINE_STRING,
    NUMBER,
    OPERATOR,
    STRING,
    SYMBOL_IDENT,
    Token,
    VqlLexError,
    number_value,
    parse_go_int,
    tokenize,
    unquote_ident,
    unquote_string,
)

__all__ = ["VqlSyntaxError", "parse", "parse_lambda"]

_T = TypeVar("_T")

_COMPARISONS = frozenset({"<>", "<=", ">=", "=", "<", ">", "!=", "=~"})
_VALUE_START_KINDS = frozenset(
    {IDENT, SYMBOL_IDENT, STRING, MULTILINE_STRING, NUMBER, "BOOL", "NULL"}
)
# Nesting levels (parentheses, calls, subqueries, NOTs) accepted; each level costs about ten
# Python frames, so this stays well inside the default recursion limit of 1000.
_MAX_DEPTH = 50


class VqlSyntaxError(Exception):
    """The first syntax error in a query, at file coordinates (the caller's offsets applied).

    `hint` optionally says how to fix a common mistake (e.g. ``x-1``); it is not part of `str()`.
    """

    def __init__(self, message: str, line: int, column: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"


_NOT_VQL = frozenset({"JOIN", "HAVING", "OFFSET", "UNION", "DISTINCT", "TOP", "ASC", "BETWEEN"})
_LEX_HINTS = {
    ";": "statements are separated only by whitespace or comments: remove the ';'",
    "#": "'#' does not start a comment: use '--' or '//'",
    "!": "write '!=' for 'not equal' or NOT for negation",
    "&": "write AND (or '&&')",
    "~": "the regex match operator is '=~'",
}


def _hint(expected: str, token: Token) -> str | None:
    """A fix for a common mistake, given what was expected and the token found."""
    value = token.value
    negative = (token.kind == NUMBER and value.startswith("-")) or token.kind == SYMBOL_IDENT
    if negative and expected != "a value":
        return f"'{value}' is one negative value, not a subtraction: put spaces around '-' (x - 1)"
    if token.kind == IDENT and value.upper() in _NOT_VQL:
        if value.upper() == "ASC":
            return "ORDER BY takes one column and an optional DESC; there is no ASC"
        return f"VQL has no {value.upper()}: use plugins such as foreach(), chain() or if()"
    if token.kind == OPERATOR and value == "[":
        return "[...] arrays are only allowed as argument values; elsewhere use a tuple (a, b)"
    if expected == "FROM" and (token.kind in _VALUE_START_KINDS or value in ("(", "{")):
        return "is a ',' missing between two columns?"
    if token.kind != OPERATOR or expected != "a value":
        return None
    if value == "=":
        return "VQL compares with a single '='"
    if value == "{":
        return (
            "{ SELECT ... } subqueries are only allowed as argument values or columns; "
            "LET x = SELECT ... takes no braces"
        )
    if value == "=>":
        return "'=>' only appears inside lambda strings, e.g. condition=\"x => x.Size > 10\""
    if value == "%":
        return "VQL has no '%' operator"
    return None


def _describe(token: Token) -> str:
    if token.kind == EOF:
        return "end of input"
    text = token.value
    if len(text) > 40:
        text = text[:37] + "..."
    return f"'{text}'"


def _name(token: Token) -> str:
    """The name an identifier token stands for (backticks removed, escapes decoded)."""
    return unquote_ident(token.value)


def _name_parts(tokens: list[Token]) -> tuple[str, ...]:
    # vfilter splits dotted names with utils.SplitIdent, which strips backticks without decoding.
    return tuple(t.value[1:-1] if t.value.startswith("`") else t.value for t in tokens)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.furthest: VqlSyntaxError | None = None
        """The error of a backtracked attempt that got furthest: reported when the whole
        parse then fails earlier (participle reports the deepest error too)."""

    # ------------------------------------------------------------ token helpers

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != EOF:
            self.pos += 1
        return token

    def at_op(self, value: str) -> bool:
        token = self.tokens[self.pos]
        return token.kind == OPERATOR and token.value == value

    def accept_op(self, value: str) -> Token | None:
        token = self.tokens[self.pos]
        if token.kind == OPERATOR and token.value == value:
            self.pos += 1
            return token
        return None

    def expect_op(self, value: str) -> Token:
        token = self.tokens[self.pos]
        if token.kind == OPERATOR and token.value == value:
            self.pos += 1
            return token
        raise self.error(f"'{value}'")

    def expect_kind(self, kind: str, what: str) -> Token:
        token = self.tokens[self.pos]
        if token.kind == kind:
            self.pos += 1
            return token
        raise self.error(what)

    def error(self, expected: str, token: Token | None = None) -> VqlSyntaxError:
        token = token or self.tok
        return VqlSyntaxError(
            f"expected {expected} but found {_describe(token)}",
            token.line,
            token.column,
            _hint(expected, token),
        )

    def remember(self, error: VqlSyntaxError) -> None:
        furthest = self.furthest
        if furthest is None or (error.line, error.column) > (furthest.line, furthest.column):
            self.furthest = error

    def deepest(self, error: VqlSyntaxError) -> VqlSyntaxError:
        """`error`, or the error of a backtracked attempt that got further."""
        furthest = self.furthest
        if furthest is not None and (furthest.line, furthest.column) > (error.line, error.column):
            return furthest
        return error

    def nested(self, rule: Callable[[], _T]) -> _T:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            token = self.tok
            raise VqlSyntaxError("expression nested too deeply", token.line, token.column)
        try:
            return rule()
        finally:
            self.depth -= 1

    # ------------------------------------------------------------ statements

    def program(self) -> tuple[ast.Statement, ...]:
        statements = [self.statement()]
        while self.tok.kind != EOF:
            statements.append(self.statement())
        return tuple(statements)

    def statement(self) -> ast.Statement:
        kind = self.tok.kind
        if kind == "LET":
            return self.let()
        if kind in ("SELECT", "EXPLAIN"):
            return self.select()
        error = self.error("LET or SELECT")
        if self.pos > 0 and error.hint is None:
            error.hint = "the previous statement ended here: is an operator or a ',' missing?"
        raise error

    def let(self) -> ast.Let:
        start = self.advance()
        name = self.expect_kind(IDENT, "a name after LET")
        params: tuple[ast.LetParam, ...] | None = None
        if self.accept_op("("):
            items: list[ast.LetParam] = []
            if not self.at_op(")"):
                items.append(self.let_param())
                while self.accept_op(","):
                    items.append(self.let_param())
            self.expect_op(")")
            params = tuple(items)
        token = self.tok
        if token.kind == OPERATOR and token.value in ("=", "<="):
            self.pos += 1
        else:
            raise self.error("'=' or '<='")
        value: ast.Select | ast.Expr = (
            self.select() if self.tok.kind in ("SELECT", "EXPLAIN") else self.and_expr()
        )
        return ast.Let(
            _name(name),
            params,
            token.value == "<=",
            value,
            line=start.line,
            column=start.column,
        )

    def let_param(self) -> ast.LetParam:
        name = self.expect_kind(IDENT, "a parameter name")
        default = self.arg_value() if self.accept_op("=") else None
        return ast.LetParam(_name(name), default, line=name.line, column=name.column)

    def select(self) -> ast.Select:
        return self.nested(self._select)

    def _select(self) -> ast.Select:
        start = self.tok
        explain = False
        while self.tok.kind == "EXPLAIN":
            explain = True
            self.pos += 1
        self.expect_kind("SELECT", "SELECT")
        columns = self.select_columns()
        self.expect_kind("FROM", "FROM")
        plugin = self.plugin()
        where: ast.Expr | None = None
        group_by: tuple[ast.Expr, ...] = ()
        order_by: str | None = None
        order_desc = False
        limit: int | None = None
        if self.tok.kind == "WHERE":
            self.pos += 1
            where = self.comma_expr()
        if self.tok.kind == "GROUPBY":
            self.pos += 1
            group_by, _ = self.comma_items()
        if self.tok.kind == "ORDERBY":
            self.pos += 1
            order_by = _name(self.expect_kind(IDENT, "a column name after ORDER BY"))
            if self.tok.kind == "DESC":
                self.pos += 1
                order_desc = True
        if self.tok.kind == "LIMIT":
            self.pos += 1
            number = self.expect_kind(NUMBER, "a number after LIMIT")
            limit = parse_go_int(number.value)
            if limit is None:
                raise VqlSyntaxError(
                    f"LIMIT needs an integer, not {number.value}", number.line, number.column
                )
        return ast.Select(
            tuple(columns),
            plugin,
            where,
            group_by,
            order_by,
            order_desc,
            limit,
            explain,
            line=start.line,
            column=start.column,
        )

    def select_columns(self) -> list[ast.Column]:
        columns: list[ast.Column] = []
        if self.at_op("*"):
            star = self.advance()
            columns.append(
                ast.Column(
                    ast.Star(line=star.line, column=star.column),
                    None,
                    "*",
                    line=star.line,
                    column=star.column,
                )
            )
            self.accept_op(",")
        if self.starts_column():
            columns.append(self.column())
            while self.accept_op(","):
                columns.append(self.column())
        return columns

    def starts_column(self) -> bool:
        token = self.tok
        if token.kind == OPERATOR:
            return token.value in ("*", "{", "(")
        return token.kind in _VALUE_START_KINDS or token.kind == "NOT"

    def column(self) -> ast.Column:
        token = self.tok
        expr: ast.Expr | ast.Star
        if self.accept_op("*"):
            expr = ast.Star(line=token.line, column=token.column)
        elif self.accept_op("{"):
            expr = ast.Subquery(self.select(), line=token.line, column=token.column)
            self.expect_op("}")
        else:
            expr = self.and_expr()
        alias: str | None = None
        if self.tok.kind == "AS":
            self.pos += 1
            alias = _name(self.expect_kind(IDENT, "a column name after AS"))
        return ast.Column(
            expr, alias, format_column_name(expr), line=token.line, column=token.column
        )

    def plugin(self) -> ast.Plugin:
        first = self.expect_kind(IDENT, "a plugin name")
        parts = [first]
        while self.accept_op("."):
            parts.append(self.expect_kind(IDENT, "a name after '.'"))
        args: tuple[ast.Arg, ...] | None = None
        if self.accept_op("("):
            args = self.arg_list()
        return ast.Plugin(_name_parts(parts), args, line=first.line, column=first.column)

    def arg_list(self) -> tuple[ast.Arg, ...]:
        """Arguments after an opening parenthesis, up to and including the closing one."""
        args: list[ast.Arg] = []
        if not self.at_op(")"):
            if self.tok.kind != IDENT:
                raise self.error("an argument name or ')'")
            args.append(self.arg())
            while self.accept_op(","):
                args.append(self.arg())
        if not self.at_op(")"):
            expected = "',' or ')'" if args else "an argument name or ')'"
            raise self.error(expected)
        self.pos += 1
        return tuple(args)

    def arg(self) -> ast.Arg:
        name = self.tok
        if name.kind != IDENT:
            raise self.error("an argument name (all arguments are name=value)")
        self.pos += 1
        self.expect_op("=")
        return ast.Arg(_name(name), self.arg_value(), line=name.line, column=name.column)

    def arg_value(self) -> ast.Expr:
        token = self.tok
        if self.accept_op("{"):
            select = self.select()
            self.expect_op("}")
            return ast.Subquery(select, line=token.line, column=token.column)
        if self.accept_op("["):
            items: tuple[ast.Expr, ...] = ()
            if not self.at_op("]"):
                items, _ = self.comma_items()
            self.expect_op("]")
            return ast.ArrayLiteral(items, line=token.line, column=token.column)
        return self.and_expr()

    # ------------------------------------------------------------ expressions

    def comma_items(self) -> tuple[tuple[ast.Expr, ...], bool]:
        """A CommaExpr's elements, and whether it holds a comma.

        After a comma vfilter's grammar takes zero or more expressions side by side
        (``_CommaExpression``'s ``"," @@*``): ``(1, 2 3)`` parses, and only the last one of a
        group is evaluated, so it is the only one kept (``[1, 3]``, as vfilter evaluates it).
        Elements after an empty one (``1,,2``) are parsed but dropped: vfilter stops there.
        """
        items = [self.and_expr()]
        had_comma = False
        stopped = False
        while self.accept_op(","):
            had_comma = True
            item: ast.Expr | None = None
            while self.starts_expr():
                item = self.and_expr()
            if item is None:
                stopped = True
            elif not stopped:
                items.append(item)
        return tuple(items), had_comma

    def comma_expr(self) -> ast.Expr:
        """A CommaExpr: one expression, or a Tuple when it holds a comma."""
        first = self.tok
        items, had_comma = self.comma_items()
        if not had_comma:
            return items[0]
        return ast.Tuple(items, line=first.line, column=first.column)

    def starts_expr(self) -> bool:
        token = self.tok
        if token.kind == OPERATOR:
            return token.value == "("
        return token.kind in _VALUE_START_KINDS or token.kind == "NOT"

    def and_expr(self) -> ast.Expr:
        return self.nested(self._and_expr)

    def _and_expr(self) -> ast.Expr:
        left = self.or_expr()
        while self.tok.kind in ("AND", ALT_AND):
            op = self.advance()
            right = self.or_expr()
            left = ast.BinaryOp("AND", left, right, op.value, line=op.line, column=op.column)
        return left

    def or_expr(self) -> ast.Expr:
        left = self.condition()
        while self.tok.kind in ("OR", ALT_OR):
            op = self.advance()
            right = self.condition()
            left = ast.BinaryOp("OR", left, right, op.value, line=op.line, column=op.column)
        return left

    def condition(self) -> ast.Expr:
        token = self.tok
        if token.kind == "NOT":
            self.pos += 1
            operand = self.nested(self.condition)
            result: ast.Expr = ast.Not(operand, line=token.line, column=token.column)
        else:
            result = self.add_expr()
        left = result
        while True:
            op = self.tok
            if op.kind == "IN" or (op.kind == OPERATOR and op.value in _COMPARISONS):
                self.pos += 1
                right = self.add_expr()
                result = ast.BinaryOp(
                    op.value.upper() if op.kind == "IN" else op.value,
                    left,
                    right,
                    op.value,
                    line=op.line,
                    column=op.column,
                )
            else:
                return result

    def add_expr(self) -> ast.Expr:
        left = self.mul_expr()
        while True:
            op = self.tok
            if op.kind == OPERATOR and op.value in ("+", "-"):
                self.pos += 1
                right = self.mul_expr()
                left = ast.BinaryOp(op.value, left, right, op.value, line=op.line, column=op.column)
            else:
                return left

    def mul_expr(self) -> ast.Expr:
        left = self.member_expr()
        while True:
            op = self.tok
            if op.kind == OPERATOR and op.value in ("*", "/"):
                self.pos += 1
                right = self.value()
                left = ast.BinaryOp(op.value, left, right, op.value, line=op.line, column=op.column)
            else:
                return left

    def member_expr(self) -> ast.Expr:
        result = self.value()
        while True:
            token = self.tok
            if token.kind != OPERATOR:
                return result
            if token.value == ".":
                self.pos += 1
                name = self.expect_kind(IDENT, "a name after '.'")
                result = ast.Member(result, _name(name), line=token.line, column=token.column)
            elif token.value == "[":
                self.pos += 1
                result = self.subscript(result, token)
            else:
                return result

    def subscript(self, obj: ast.Expr, bracket: Token) -> ast.Expr:
        start: ast.Expr | None = None
        end: ast.Expr | None = None
        while self.starts_value():
            start = self.value()
        is_slice = False
        while self.accept_op(":"):
            is_slice = True
        while self.starts_value():
            end = self.value()
        if not self.at_op("]"):
            raise self.error("']' (an index must be a single value: write x[(i + 1)])")
        self.pos += 1
        if is_slice:
            return ast.Slice(obj, start, end, line=bracket.line, column=bracket.column)
        index = end if end is not None else start
        if index is None:
            index = ast.Null(line=bracket.line, column=bracket.column)
        return ast.Index(obj, index, line=bracket.line, column=bracket.column)

    def call_group_fails_early(self) -> bool:
        """At a call's ``(``: does its argument list fail within one token of it?

        True for ``(`` followed by anything but ``)`` or ``name =`` (the first argument).
        """
        after = self.tokens[self.pos + 1]
        if after.kind == OPERATOR and after.value == ")":
            return False
        if after.kind != IDENT:
            return True
        following = self.tokens[self.pos + 2]
        return not (following.kind == OPERATOR and following.value == "=")

    def starts_value(self) -> bool:
        token = self.tok
        if token.kind == OPERATOR:
            return token.value == "("
        return token.kind in _VALUE_START_KINDS

    def value(self) -> ast.Expr:
        token = self.tok
        kind = token.kind
        if kind in (IDENT, SYMBOL_IDENT):
            return self.symbol_ref()
        if kind in (STRING, MULTILINE_STRING):
            self.pos += 1
            return ast.String(
                unquote_string(token.value),
                kind == MULTILINE_STRING,
                token.value,
                line=token.line,
                column=token.column,
            )
        if kind == NUMBER:
            self.pos += 1
            number = number_value(token.value)
            if number is None:
                return ast.Null(line=token.line, column=token.column)
            return ast.Number(number, token.value, line=token.line, column=token.column)
        if kind == "BOOL":
            self.pos += 1
            return ast.Bool(
                token.value.lower() == "true", token.value, line=token.line, column=token.column
            )
        if kind == "NULL":
            self.pos += 1
            return ast.Null(line=token.line, column=token.column)
        if kind == OPERATOR and token.value == "(":
            self.pos += 1
            items, had_comma = self.comma_items()
            self.expect_op(")")
            if had_comma:
                return ast.Tuple(items, line=token.line, column=token.column)
            return ast.Paren(items[0], line=token.line, column=token.column)
        raise self.error("a value")

    def symbol_ref(self) -> ast.Expr:
        first = self.advance()
        negated = first.kind == SYMBOL_IDENT
        head = first.value[1:] if negated else first.value
        parts = [head[1:-1] if head.startswith("`") else head]
        while self.at_op("."):
            following = self.tokens[self.pos + 1]
            if following.kind != IDENT:
                raise self.error("a name after '.'", following)
            self.pos += 2
            parts.append(_name_parts([following])[0])
        if len(parts) == 1:
            parts = [unquote_ident(head)]
        args: list[ast.Arg] = []
        called = False
        while self.at_op("("):
            if self.call_group_fails_early():
                # participle gives back an optional group that fails after one token (its
                # lookahead): ``f(x)`` is then the symbol ``f`` followed by ``(x)``, which is
                # valid where expressions stand side by side (after a comma). The group's own
                # error is kept in case the whole text fails.
                start = self.pos
                self.pos += 1
                try:
                    self.arg_list()
                except VqlSyntaxError as error:
                    self.remember(error)
                self.pos = start
                break
            self.pos += 1
            args.extend(self.arg_list())
            called = True
        if not called:
            return ast.Symbol(tuple(parts), negated, line=first.line, column=first.column)
        return ast.Call(tuple(parts), tuple(args), negated, line=first.line, column=first.column)


def _lex(text: str, line_offset: int, column_offset: int) -> tuple[list[Token], list[Token]]:
    try:
        return tokenize(text, line_offset=line_offset, column_offset=column_offset)
    except VqlLexError as error:
        hint = _LEX_HINTS.get(error.text[:1])
        raise VqlSyntaxError(error.message, error.line, error.column, hint) from None


def _comment(token: Token) -> ast.Comment:
    text = token.value
    body = text[2:-2] if text.startswith("/*") else text[2:]
    return ast.Comment(body, line=token.line, column=token.column)


def parse(text: str, *, line_offset: int = 0, column_offset: int = 0) -> ast.Program:
    """Parse a whole query text: one or more statements separated only by whitespace/comments.

    Positions are the position in `text` plus the offsets (the column offset applies to every
    line, as for the content of a YAML block scalar). Raises VqlSyntaxError at the first error.
    An empty text (or only comments) is an error, as in vfilter.
    """
    tokens, comments = _lex(text, line_offset, column_offset)
    parser = _Parser(tokens)
    try:
        statements = parser.program()
    except VqlSyntaxError as error:
        raise parser.deepest(error) from None
    except RecursionError:
        token = parser.tok
        raise VqlSyntaxError("expression nested too deeply", token.line, token.column) from None
    return ast.Program(
        statements,
        tuple(_comment(c) for c in comments),
        line=1 + line_offset,
        column=1 + column_offset,
    )


def parse_lambda(text: str) -> ast.Lambda:
    """Parse a lambda string, ``x => expr`` or ``x, y => expr`` (vfilter lambda.go)."""
    tokens, _ = _lex(text, 0, 0)
    parser = _Parser(tokens)
    first = parser.tok
    params = [_name(parser.expect_kind(IDENT, "a lambda parameter name"))]
    while parser.accept_op(","):
        params.append(_name(parser.expect_kind(IDENT, "a lambda parameter name")))
    parser.expect_op("=>")
    body = parser.and_expr()
    if parser.tok.kind != EOF:
        raise parser.error("end of lambda")
    return ast.Lambda(tuple(params), body, line=first.line, column=first.column)
