"""Control and logging: if, log, atexit, version, sleep."""

from __future__ import annotations

from typing import Any

from .. import values as v
from ..engine import Args, CallContext, FunctionImpl, StoredQuery
from ..scope import ExitQuery
from . import registrar

FUNCTIONS: dict[str, FunctionImpl] = {}
register = registrar(FUNCTIONS)

_LEVELS = ("ERROR", "WARN", "WARNING", "INFO", "DEBUG")


@register("if")
def if_(ctx: CallContext, args: Args) -> Any:
    """vfilter's ``if()`` (``functions/if.go``, kept by Velociraptor): ``then`` when
    ``condition`` is true, else ``else`` (NULL when absent); only the chosen branch is evaluated."""
    if ctx.truthy(args.value("condition")):
        return args.value("then") if args.has("then") else v.NULL
    return args.value("else") if args.has("else") else v.NULL


@register("log")
def log(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``log()`` (``vql/functions/log.go``): logs ``message`` (formatted with
    ``args`` as ``format()`` does) with a ``level`` prefix (``ERROR:``, ``WARN:``...); the same
    message is logged once per ``dedup`` seconds (default 60, negative: always); TRUE."""
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
        message = v.go_sprintf(fmt, items, ctx.budget)
    level = args.string("level").upper()
    if level in _LEVELS:
        message = f"{level}:{message}"
    ctx.log(message)
    return True


@register("atexit")
def atexit(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``atexit()`` (``vql/tools/atexit.go``): registers ``query`` (a stored
    query) to run, in a copy of this scope with ``env``, when the collection's query ends
    (logging ``Running AtExit query``); ``timeout`` (default 60 s) is kept on the registration.
    Anything but a query is logged. Returns NULL either way."""
    query = args.value("query")
    if not isinstance(query, StoredQuery):
        ctx.log(f"atexit: Query type {v.go_type_name(query)} not supported.")
        return v.NULL
    scope = ctx.scope.copy()
    env = args.materialized("env") if args.has("env") else None
    if isinstance(env, dict):
        scope.append_vars(dict(env))

    def run() -> None:
        ctx.log("Running AtExit query")
        for _ in ctx.evaluator.rows_of(query, scope):
            pass

    ctx.session.at_exit.append(ExitQuery(run, float(args.integer("timeout") or 60)))
    return v.NULL


@register("version")
def version(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``version()`` (``vql/common/version.go``): the version of the named
    ``function`` or ``plugin`` (1 here) when it exists, else NULL."""
    registry = ctx.evaluator.registry
    if args.has("function"):
        return 1 if args.string("function") in registry.functions else v.NULL
    if args.has("plugin"):
        return 1 if args.string("plugin") in registry.plugins else v.NULL
    return v.NULL


@register("sleep")
def sleep(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``sleep()`` (``vql/functions/sleep.go``): waits ``time`` seconds (the
    session's clock advances; nothing waits); TRUE."""
    ctx.session.clock += max(0, args.integer("time"))
    return True
