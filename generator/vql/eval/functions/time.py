"""Time: now, timestamp. The clock is the session's, so a simulation is reproducible."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import values as v
from ..engine import Args, CallContext, FunctionImpl
from . import registrar

FUNCTIONS: dict[str, FunctionImpl] = {}
register = registrar(FUNCTIONS)


@register("now")
def now(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``now()`` (``vql/functions/functions.go``, ``_Now``): seconds since the
    epoch, from the session's clock (so a simulation is reproducible)."""
    return int(ctx.session.clock)


def _from_number(number: float) -> v.Timestamp:
    # Velociraptor guesses the unit of large epochs: ns, us, ms, then seconds.
    magnitude = abs(number)
    if magnitude > 1e18:
        number /= 1e9
    elif magnitude > 1e15:
        number /= 1e6
    elif magnitude > 1e12:
        number /= 1e3
    return v.Timestamp.from_epoch(number)


def _from_string(text: str) -> v.Timestamp | None:
    text = text.strip()
    try:
        return _from_number(float(text))
    except ValueError:
        pass
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return v.Timestamp(moment)


def timestamp_of(value: Any) -> Any:
    """A time from a time, an epoch number (s, ms, us or ns guessed from its size), a numeric
    string or an RFC 3339 string; NULL otherwise."""
    if isinstance(value, v.Timestamp):
        return value
    if v.is_number(value):
        return _from_number(float(value))
    if isinstance(value, str):
        parsed = _from_string(value)
        if parsed is not None:
            return parsed
    return v.NULL


@register("timestamp")
def timestamp(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``timestamp()`` (``vql/functions/time.go``): a time from ``epoch`` (a
    number in s, ms, us or ns guessed from its size, a numeric string, an RFC 3339 string, or a
    time) or ``winfiletime`` (100 ns ticks since 1601); NULL otherwise."""
    for name in ("epoch", "string"):
        if args.has(name):
            return timestamp_of(args.materialized(name))
    if args.has("winfiletime"):
        ticks = args.integer("winfiletime")
        return v.Timestamp.from_epoch(ticks / 1e7 - 11_644_473_600)
    return v.NULL
