"""Query composition: foreach, chain, if, switch, scope, flatten, range, clock."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from .. import values as v
from ..engine import Args, CallContext, PluginImpl
from . import registrar

PLUGINS: dict[str, PluginImpl] = {}
register = registrar(PLUGINS)


def _is_row(item: Any) -> bool:
    return isinstance(item, dict | v.Members)


@register("foreach")
def foreach(ctx: CallContext, args: Args) -> Iterator[Any]:
    """Run `query` once per row of `row` (a non-dict row is seen as ``_value``)."""
    args.require("row")
    column = args.string("column")
    query = args.value("query", None)
    for item in ctx.rows(args.value("row")):
        if column:
            item = v.associative(item, column)[1]
        if not _is_row(item):
            item = {"_value": item}
        if query is None:
            yield item
            continue
        yield from ctx.rows(query, ctx.scope.with_vars(item))


@register("chain")
def chain(ctx: CallContext, args: Args) -> Iterator[Any]:
    """Each argument's rows in turn (``async`` is accepted and runs them in order)."""
    for name in args.names():
        if name == "async":
            continue
        yield from ctx.rows(args.value(name))


@register("if")
def if_(ctx: CallContext, args: Args) -> Iterator[Any]:
    if ctx.truthy(args.value("condition")):
        if args.has("then"):
            yield from ctx.rows(args.value("then"))
    elif args.has("else"):
        yield from ctx.rows(args.value("else"))


@register("switch")
def switch(ctx: CallContext, args: Args) -> Iterator[Any]:
    """The rows of the first query that has any."""
    for name in args.names():
        rows = ctx.rows(args.value(name))
        first = next(rows, None)
        if first is None:
            continue
        yield first
        yield from rows
        return


@register("scope")
def scope(ctx: CallContext, args: Args) -> Iterator[Any]:
    yield ctx.scope


@register("flatten")
def flatten(ctx: CallContext, args: Args) -> Iterator[Any]:
    """Repeat each row once per element of its list columns (a cartesian product)."""
    for row in ctx.rows(args.value("query")):
        names = v.member_names(row)
        columns = []
        for name in names:
            value = v.associative(row, name)[1]
            columns.append(list(value) if isinstance(value, list | tuple) and value else [value])
        for combination in itertools.product(*columns):
            yield dict(zip(names, combination, strict=True))


@register("range")
def range_(ctx: CallContext, args: Args) -> Iterator[Any]:
    step = args.integer("step", 1) or 1
    for value in range(args.integer("start"), args.integer("end"), step):
        yield {"_value": value}


@register("clock")
def clock(ctx: CallContext, args: Args) -> Iterator[Any]:
    """Event plugin. Simulated: `ticks` rows (the session's, default 1), one `period` apart."""
    period = max(1, args.integer("period", 1))
    session = ctx.session
    start = args.value("start", None)
    if start is None or v.is_null(start):
        session.clock += period
    for _ in range(max(0, session.clock_ticks)):
        moment = v.Timestamp.from_epoch(session.clock)
        yield {"Unix": int(session.clock), "String": moment.go_string()}
        session.clock += period
