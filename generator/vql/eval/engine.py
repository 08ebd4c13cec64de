"""The evaluator: runs the VQL syntax tree with vfilter's semantics.

Rows flow through Python generators, so a consumer that stops early (``LIMIT``, ``if()`` on a
stored query, which stops at the first row) stops the producer too, as Go's cancelled contexts
do. Names resolve dynamically, as in vfilter: a stored query or stored expression runs in the
scope of the place that uses it, not the one that defined it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ...errors import VrqError
from .. import ast
from ..regex import VqlRegexError
from . import values as v
from .match import vql_match
from .scope import Scope, Session


class VqlRuntimeError(VrqError):
    """Evaluation cannot go on: an unsupported feature, an unmocked side effect, a bad call."""


def _where(node: ast.Node | None) -> str:
    if node is None:
        return ""
    return f" (query line {node.line}, column {node.column})"


# ---------------------------------------------------------------- lazy values


@dataclass(eq=False)
class StoredQuery:
    """``LET x = SELECT ...`` or a ``{ SELECT ... }`` argument: re-runs at each use."""

    select: ast.Select
    name: str = ""
    params: tuple[ast.LetParam, ...] | None = None


@dataclass(eq=False)
class StoredQueryCallSite:
    """A stored query called with arguments: runs in the scope captured at the call."""

    query: StoredQuery
    scope: Scope


@dataclass(eq=False)
class StoredExpression:
    """``LET x = <expression>``: re-evaluated at each reference."""

    expr: ast.Expr
    name: str
    params: tuple[ast.LetParam, ...] | None = None


@dataclass(eq=False)
class LazyExpr:
    """A function argument: evaluated (once) only when the function asks for it."""

    expr: ast.Expr
    scope: Scope
    evaluator: Evaluator
    _done: bool = False
    _value: Any = None

    def reduce(self) -> Any:
        if not self._done:
            self._value = self.evaluator.eval(self.expr, self.scope)
            self._done = True
        return self._value


def is_query(value: Any) -> bool:
    return isinstance(value, StoredQuery | StoredQueryCallSite)


class LazyRow(v.Members):
    """A SELECT's transformed row: columns evaluate on first access, then keep their value.

    A ``*`` over a scope or another lazy row is kept as a reference to that row (its members are
    read only when this row is materialized); a ``*`` over a dict copies its values.
    """

    __slots__ = ("_bases", "_cache", "_columns", "_order")

    def __init__(self) -> None:
        self._columns: dict[str, Callable[[], Any]] = {}
        self._cache: dict[str, Any] = {}
        self._bases: list[Any] = []
        self._order: list[str | Any] = []

    def add_value(self, name: str, value: Any) -> None:
        if name not in self._columns:
            self._order.append(name)
        self._columns[name] = _constant(value)
        self._cache[name] = value

    def add_column(self, name: str, thunk: Callable[[], Any]) -> None:
        if name not in self._columns:
            self._order.append(name)
        self._columns[name] = thunk
        self._cache.pop(name, None)

    def add_base(self, row: Any) -> None:
        self._bases.append(row)
        self._order.append(row)

    def has(self, name: str) -> bool:
        return name in self._columns

    def member_names(self) -> list[str]:
        if not self._bases:
            return list(self._columns)
        names: dict[str, None] = {}
        for item in self._order:
            if isinstance(item, str):
                names.setdefault(item, None)
            else:
                for name in v.member_names(item):
                    names.setdefault(name, None)
        return list(names)

    def get_member(self, name: str) -> tuple[bool, Any]:
        if name in self._columns:
            if name not in self._cache:
                self._cache[name] = self._columns[name]()
            return True, self._cache[name]
        for base in self._bases:
            found, value = v.associative(base, name)
            if found:
                return True, value
        return False, v.NULL

    def materialize(self) -> dict[str, Any]:
        return {name: self.get_member(name)[1] for name in self.member_names()}


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


# ---------------------------------------------------------------- call contexts


class Args:
    """The arguments of one call. Function arguments are lazy, plugin arguments are not."""

    __slots__ = ("_raw", "call_name", "ctx")

    def __init__(self, raw: dict[str, Any], ctx: CallContext, call_name: str) -> None:
        self._raw = raw
        self.ctx = ctx
        self.call_name = call_name

    def names(self) -> list[str]:
        return list(self._raw)

    def has(self, name: str) -> bool:
        return name in self._raw

    def value(self, name: str, default: Any = v.NULL) -> Any:
        """The reduced argument (a stored query stays a stored query)."""
        if name not in self._raw:
            return default
        item = self._raw[name]
        if isinstance(item, LazyExpr):
            return item.reduce()
        return item

    def evaluated(self) -> dict[str, Any]:
        return {name: self.value(name) for name in self._raw}

    def materialized(self, name: str, default: Any = v.NULL) -> Any:
        """Like `value`, with stored queries run into a list of rows."""
        item = self.value(name, default)
        if is_query(item):
            return self.ctx.evaluator.materialize(item, self.ctx.scope)
        return item

    def string(self, name: str, default: str = "") -> str:
        """A ``string`` field as vfilter's ``arg_parser`` (``stringParser``) converts it: NULL is
        "" (here `default`), a one-element list is its element, anything else Go's ``%v``."""
        item = self.materialized(name, None)
        if isinstance(item, list | tuple) and len(item) == 1:
            item = item[0]
        if item is None or v.is_null(item):
            return default
        if isinstance(item, str):
            return item
        return v.go_value(item)

    def strings(self, name: str) -> list[str]:
        item = self.materialized(name, None)
        if item is None or v.is_null(item):
            return []
        if isinstance(item, list | tuple):
            return [x if isinstance(x, str) else v.go_value(x) for x in item]
        return [item if isinstance(item, str) else v.go_value(item)]

    def integer(self, name: str, default: int = 0) -> int:
        item = self.value(name, None)
        if item is None or v.is_null(item):
            return default
        converted = to_int(item)
        return default if converted is None else converted

    def require(self, *names: str) -> None:
        for name in names:
            if name not in self._raw:
                raise VqlRuntimeError(
                    f"{self.call_name}(): required argument {name!r} is missing"
                    f"{_where(self.ctx.node)}"
                )


def to_int(item: Any) -> int | None:
    if isinstance(item, bool):
        return int(item)
    if isinstance(item, int):
        return item
    if isinstance(item, float):
        return int(item)
    if isinstance(item, str):
        text = item.strip()
        try:
            return int(text, 0) if text[:2].lower() in ("0x", "0o", "0b") else int(text, 10)
        except ValueError:
            try:
                return int(float(text))
            except ValueError:
                return None
    return None


@dataclass
class CallContext:
    evaluator: Evaluator
    scope: Scope
    node: ast.Node | None

    @property
    def session(self) -> Session:
        return self.scope.session

    def log(self, message: str) -> None:
        self.scope.log(message)

    def truthy(self, value: Any) -> bool:
        return self.evaluator.truthy(value, self.scope)

    def rows(self, value: Any, scope: Scope | None = None) -> Iterator[Any]:
        return self.evaluator.rows_of(value, scope or self.scope)

    def materialize(self, value: Any) -> Any:
        return self.evaluator.materialize(value, self.scope)

    def fail(self, message: str, hint: str | None = None) -> VqlRuntimeError:
        return VqlRuntimeError(message + _where(self.node), hint=hint)


FunctionImpl = Callable[[CallContext, Args], Any]
PluginImpl = Callable[[CallContext, Args], Iterator[Any]]


@dataclass(frozen=True)
class Registry:
    functions: dict[str, FunctionImpl]
    plugins: dict[str, PluginImpl]


# ---------------------------------------------------------------- the evaluator


class Evaluator:
    """Evaluates statements, queries and expressions against a registry of functions/plugins."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._dispatch: dict[type, Callable[[Any, Scope], Any]] = {
            ast.String: lambda n, s: n.value,
            ast.Number: lambda n, s: n.value,
            ast.Bool: lambda n, s: n.value,
            ast.Null: lambda n, s: v.NULL,
            ast.Symbol: self._symbol,
            ast.Call: self._call,
            ast.Subquery: lambda n, s: StoredQuery(n.select),
            ast.ArrayLiteral: lambda n, s: [self.eval(i, s) for i in n.items],
            ast.Tuple: lambda n, s: [self.eval(i, s) for i in n.items],
            ast.Paren: lambda n, s: self.eval(n.expr, s),
            ast.BinaryOp: self._binary,
            ast.Not: lambda n, s: not self.truthy(self.eval(n.operand, s), s),
            ast.Member: self._member,
            ast.Index: self._index,
            ast.Slice: self._slice,
        }

    # ------------------------------------------------------------ statements

    def run_let(self, let: ast.Let, scope: Scope) -> None:
        if let.params is not None and let.materialized:
            scope.log(
                f"WARN:Expression {let.name} takes parameters but is materialized! "
                "Did you mean to use '='? "
            )
        if let.name in self.registry.functions:
            scope.log(f"WARN:LET expression is masking a built in function {let.name}")
        value: Any
        if isinstance(let.value, ast.Select):
            if let.materialized:
                value = self.materialize(StoredQuery(let.value, let.name), scope)
            else:
                value = StoredQuery(let.value, let.name, let.params)
        elif let.materialized:
            value = self.reduce_stored(StoredExpression(let.value, let.name, let.params), scope)
            if is_query(value):
                value = self.materialize(value, scope)
        else:
            value = StoredExpression(let.value, let.name, let.params)
        scope.append_vars({let.name: value})

    # ------------------------------------------------------------ queries

    def select(self, sel: ast.Select, scope: Scope) -> Iterator[dict[str, Any]]:
        if sel.explain:
            raise VqlRuntimeError(f"EXPLAIN is not supported by the simulator{_where(sel)}")
        if sel.group_by:
            rows: Iterator[dict[str, Any]] = self._group_by(sel, scope)
        else:
            rows = self._plain_select(sel, scope)
        if sel.order_by is not None:
            rows = iter(self._sort(list(rows), sel.order_by, sel.order_desc, scope))
        if sel.limit is not None:
            rows = _limit(rows, sel.limit)
        return rows

    def _plain_select(self, sel: ast.Select, scope: Scope) -> Iterator[dict[str, Any]]:
        query_scope = scope.copy()
        query_scope.aggregates = {}
        for row in self.plugin_rows(sel.plugin, query_scope):
            row_scope = query_scope.copy()
            lazy = self._transform(sel, row_scope, row)
            if sel.where is not None:
                where_scope = row_scope.with_vars(row, lazy)
                if not self.truthy(self.eval(sel.where, where_scope), where_scope):
                    continue
            yield lazy.materialize()

    def _group_by(self, sel: ast.Select, scope: Scope) -> Iterator[dict[str, Any]]:
        bins: dict[str, tuple[dict[int, Any], dict[str, Any] | None]] = {}
        query_scope = scope.copy()
        for row in self.plugin_rows(sel.plugin, query_scope):
            probe_scope = query_scope.copy()
            probe_scope.aggregates = {}
            lazy = self._transform(sel, probe_scope, row)
            where_scope = probe_scope.with_vars(row, lazy)
            if sel.where is not None and not self.truthy(
                self.eval(sel.where, where_scope), where_scope
            ):
                continue
            keys = [self.eval(expr, where_scope) for expr in sel.group_by]
            key_value = keys[0] if len(keys) == 1 else keys
            bin_key = v.go_value(key_value)
            aggregates = bins[bin_key][0] if bin_key in bins else {}
            bin_scope = query_scope.copy()
            bin_scope.aggregates = aggregates
            final = self._transform(sel, bin_scope, row).materialize()
            bins[bin_key] = (aggregates, final)
        for _, final_row in bins.values():
            if final_row is not None:
                yield final_row

    def _sort(
        self, rows: list[dict[str, Any]], column: str, desc: bool, scope: Scope
    ) -> list[dict[str, Any]]:
        for row in rows:
            if column not in row:
                scope.log(f"ERROR:Order by column {column} not present in row")
                break

        def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
            left, right = a.get(column, v.NULL), b.get(column, v.NULL)
            if v.lt(left, right):
                return -1
            if v.lt(right, left):
                return 1
            return 0

        ordered = sorted(rows, key=functools.cmp_to_key(compare))
        if desc:
            ordered.reverse()
        return ordered

    def _transform(self, sel: ast.Select, scope: Scope, row: Any) -> LazyRow:
        lazy = LazyRow()
        column_scope = scope.with_vars(row)
        for column in sel.columns:
            if isinstance(column.expr, ast.Star):
                if isinstance(row, dict):
                    for name, item in row.items():
                        if not lazy.has(name):
                            lazy.add_value(name, item)
                else:
                    lazy.add_base(row)
                continue
            lazy.add_column(column.name, self._column_thunk(column, column_scope))
        return lazy

    def _column_thunk(self, column: ast.Column, scope: Scope) -> Callable[[], Any]:
        expr = column.expr
        assert not isinstance(expr, ast.Star)

        def evaluate() -> Any:
            if isinstance(expr, ast.Subquery):
                return self._subquery_column(expr.select, scope)
            value = self.eval(expr, scope)
            if is_query(value):
                return self.materialize(value, scope)
            return value

        return evaluate

    def _subquery_column(self, sel: ast.Select, scope: Scope) -> Any:
        items: list[Any] = []
        for row in self.select(sel, scope.copy()):
            names = v.member_names(row)
            if len(names) == 1:
                items.append(v.associative(row, names[0])[1])
            else:
                items.append(row)
        return items[0] if len(items) == 1 else items

    def plugin_rows(self, plugin: ast.Plugin, scope: Scope) -> Iterator[Any]:
        parts = plugin.parts
        if plugin.args is None:
            found, value = self._resolve_parts(parts, scope, plugin, kind="Plugin")
            if not found:
                return iter(())
            return self.rows_of(value, scope)
        args = self._eager_args(plugin.args, scope)
        if parts[0] == "Artifact" and len(parts) > 1:
            return self._artifact(".".join(parts[1:]), args, scope, plugin)
        if len(parts) == 1:
            name = parts[0]
            mocks = scope.session.mocks
            if mocks is not None and mocks.has_plugin(name):
                return mocks.call_plugin(name, args)
            impl = self.registry.plugins.get(name)
            if impl is not None:
                extra = unrecognized_arg("plugin", name, args)
                if extra is not None:
                    scope.log(f"{name}: Extra unrecognized arg {extra}")
                    return iter(())
                ctx = CallContext(self, scope, plugin)
                return impl(ctx, Args(args, ctx, name))
        found, value = self._resolve_parts(parts, scope, plugin, kind="Plugin", quiet=True)
        if not found:
            raise VqlRuntimeError(
                f"plugin {plugin.name}() is not available in the simulator{_where(plugin)}",
                hint="plugins the simulator implements: "
                + ", ".join(sorted(self.registry.plugins)),
            )
        return self._call_stored(value, args, scope, plugin)

    def _call_stored(
        self, value: Any, args: dict[str, Any], scope: Scope, node: ast.Node
    ) -> Iterator[Any]:
        if isinstance(value, StoredExpression):
            subscope = self._bind(value.params, args, scope)
            return self.rows_of(self.eval(value.expr, subscope), scope)
        if isinstance(value, StoredQuery):
            subscope = self._bind(value.params, args, scope)
            subscope.aggregates = {}
            return self.select(value.select, subscope)
        name = getattr(node, "name", "?")
        scope.log(f"ERROR:Symbol {name} is not callable")
        return iter(())

    def _bind(
        self, params: tuple[ast.LetParam, ...] | None, args: dict[str, Any], scope: Scope
    ) -> Scope:
        subscope = scope.copy()
        frame = dict(args)
        for param in params or ():
            if param.name not in frame and param.default is not None:
                frame[param.name] = self.eval(param.default, scope)
        subscope.append_vars(frame)
        return subscope

    def _artifact(
        self, name: str, args: dict[str, Any], scope: Scope, node: ast.Node
    ) -> Iterator[Any]:
        artifacts = scope.session.artifacts
        if artifacts is None or artifacts.get(name) is None:
            scope.log(f"ERROR:Artifact {name} not found")
            raise VqlRuntimeError(
                f"Artifact {name} not found{_where(node)}",
                hint="calls between artifacts work only within the set being simulated",
            )
        return artifacts.run(name, args, scope, self)

    def rows_of(self, value: Any, scope: Scope) -> Iterator[Any]:
        """Iterate anything usable as rows: a query, a list, a dict or a single value."""
        if isinstance(value, StoredQuery):
            return self.select(value.select, scope.copy())
        if isinstance(value, StoredQueryCallSite):
            return self.select(value.query.select, value.scope.copy())
        if isinstance(value, StoredExpression):
            return self.rows_of(self.reduce_stored(value, scope), scope)
        if isinstance(value, LazyExpr):
            return self.rows_of(value.reduce(), scope)
        if isinstance(value, list | tuple):
            return iter(value)
        if v.is_null(value):
            return iter(())
        return iter((value,))

    def materialize(self, value: Any, scope: Scope) -> list[Any]:
        return list(self.rows_of(value, scope))

    # ------------------------------------------------------------ expressions

    def eval(self, node: ast.Expr, scope: Scope) -> Any:
        try:
            handler = self._dispatch[type(node)]
        except KeyError:
            raise VqlRuntimeError(f"cannot evaluate {type(node).__name__}{_where(node)}") from None
        return handler(node, scope)

    def truthy(self, value: Any, scope: Scope) -> bool:
        if is_query(value):
            for _ in self.rows_of(value, scope):
                return True
            return False
        if isinstance(value, StoredExpression):
            return self.truthy(self.reduce_stored(value, scope), scope)
        if isinstance(value, LazyExpr):
            return self.truthy(value.reduce(), scope)
        return v.truthy(value)

    def reduce_stored(self, value: StoredExpression, scope: Scope) -> Any:
        return self.eval(value.expr, self._bind(value.params, {}, scope))

    def _resolve_parts(
        self,
        parts: tuple[str, ...],
        scope: Scope,
        node: ast.Node,
        *,
        kind: str = "Symbol",
        quiet: bool = False,
    ) -> tuple[bool, Any]:
        found, value = scope.resolve(parts[0])
        if not found:
            if not quiet:
                full = ".".join(parts)
                if len(parts) > 1:
                    scope.log(
                        f"ERROR:While resolving {full} {kind} {parts[0]} not found. "
                        f"{scope.print_vars()}"
                    )
                else:
                    scope.log(f"ERROR:{kind} {full} not found. {scope.print_vars()}")
            return False, v.NULL
        for part in parts[1:]:
            value = self.reduce_lazy(value, scope)
            found, value = v.associative(value, part)
            if not found:
                return True, v.NULL
        return True, value

    def reduce_lazy(self, value: Any, scope: Scope) -> Any:
        """A stored expression's or lazy argument's value; a query's rows."""
        if isinstance(value, StoredExpression):
            return self.reduce_stored(value, scope)
        if isinstance(value, LazyExpr):
            return value.reduce()
        if is_query(value):
            return self.materialize(value, scope)
        return value

    def _symbol(self, node: ast.Symbol, scope: Scope) -> Any:
        if len(node.parts) == 1:
            found, value = scope.resolve(node.parts[0])
            if not found:
                name = node.parts[0]
                if name in self.registry.functions:
                    scope.log(f"ERROR:Symbol {name} is a function but it is not being called.")
                else:
                    scope.log(f"ERROR:Symbol {name} not found. {scope.print_vars()}")
                return v.NULL
            if isinstance(value, StoredExpression):
                value = self.reduce_stored(value, scope)
            elif isinstance(value, LazyExpr):
                value = value.reduce()
        else:
            _, value = self._resolve_parts(node.parts, scope, node)
            if isinstance(value, StoredExpression):
                value = self.reduce_stored(value, scope)
        if node.negated:
            return _negate(value)
        return value

    def _call(self, node: ast.Call, scope: Scope) -> Any:
        result = self._call_inner(node, scope)
        if node.negated:
            return _negate(result)
        return result

    def _call_inner(self, node: ast.Call, scope: Scope) -> Any:
        parts = node.parts
        if len(parts) == 1:
            name = parts[0]
            mocks = scope.session.mocks
            if mocks is not None and mocks.has_function(name):
                return mocks.call_function(name)
            impl = self.registry.functions.get(name)
            if impl is not None:
                lazy_args = self._lazy_args(node.args, scope)
                extra = unrecognized_arg("function", name, lazy_args)
                if extra is not None:
                    scope.log(f"{name}: Extra unrecognized arg {extra}")
                    return v.NULL
                ctx = CallContext(self, scope, node)
                result = impl(ctx, Args(lazy_args, ctx, name))
                return v.NULL if result is None else result
        found, value = self._resolve_parts(parts, scope, node, quiet=True)
        if not found:
            raise VqlRuntimeError(
                f"function {node.name}() is not available in the simulator{_where(node)}",
                hint="functions the simulator implements: "
                + ", ".join(sorted(self.registry.functions)),
            )
        if isinstance(value, StoredExpression):
            subscope = self._bind(value.params, self._eager_args(node.args, scope), scope)
            return self.eval(value.expr, subscope)
        if isinstance(value, StoredQuery):
            subscope = self._bind(value.params, self._eager_args(node.args, scope), scope)
            subscope.aggregates = {}
            return StoredQueryCallSite(value, subscope)
        scope.log(f"ERROR:Symbol {node.name} is not a function but it is being called.")
        return v.NULL

    def _eager_args(self, args: tuple[ast.Arg, ...], scope: Scope) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for arg in args:
            value = arg.value
            if isinstance(value, ast.Subquery):
                result[arg.name] = StoredQuery(value.select)
            else:
                evaluated = self.eval(value, scope)
                if arg.name == "**" and isinstance(evaluated, dict):
                    result.update(evaluated)
                else:
                    result[arg.name] = evaluated
        return result

    def _lazy_args(self, args: tuple[ast.Arg, ...], scope: Scope) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for arg in args:
            value = arg.value
            if isinstance(value, ast.Subquery):
                result[arg.name] = StoredQuery(value.select)
            elif isinstance(value, ast.ArrayLiteral):
                result[arg.name] = self.eval(value, scope)
            elif arg.name == "**":
                kwargs = self.eval(value, scope)
                if isinstance(kwargs, dict):
                    result.update(kwargs)
            else:
                result[arg.name] = LazyExpr(value, scope, self)
        return result

    def _binary(self, node: ast.BinaryOp, scope: Scope) -> Any:
        op = node.op
        if op == "AND":
            left = self.eval(node.left, scope)
            if not self.truthy(left, scope):
                return False
            right = self.eval(node.right, scope)
            if not self.truthy(right, scope):
                return False
            return right if node.spelling == "&&" else True
        if op == "OR":
            left = self.eval(node.left, scope)
            if self.truthy(left, scope):
                return left
            right = self.eval(node.right, scope)
            if self.truthy(right, scope):
                return right if node.spelling == "||" else True
            return right
        left = self._operand(self.eval(node.left, scope), scope)
        right = self._operand(self.eval(node.right, scope), scope)
        if op == "=":
            return v.eq(left, right)
        if op == "!=":
            return not v.eq(left, right)
        if op == "<>":
            return False
        if op == "<":
            return v.lt(left, right)
        if op == "<=":
            return v.lt(left, right) or v.eq(left, right)
        if op == ">":
            return v.gt(left, right)
        if op == ">=":
            return v.gt(left, right) or v.eq(left, right)
        if op == "=~":
            try:
                return vql_match(right, left)
            except VqlRegexError as exc:
                scope.log(f"Compile regexp: {exc}")
                return False
        if op == "IN":
            return v.membership(left, right)
        if op == "+":
            return v.add(left, right)
        if op == "-":
            return v.sub(left, right)
        if op == "*":
            return v.mul(left, right)
        if op == "/":
            return v.div(left, right)
        raise VqlRuntimeError(f"operator {op!r} is not supported{_where(node)}")

    def _operand(self, value: Any, scope: Scope) -> Any:
        if isinstance(value, StoredExpression | LazyExpr) or is_query(value):
            return self.reduce_lazy(value, scope)
        return value

    def _member(self, node: ast.Member, scope: Scope) -> Any:
        obj = self.reduce_lazy(self.eval(node.obj, scope), scope)
        return v.associative(obj, node.name)[1]

    def _index(self, node: ast.Index, scope: Scope) -> Any:
        obj = self.reduce_lazy(self.eval(node.obj, scope), scope)
        index = self.reduce_lazy(self.eval(node.index, scope), scope)
        return v.associative(obj, index)[1]

    def _slice(self, node: ast.Slice, scope: Scope) -> Any:
        obj = self.reduce_lazy(self.eval(node.obj, scope), scope)
        bounds: list[int | None] = []
        for bound in (node.start, node.end):
            if bound is None:
                bounds.append(None)
                continue
            number = v.to_int64(self.eval(bound, scope))
            if number is None:
                return v.NULL
            bounds.append(number)
        return v.slice_value(obj, bounds[0], bounds[1])[1]


def unrecognized_arg(kind: str, name: str, args: dict[str, Any]) -> str | None:
    """The first argument Velociraptor's arg parser would refuse ("Extra unrecognized arg"), as
    documented in vql.yaml; None when all are known, the call takes any, or it is not listed."""
    from ..catalog import load_catalog

    catalog = load_catalog()
    spec = (catalog.functions if kind == "function" else catalog.plugins).get(name)
    if spec is None or spec.free_form_args:
        return None
    for arg in args:
        if arg not in spec.args:
            return arg
    return None


def _negate(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if v.is_number(value):
        return -value
    return value


def _limit(rows: Iterator[dict[str, Any]], limit: int) -> Iterator[dict[str, Any]]:
    if limit <= 0:
        return
    for count, row in enumerate(rows, start=1):
        yield row
        if count >= limit:
            return
