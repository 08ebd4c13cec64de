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
from .argspecs import VFILTER_FUNCTION_SPECS, VFILTER_PLUGIN_SPECS, check_vfilter_args
from .limits import Budget, LimitExceeded
from .match import vql_match
from .scope import Aggregates, Scope, Session


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


class _Base:
    """A ``*`` over a row that is not a dict: its members are read when needed."""

    __slots__ = ("row",)

    def __init__(self, row: Any) -> None:
        self.row = row


class LazyRow(v.Members):
    """A SELECT's transformed row, as vfilter's lazy row: each column is evaluated on first
    access and cached; materializing it walks the columns in order, evaluating again a column
    not accessed before each time its name appears (so ``x AS A, y AS A`` evaluates ``y`` twice)
    and moving a repeated name to the end (``*, 5 AS Url`` puts ``Url`` last).

    A ``*`` over a dict copies its values (names already there are kept); over anything else
    the row is kept and read when needed.

    As a scope frame (in WHERE and GROUP BY) it answers NULL for any name it does not have, as
    vfilter's lazy row does (``Associative`` returns ``Null{}``, which the scope takes as a
    default): a missing symbol there is NULL and is not logged.
    """

    __slots__ = ("_cache", "_getters", "_order")
    provides_default = True

    def __init__(self) -> None:
        self._getters: dict[str, Callable[[], Any]] = {}
        self._cache: dict[str, Any] = {}
        self._order: list[str | _Base] = []

    def add_value(self, name: str, value: Any) -> None:
        """A column copied by ``*`` from a dict row."""
        self._order.append(name)
        self._getters[name] = _constant(value)
        self._cache[name] = value

    def add_column(self, name: str, thunk: Callable[[], Any]) -> None:
        """An explicit column: a later one of the same name replaces the getter."""
        self._order.append(name)
        self._getters[name] = thunk
        self._cache.pop(name, None)

    def add_base(self, row: Any) -> None:
        self._order.append(_Base(row))

    def has(self, name: str) -> bool:
        return name in self._getters

    def _names(self) -> Iterator[tuple[str, _Base | None]]:
        for item in self._order:
            if isinstance(item, str):
                yield item, None
            else:
                for name in v.member_names(item.row):
                    if name not in self._getters:
                        yield name, item

    def member_names(self) -> list[str]:
        names: dict[str, None] = {}
        for name, _ in self._names():
            names.pop(name, None)
            names[name] = None
        return list(names)

    def get_member(self, name: str) -> tuple[bool, Any]:
        if name in self._getters:
            if name not in self._cache:
                self._cache[name] = self._getters[name]()
            return True, self._cache[name]
        for item in self._order:
            if isinstance(item, _Base):
                found, value = v.associative(item.row, name)
                if found:
                    return True, value
        return False, v.NULL

    def materialize(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, base in self._names():
            if base is not None:
                value = v.associative(base.row, name)[1]
            elif name in self._cache:
                value = self._cache[name]
            else:
                value = self._getters[name]()
            result.pop(name, None)
            result[name] = value
        return result


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

    def require(self, *names: str) -> bool:
        """True when every one of `names` is given; else logs the first missing one as the arg
        parser does (``<call>: Field <name> is required``) and returns False."""
        for name in names:
            if name not in self._raw:
                self.ctx.log(f"{self.call_name}: Field {name} is required")
                return False
        return True


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

    @property
    def budget(self) -> Budget:
        return self.scope.session.budget

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


class QueryFrame(v.Members):
    """The ``$Query`` frame vfilter appends for every statement it runs (``PrintVars`` shows it;
    its value is the statement's text)."""

    __slots__ = ("_select",)

    def __init__(self, select: ast.Select) -> None:
        self._select = select

    def member_names(self) -> list[str]:
        return ["$Query"]

    def get_member(self, name: str) -> tuple[bool, Any]:
        if name == "$Query":
            from ..formatter import format_select

            return True, format_select(self._select)
        return False, v.NULL


class Evaluator:
    """Evaluates statements, queries and expressions against a registry of functions/plugins.

    The scope frames follow vfilter's, so that a missing symbol is logged with the same
    ``Current Scope is ...`` listing: the root scope holds NULL, the environment and one frame
    per LET; each statement run at the top adds ``$Query``; each row adds itself; a call of a
    LET function adds its arguments (and the defaults of those not given).
    """

    def __init__(self, registry: Registry, *, velociraptor: bool = True) -> None:
        self.registry = registry
        self.velociraptor = velociraptor
        """Velociraptor's protocols and call handling on top of vfilter's
        (``vql/protocols/*.go``); False for vfilter's core alone (the ``eval`` oracle)."""
        self._dispatch: dict[type, Callable[[Any, Scope], Any]] = {
            ast.String: lambda n, s: n.value,
            ast.Number: lambda n, s: n.value,
            ast.Bool: lambda n, s: n.value,
            ast.Null: lambda n, s: v.NULL,
            ast.Symbol: self._symbol,
            ast.Call: self._call,
            ast.Subquery: lambda n, s: StoredQuery(n.select),
            ast.ArrayLiteral: self._array,
            ast.Tuple: self._array,
            ast.Paren: lambda n, s: self.eval(n.expr, s),
            ast.BinaryOp: self._binary,
            ast.Not: lambda n, s: not self.truthy(self.eval(n.operand, s), s),
            ast.Member: self._postfix,
            ast.Index: self._postfix,
            ast.Slice: self._postfix,
        }

    # ------------------------------------------------------------ statements

    def run_statement(self, statement: ast.Statement, scope: Scope) -> Iterator[dict[str, Any]]:
        """Run one statement as vfilter's ``VQL.Eval`` does: a LET extends `scope`; a SELECT
        runs in a copy of it with the ``$Query`` frame."""
        if isinstance(statement, ast.Let):
            self.run_let(statement, scope)
            return iter(())
        return self.select(statement, scope.with_vars(QueryFrame(statement)))

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
                value = v.MaterializedQuery(
                    self.materialize(StoredQuery(let.value, let.name), scope)
                )
            else:
                value = StoredQuery(let.value, let.name, let.params)
        elif let.materialized:
            # Reduced in the scope itself: no arguments frame, unlike a reference to a lazy LET.
            value = self.eval(let.value, scope)
            if isinstance(value, StoredExpression):
                value = self.reduce_stored(value, scope)
            if is_query(value):
                value = v.MaterializedQuery(self.materialize(value, scope))
            elif isinstance(value, v.NilList):
                value = v.NULL
        else:
            value = StoredExpression(let.value, let.name, let.params)
        scope.append_vars({let.name: value})

    # ------------------------------------------------------------ queries

    def select(self, sel: ast.Select, scope: Scope) -> Iterator[dict[str, Any]]:
        # EXPLAIN only turns on vfilter's explainer (a no-op unless one is installed): the query
        # runs as usual.
        if sel.group_by:
            rows: Iterator[dict[str, Any]] = self._group_by(sel, scope)
        else:
            rows = self._plain_select(sel, scope)
        if sel.order_by is not None:
            rows = iter(self._sort(list(rows), sel.order_by, sel.order_desc, scope))
        if sel.limit is not None:
            rows = _limit(rows, sel.limit, scope.session)
        return rows

    def _plain_select(self, sel: ast.Select, scope: Scope) -> Iterator[dict[str, Any]]:
        query_scope = scope.copy()
        query_scope.aggregates = Aggregates()
        budget = scope.session.budget
        for row in self.plugin_rows(sel.plugin, query_scope):
            budget.row(sel.plugin)
            lazy = self._transform(sel, query_scope, row)
            if sel.where is not None:
                where_scope = query_scope.with_vars(row, lazy)
                if not self.truthy(self.eval(sel.where, where_scope), where_scope):
                    continue
            yield budget.built(lazy.materialize(), sel)

    def _group_by(self, sel: ast.Select, scope: Scope) -> Iterator[dict[str, Any]]:
        """vfilter's ``grouper.DefaultGrouper``: each row is transformed once (lazily); the
        GROUP BY expression is evaluated over it, then the same row is materialized with the
        bin's aggregate context (so a column evaluated for the key is not evaluated again)."""
        bins: dict[str, tuple[dict[int, Any], dict[str, Any]]] = {}
        query_scope = scope.copy()
        shared = query_scope.aggregates.table
        budget = scope.session.budget
        for row in self.plugin_rows(sel.plugin, query_scope):
            budget.row(sel.plugin)
            # Until its bin is known, a row's aggregates use the query's context.
            row_scope = query_scope.copy()
            row_scope.aggregates = Aggregates()
            row_scope.aggregates.table = shared
            lazy = self._transform(sel, row_scope, row)
            where_scope = row_scope.with_vars(row, lazy)
            if sel.where is not None and not self.truthy(
                self.eval(sel.where, where_scope), where_scope
            ):
                continue
            key_expr = (
                sel.group_by[0]
                if len(sel.group_by) == 1
                else ast.Tuple(sel.group_by, line=0, column=0)
            )
            bin_key = v.go_value(self.eval(key_expr, where_scope))
            table = bins[bin_key][0] if bin_key in bins else {}
            row_scope.aggregates.table = table
            bins[bin_key] = (table, budget.built(lazy.materialize(), sel))
        for _, final_row in bins.values():
            yield final_row

    def _sort(
        self, rows: list[dict[str, Any]], column: str, desc: bool, scope: Scope
    ) -> list[dict[str, Any]]:
        if self.velociraptor:
            # Velociraptor's sorter logs this (golden tests fail on it); vfilter's does not.
            for row in rows:
                if column not in row:
                    scope.log(f"ERROR:Order by column {column} not present in row")
                    break

        budget = scope.session.budget
        compared = 0

        def less(a: dict[str, Any], b: dict[str, Any]) -> bool:
            # vfilter's sorter: a row without the column is never less nor greater; DESC
            # is "not less" (so equal keys, NULLs included, come out reversed).
            nonlocal compared
            compared += 1
            if not compared & 63:
                budget.tick()
            if column not in a or column not in b:
                return False
            less_than = self.lt(a[column], b[column])
            return not less_than if desc else less_than

        if len(rows) <= 12:
            # Go's sort (pdqsort) is an insertion sort up to 12 elements: done the same way,
            # so that ties and the protocols' cross-type quirks order rows as vfilter does.
            ordered = list(rows)
            for i in range(1, len(ordered)):
                j = i
                while j > 0 and less(ordered[j], ordered[j - 1]):
                    ordered[j], ordered[j - 1] = ordered[j - 1], ordered[j]
                    j -= 1
            return ordered

        def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
            return -1 if less(a, b) else 1 if less(b, a) else 0

        return sorted(rows, key=functools.cmp_to_key(compare))

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
        scope.session.budget.tick(plugin)
        parts = plugin.parts
        if plugin.args is None:
            found, value = self._resolve_parts(parts, scope, kind="Plugin")
            if not found:
                self._plugin_not_found(plugin, scope, logged=True)
                return iter(())
            return self._variable_rows(value, scope)
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
                if not self._args_ok("plugin", name, args, scope):
                    return iter(())
                ctx = CallContext(self, scope, plugin)
                return impl(ctx, Args(args, ctx, name))
        found, value = self._resolve_parts(parts, scope, kind="Plugin", quiet=True)
        if not found:
            self._plugin_not_found(plugin, scope, logged=False)
            return iter(())
        return self._call_stored(value, args, scope, plugin, plugin.name)

    def _plugin_not_found(self, plugin: ast.Plugin, scope: Scope, *, logged: bool) -> None:
        """vfilter logs ``Plugin X not found. Current Scope is ...`` and ``Plugin X not found.``
        and the query has no rows. A plugin Velociraptor has but the simulator does not model
        stops the run instead: going on would simulate something else than what runs."""
        name = plugin.name
        if self.velociraptor and _velociraptor_knows("plugin", name):
            raise VqlRuntimeError(
                f"plugin {name}() is not available in the simulator{_where(plugin)}",
                hint="plugins the simulator implements: "
                + ", ".join(sorted(self.registry.plugins)),
            )
        if not logged:
            scope.log(f"ERROR:Plugin {name} not found. {scope.print_vars()}")
        scope.log(f"ERROR:Plugin {name} not found.")

    def _call_stored(
        self, value: Any, args: dict[str, Any], scope: Scope, node: ast.Node, name: str
    ) -> Iterator[Any]:
        if isinstance(value, StoredQuery):
            rows = self.select(value.select, self._bind_query(value, args, scope, name))
            return scope.session.budget.nested(rows, node, f"stored queries ({name})")
        if isinstance(value, StoredExpression):
            return self._variable_rows(self._call_expression(value, args, scope, node), scope)
        return self._variable_rows(value, scope)

    def _bind_query(
        self, query: StoredQuery, args: dict[str, Any], scope: Scope, name: str
    ) -> Scope:
        """The scope a stored query called with arguments runs in: the caller's, plus a frame
        with the arguments (vfilter logs those the LET does not declare)."""
        declared = {p.name for p in query.params or ()}
        for arg in args:
            if arg not in declared:
                scope.log(f"ERROR:Extra unrecognized arg {arg} when calling {name}")
        subscope = scope.with_vars(self._frame(query.params, args, scope))
        subscope.aggregates = Aggregates()
        return subscope

    def _frame(
        self, params: tuple[ast.LetParam, ...] | None, args: dict[str, Any], scope: Scope
    ) -> dict[str, Any]:
        """The arguments frame of a LET call: the arguments, then the defaults not given."""
        frame = dict(args)
        for param in params or ():
            if param.name not in frame and param.default is not None:
                frame[param.name] = self.eval(param.default, scope)
        return frame

    def _call_expression(
        self,
        value: StoredExpression,
        args: dict[str, Any],
        scope: Scope,
        node: ast.Node | None = None,
    ) -> Any:
        budget = scope.session.budget
        budget.enter(node or value.expr, f"LET expressions ({value.name})")
        try:
            result = self.eval(value.expr, scope.with_vars(self._frame(value.params, args, scope)))
            if isinstance(result, StoredExpression):
                return self.reduce_stored(result, scope, node)
            return result
        finally:
            budget.leave()

    def _args_ok(self, kind: str, name: str, args: dict[str, Any], scope: Scope) -> bool:
        """The argument checks the call goes through before it runs (see `argspecs`)."""
        if not self.velociraptor:
            table = VFILTER_FUNCTION_SPECS if kind == "function" else VFILTER_PLUGIN_SPECS
            spec = table.get(name)
            return spec is None or check_vfilter_args(spec, name, args, scope.log)
        extra = unrecognized_arg(kind, name, args)
        if extra is not None:
            scope.log(f"{name}: Extra unrecognized arg {extra}")
            return False
        missing = missing_arg(kind, name, args)
        if missing is not None:
            scope.log(f"{name}: Field {missing} is required")
            return False
        return True

    def _error_value(self, name: str) -> Any:
        if not self.velociraptor and name in VFILTER_FUNCTION_SPECS:
            return VFILTER_FUNCTION_SPECS[name].error_value
        return v.NULL

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
        rows = artifacts.run(name, args, scope, self)
        return scope.session.budget.nested(rows, node, f"Artifact calls ({name})")

    def _variable_rows(self, value: Any, scope: Scope) -> Iterator[Any]:
        """The rows of ``FROM name`` where `name` is not a plugin: a query's rows; a list's
        items; any other value (NULL included) is one row (with no columns unless it is a dict).
        """
        if is_query(value):
            return self.rows_of(value, scope)
        if isinstance(value, StoredExpression):
            return self._variable_rows(self.reduce_stored(value, scope), scope)
        if isinstance(value, LazyExpr):
            return self._variable_rows(value.reduce(), scope)
        if isinstance(value, list | tuple):
            return iter(value)
        return iter((value,))

    def rows_of(self, value: Any, scope: Scope) -> Iterator[Any]:
        """Rows of a plugin argument (vfilter's ``arg_parser.ToStoredQuery``): a query's rows;
        otherwise the list's items (or the single value), NULLs skipped, each value without
        members wrapped as ``{"_value": value}``."""
        if isinstance(value, StoredQuery):
            rows = self.select(value.select, scope.copy())
            return scope.session.budget.nested(rows, value.select, _query_name(value))
        if isinstance(value, StoredQueryCallSite):
            rows = self.select(value.query.select, value.scope.copy())
            return scope.session.budget.nested(rows, value.query.select, _query_name(value.query))
        if isinstance(value, StoredExpression):
            return self.rows_of(self.reduce_stored(value, scope), scope)
        if isinstance(value, LazyExpr):
            return self.rows_of(value.reduce(), scope)
        items = value if isinstance(value, list | tuple) else [value]
        return (as_row(item) for item in items if not v.is_null(item))

    def materialize(self, value: Any, scope: Scope) -> list[Any]:
        return list(self.rows_of(value, scope))

    # ------------------------------------------------------------ expressions

    def eval(self, node: ast.Expr, scope: Scope) -> Any:
        try:
            handler = self._dispatch[type(node)]
        except KeyError:
            raise VqlRuntimeError(f"cannot evaluate {type(node).__name__}{_where(node)}") from None
        try:
            return handler(node, scope)
        except LimitExceeded as exc:
            exc.locate(node)
            raise

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

    def reduce_stored(
        self, value: StoredExpression, scope: Scope, node: ast.Node | None = None
    ) -> Any:
        """A LET expression referenced without a call: evaluated with a frame of its
        parameters' defaults (empty when it has none)."""
        return self._call_expression(value, {}, scope, node)

    def _resolve_parts(
        self,
        parts: tuple[str, ...],
        scope: Scope,
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
            value = v.associative(self.reduce_lazy(value, scope), part)[1]
        return True, value

    def reduce_lazy(self, value: Any, scope: Scope) -> Any:
        """A stored expression's or lazy argument's value; a query's rows."""
        if isinstance(value, StoredExpression):
            return self.reduce_stored(value, scope)
        if isinstance(value, LazyExpr):
            return value.reduce()
        if is_query(value):
            return v.MaterializedQuery(self.materialize(value, scope))
        return value

    def _symbol(self, node: ast.Symbol, scope: Scope) -> Any:
        found, value = self._resolve_parts(node.parts, scope)
        if found:
            if isinstance(value, StoredExpression):
                value = self.reduce_stored(value, scope, node)
            elif isinstance(value, LazyExpr):
                value = value.reduce()
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
                budget = scope.session.budget
                budget.tick(node)
                lazy_args = self._lazy_args(node.args, scope)
                if not self._args_ok("function", name, lazy_args, scope):
                    return self._error_value(name)
                ctx = CallContext(self, scope, node)
                result = impl(ctx, Args(lazy_args, ctx, name))
                return v.NULL if result is None else budget.built(result, node)
        found, value = self._resolve_parts(parts, scope, quiet=True)
        if not found:
            if self.velociraptor and _velociraptor_knows("function", node.name):
                raise VqlRuntimeError(
                    f"function {node.name}() is not available in the simulator{_where(node)}",
                    hint="functions the simulator implements: "
                    + ", ".join(sorted(self.registry.functions)),
                )
            scope.log(f"ERROR:Symbol {node.name} not found. {scope.print_vars()}")
            return v.NULL
        if isinstance(value, StoredExpression):
            return self._call_expression(value, self._eager_args(node.args, scope), scope, node)
        if isinstance(value, StoredQuery):
            args = self._eager_args(node.args, scope)
            return StoredQueryCallSite(value, self._bind_query(value, args, scope, node.name))
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

    # ------------------------------------------------------------ operators

    def lt(self, left: Any, right: Any) -> bool:
        return v.lt(left, right, velociraptor=self.velociraptor)

    def eq(self, left: Any, right: Any) -> bool:
        return v.eq(left, right, velociraptor=self.velociraptor)

    def _binary(self, node: ast.BinaryOp, scope: Scope) -> Any:
        # ``a + b + c`` is a left-deep tree as long as the chain: evaluated in a loop, left to
        # right, so that a long chain costs no recursion.
        chain: list[ast.BinaryOp] = []
        left_node: ast.Expr = node
        while isinstance(left_node, ast.BinaryOp):
            chain.append(left_node)
            left_node = left_node.left
        value = self.eval(left_node, scope)
        for link in reversed(chain):
            try:
                value = self._operator(link, value, scope)
            except LimitExceeded as exc:
                exc.locate(link)
                raise
        return value

    def _operator(self, node: ast.BinaryOp, left: Any, scope: Scope) -> Any:
        """One operator of a chain, `left` being its left operand's value."""
        op = node.op
        if op == "AND":
            if not self.truthy(left, scope):
                return False
            right = self.eval(node.right, scope)
            if not self.truthy(right, scope):
                return False
            return right if node.spelling == "&&" else True
        if op == "OR":
            if self.truthy(left, scope):
                return left
            right = self.eval(node.right, scope)
            if self.truthy(right, scope):
                return right if node.spelling == "||" else True
            return right
        # vfilter reduces lazy operands but does not run a stored query for an operator: it is
        # an opaque value, except for + (its rows) and the truth, member and index protocols.
        left = self._operand(left, scope)
        right = self._operand(self.eval(node.right, scope), scope)
        if op == "=":
            return self.eq(left, right)
        if op == "!=":
            return not self.eq(left, right)
        if op == "<>":
            return False
        if op == "<":
            return self.lt(left, right)
        if op == "<=":
            return self.lt(left, right) or self.eq(left, right)
        if op == ">":
            return v.gt(left, right)
        if op == ">=":
            return v.gt(left, right) or self.eq(left, right)
        if op == "=~":
            return self.match(right, left, scope)
        if op == "IN":
            return v.membership(left, right, velociraptor=self.velociraptor)
        if op == "+":
            return scope.session.budget.built(self._add(left, right, scope))
        if op == "-":
            return v.sub(left, right)
        if op == "*":
            budget = scope.session.budget
            return budget.built(v.mul(left, right, scope.log, budget))
        if op == "/":
            return v.div(left, right)
        raise VqlRuntimeError(f"operator {op!r} is not supported{_where(node)}")

    def match(self, pattern: Any, value: Any, scope: Scope) -> bool:
        """``scope.Match``: a pattern that does not compile is logged once per session (vfilter
        keeps compiled patterns, and failures, in the scope's context) and matches nothing."""
        try:
            return vql_match(pattern, value, velociraptor=self.velociraptor)
        except VqlRegexError as exc:
            failed = scope.session.failed_patterns
            if pattern not in failed:
                failed.add(pattern)
                scope.log(f"Compile regexp: {exc}")
            return False

    def _add(self, left: Any, right: Any, scope: Scope) -> Any:
        """``+``, with vfilter's ``_StoredQueryAdd`` (``protocols/protocol_add.go``): a query (or
        a materialized one) and a list or another query give the rows followed by the items (or
        rows); a query and anything else is NULL."""

        def query_like(value: Any) -> bool:
            return is_query(value) or isinstance(value, v.MaterializedQuery)

        if query_like(left) or query_like(right):
            if v.is_null(left) or v.is_null(right):
                return v.NULL
            parts: list[Any] = []
            for side in (left, right):
                if is_query(side):
                    parts.extend(self.materialize(side, scope))
                elif isinstance(side, list | tuple):
                    parts.extend(side)
                else:
                    return v.NULL
            return parts
        if isinstance(left, str) and isinstance(right, str):
            scope.session.budget.check_length(len(left) + len(right), what="a string")
        elif isinstance(left, list | tuple) or isinstance(right, list | tuple):
            items = (len(left) if isinstance(left, list | tuple) else 1) + (
                len(right) if isinstance(right, list | tuple) else 1
            )
            scope.session.budget.check_length(items, what="a list", unit="items", weight=8)
        return v.add(left, right, velociraptor=self.velociraptor)

    def _operand(self, value: Any, scope: Scope) -> Any:
        if isinstance(value, StoredExpression):
            return self.reduce_stored(value, scope)
        if isinstance(value, LazyExpr):
            return value.reduce()
        return value

    def _array(self, node: ast.ArrayLiteral | ast.Tuple, scope: Scope) -> Any:
        items = [v.copied(self.eval(item, scope)) for item in node.items]
        return scope.session.budget.built(items, node)

    def _postfix(self, node: ast.Member | ast.Index | ast.Slice, scope: Scope) -> Any:
        """``x.a[1].b[2:3]``: a left-deep chain, evaluated in a loop as `_binary` does."""
        chain: list[ast.Member | ast.Index | ast.Slice] = []
        obj: ast.Expr = node
        while isinstance(obj, ast.Member | ast.Index | ast.Slice):
            chain.append(obj)
            obj = obj.obj
        value = self.eval(obj, scope)
        for link in reversed(chain):
            if isinstance(link, ast.Member):
                value = v.associative(self.reduce_lazy(value, scope), link.name)[1]
            elif isinstance(link, ast.Index):
                target = self.reduce_lazy(value, scope)
                index = self.reduce_lazy(self.eval(link.index, scope), scope)
                value = v.associative(target, index)[1]
            else:
                value = self._slice(link, value, scope)
        return value

    def _slice(self, node: ast.Slice, obj: Any, scope: Scope) -> Any:
        if is_query(obj):
            return v.NULL  # vfilter slices lists, not queries
        obj = self.reduce_lazy(obj, scope)
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


def _query_name(query: StoredQuery) -> str:
    return f"stored queries ({query.name})" if query.name else "subqueries"


def as_row(item: Any) -> Any:
    """vfilter's ``storedQueryWrapper.toRow``: a value with members is a row as it is; any
    other value becomes ``{"_value": value}``."""
    if v.member_names(item):
        return item
    return {"_value": item}


def _velociraptor_knows(kind: str, name: str) -> bool:
    """Does Velociraptor define this function/plugin (``docs/references/vql.yaml``)?"""
    from ..catalog import load_catalog

    catalog = load_catalog()
    return name in (catalog.functions if kind == "function" else catalog.plugins)


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


def missing_arg(kind: str, name: str, args: dict[str, Any]) -> str | None:
    """The first argument vql.yaml marks required that the call does not give, or None."""
    from ..catalog import load_catalog

    catalog = load_catalog()
    spec = (catalog.functions if kind == "function" else catalog.plugins).get(name)
    if spec is None:
        return None
    for required in spec.required_args:
        if required not in args:
            return required
    return None


def _negate(value: Any) -> Any:
    """vfilter's ``-name``: NOT for a boolean, minus for a number, NULL for anything else."""
    if isinstance(value, bool):
        return not value
    if v.is_number(value):
        return -value
    return v.NULL


def _limit(
    rows: Iterator[dict[str, Any]], limit: int, session: Session
) -> Iterator[dict[str, Any]]:
    """vfilter's LIMIT: a row is counted after it is emitted, so ``LIMIT 0`` (or less) still
    gives one row. The query runs in its own goroutine, one row ahead of its consumer: when the
    limit is reached, the next row is already being evaluated (its columns run, and log), unless
    getting it means starting new work (the next row of a ``foreach`` query, the next query of
    a ``chain``), which the cancellation stops first (`Session.cancelling`)."""
    for count, row in enumerate(rows, start=1):
        yield row
        if count >= limit:
            session.cancelling += 1
            try:
                next(rows, None)
            finally:
                session.cancelling -= 1
            return
