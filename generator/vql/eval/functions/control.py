"""Control and logging: if, log, atexit, version, sleep."""

from __future__ import annotations

from typing import Any

from .. import values as v
from ..engine import Args, CallContext, FunctionImpl, StoredQuery
from . import registrar

FUNCTIONS: dict[str, FunctionImpl] = {}
register = registrar(FUNCTIONS)

_LEVELS = ("ERROR", "WARN", "WARNING", "INFO", "DEBUG")


@register("if")
def if_(ctx: CallContext, args: Args) -> Any:
    if ctx.truthy(args.value("condition")):
        return args.value("then") if args.has("then") else v.NULL
    return args.value("else") if args.has("else") else v.NULL


@register("log")
def log(ctx: CallContext, args: Args) -> Any:
    """Log a message; always TRUE. The same format string is logged once per `dedup` seconds."""
    if not args.require("message"):
        return v.NULL
    fmt = args.string("message")
    dedup = args.integer("dedup", 60)
    session = ctx.session
    if dedup >= 0:
        last = session.dedup.get(fmt)
        if last is not None and session.clock - last < dedup:
            return True
        session.dedup[fmt] = session.clock
    message = fmt
    if args.has("args"):
        raw = args.materialized("args")
        items = list(raw) if isinstance(raw, list | tuple) else [raw]
        message = v.go_sprintf(fmt, items)
    level = args.string("level").upper()
    if level in _LEVELS:
        message = f"{level}:{message}"
    ctx.log(message)
    return True


@register("atexit")
def atexit(ctx: CallContext, args: Args) -> Any:
    query = args.value("query")
    if not isinstance(query, StoredQuery):
        ctx.log("atexit: query should be a query")
        return False
    scope = ctx.scope.copy()

    def run() -> None:
        for _ in ctx.evaluator.rows_of(query, scope):
            pass

    ctx.session.at_exit.append(run)
    return True


@register("version")
def version(ctx: CallContext, args: Args) -> Any:
    registry = ctx.evaluator.registry
    if args.has("function"):
        return 1 if args.string("function") in registry.functions else v.NULL
    if args.has("plugin"):
        return 1 if args.string("plugin") in registry.plugins else v.NULL
    return v.NULL


@register("sleep")
def sleep(ctx: CallContext, args: Args) -> Any:
    ctx.session.clock += max(0, args.integer("time"))
    return True
