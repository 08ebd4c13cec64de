"""Query composition: foreach, chain, if, switch, scope, flatten, range, clock."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from .. import values as v
from ..engine import Args, CallContext, PluginImpl
from ..functions.time import timestamp_of
from . import registrar

PLUGINS: dict[str, PluginImpl] = {}
register = registrar(PLUGINS)


def _is_row(item: Any) -> bool:
    return isinstance(item, dict | v.Members)


@register("foreach")
def foreach(ctx: CallContext, args: Args) -> Iterator[Any]:
    """vfilter ``plugins/foreach.go``: for each row of ``row`` (a list's items, NULLs skipped,
    values without members seen as ``{"_value": value}``; ``column`` picks one column of each
    row), run ``query`` with the row's columns in scope; without ``query``, the rows themselves.
    The next row's query is not started once the consumer has stopped (a LIMIT)."""
    column = args.string("column")
    query = args.value("query", None)
    started = False
    for item in ctx.rows(args.value("row")):
        if column:
            item = v.associative(item, column)[1]
        if not _is_row(item):
            item = {"_value": item}
        if query is None:
            yield item
            continue
        if started and ctx.session.cancelling:
            return
        started = True
        yield from ctx.rows(query, ctx.scope.with_vars(item))


@register("chain")
def chain(ctx: CallContext, args: Args) -> Iterator[Any]:
    """vfilter ``plugins/chain.go`` (Velociraptor's ``vql/common/chain.go`` adds ``async``,
    accepted here and run in order): each argument's rows in turn; the next query is not
    started once the consumer has stopped (a LIMIT)."""
    for index, name in enumerate(n for n in args.names() if n != "async"):
        if index and ctx.session.cancelling:
            return
        yield from ctx.rows(args.value(name))


@register("if")
def if_(ctx: CallContext, args: Args) -> Iterator[Any]:
    """vfilter's ``if`` plugin (``plugins/if.go``): the rows of ``then`` when ``condition`` is
    true, else of ``else``."""
    if ctx.truthy(args.value("condition")):
        if args.has("then"):
            yield from ctx.rows(args.value("then"))
    elif args.has("else"):
        yield from ctx.rows(args.value("else"))


@register("switch")
def switch(ctx: CallContext, args: Args) -> Iterator[Any]:
    """Velociraptor's ``switch`` plugin (``vql/common/switch.go``): the rows of the first query
    (in argument order) that has any."""
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
    """vfilter's ``scope`` plugin (``plugins/builtins.go``): one row, the scope itself (it lists
    no columns, so ``SELECT *`` from it is empty)."""
    yield ctx.scope


@register("flatten")
def flatten(ctx: CallContext, args: Args) -> Iterator[Any]:
    """vfilter's ``flatten`` plugin (``plugins/flatten.go``): each row of ``query`` repeated once
    per element of its list columns (a cartesian product; an empty list stays a value)."""
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
    """vfilter ``plugins/range.go``: ``_value`` from ``start`` (default 0) while below ``end``,
    by ``step`` (0 counts as 1); arguments must be integers (else logged, no rows)."""
    bounds: dict[str, int] = {}
    for name, default in (("start", 0), ("end", 0), ("step", 1)):
        if not args.has(name):
            bounds[name] = default
            continue
        value = args.value(name)
        number = v.to_int64_arg(value)
        if number is None:
            ctx.log(f"range: Field {name} should be an int not {v.go_type_name(value)}.")
            return
        bounds[name] = number
    step = bounds["step"] or 1
    if step < 0:
        return
    for value in range(bounds["start"], bounds["end"], step):
        yield {"_value": value}


@register("clock")
def clock(ctx: CallContext, args: Args) -> Iterator[Any]:
    """Velociraptor's ``clock`` event plugin (``vql/common/clock.go``): with ``start``, a first
    row at that time (at once when it has passed), then a row every ``period`` seconds plus
    ``ms`` milliseconds (1 s when both are 0; a period below 0 fires at once); without
    ``start``, the first row comes a period after the call. Each row is the time it fired
    (``time.Now()`` is evaluated before the send); rows go through an unbuffered channel and
    the wait for the next starts when the previous one is taken, so a row whose work ran past
    the next period's time comes at once but carries its fire time (the previous row taken, plus
    a period). Simulated on the session's clock: the session's ``clock_ticks`` rows (default 1),
    and the query ends right after the last row's work. A ``start`` that is not a time is
    logged and gives no row."""
    period = args.integer("period", 0)
    ms = args.integer("ms", 0)
    if period == 0 and ms == 0:
        period = 1
    duration = max(0.0, period + ms / 1000)
    session = ctx.session
    start = args.value("start", None)
    if start is None or v.is_null(start):
        session.clock += duration
    else:
        moment = _start_time(start)
        if moment is None:
            ctx.log(f"clock: start is not a time: {v.go_type_name(start)} (simulated message)")
            return
        session.clock = max(session.clock, moment)
    fired = taken = session.clock
    for index in range(max(0, session.clock_ticks)):
        if index:
            fired = taken + duration
            session.clock = taken = max(session.clock, fired)
        yield {"Unix": int(fired), "String": v.Timestamp.from_epoch(fired).go_string()}


def _start_time(value: Any) -> float | None:
    """``functions.TimeFromAny`` as the clock's ``start`` uses it: a time, or an epoch number
    or string (as ``timestamp()`` reads them)."""
    stamp = timestamp_of(value)
    return stamp.epoch() if isinstance(stamp, v.Timestamp) else None
