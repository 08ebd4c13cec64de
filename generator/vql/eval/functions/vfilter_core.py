"""vfilter's own versions of the built-in functions that Velociraptor replaces with different
behaviour. Used only by the ``vfilter`` dialect (vfilter's core alone, as the ``eval`` oracle
runs it); a Velociraptor client runs the versions registered in the other modules."""

from __future__ import annotations

from typing import Any

from .. import values as v
from ..engine import Args, CallContext, FunctionImpl
from . import registrar
from .data import length_of

FUNCTIONS: dict[str, FunctionImpl] = {}
register = registrar(FUNCTIONS)


@register("get")
def get(ctx: CallContext, args: Args) -> Any:
    """vfilter ``functions/functions.go`` ``_GetFunction``: ``member`` is required (a dotted
    path; parts that look like integers index lists); ``item`` defaults to the scope; a missing
    member is NULL."""
    if not args.has("member"):
        ctx.log("get: Field member is required")
        return v.NULL
    item: Any = (
        ctx.evaluator.reduce_lazy(args.value("item"), ctx.scope) if args.has("item") else ctx.scope
    )
    for part in args.string("member").split("."):
        key: Any = part
        if part.lstrip("+-").isdigit():
            key = int(part)
        found, item = v.associative(item, key)
        if not found:
            return v.NULL
    return item


@register("len")
def len_(ctx: CallContext, args: Args) -> Any:
    """vfilter ``functions/functions.go`` ``LenFunction``: the length of a list, map or string
    (in bytes), of a dict its number of keys, 0 for anything else (a stored query included:
    vfilter core does not run it; Velociraptor's ``len`` does)."""
    if not args.has("list"):
        ctx.log("len: Field list is required")
        return v.NULL
    return length_of(args.value("list"))
