"""Dicts, lists and conversions: dict, get, set, len, array, items, int, str, count, enumerate,
serialize, parse_json, parse_json_array, filter."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ...gostring import from_go_bytes, go_bytes, well_formed
from ...lexer import parse_go_int
from .. import values as v
from ..engine import Args, CallContext, FunctionImpl, to_int
from ..lambdas import call_lambda
from . import registrar

FUNCTIONS: dict[str, FunctionImpl] = {}
register = registrar(FUNCTIONS)


@register("dict")
def dict_(ctx: CallContext, args: Args) -> Any:
    """vfilter's ``dict()`` (``functions/functions.go``, ``_DictFunc``; Velociraptor keeps it):
    a dict of the arguments (a query argument is run into its rows)."""
    return {name: v.copied(args.materialized(name)) for name in args.names()}


@register("get")
def get(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``get()`` (``vql/functions/functions.go``, ``_GetFunction``; it replaces
    vfilter's): ``field`` (any key, e.g. an index) or else ``member`` (a dotted path) of
    ``item`` (default: the scope; a query is run into its rows); ``default`` (NULL) when absent.
    """
    default = args.value("default")
    item = (
        ctx.evaluator.reduce_lazy(args.value("item"), ctx.scope) if args.has("item") else ctx.scope
    )
    if args.has("field"):
        found, value = v.associative(item, args.value("field"))
        return ctx.evaluator.reduce_lazy(value, ctx.scope) if found else default
    if args.has("member"):
        for part in args.string("member").split("."):
            found, item = v.associative(item, part)
            if not found:
                return default
        return item
    ctx.log("get: either Field or Member should be specified.")
    return v.NULL


@register("set")
def set_(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``set()`` (``vql/functions/functions.go``): sets ``field`` of the dict
    ``item`` to ``value`` in place and returns the dict; anything else is logged and NULL."""
    if not args.require("item", "field"):
        return v.NULL
    item = args.value("item")
    if not isinstance(item, dict):
        ctx.log("set: item is not a dict")
        return v.NULL
    item[args.string("field")] = args.materialized("value")
    return item


@register("len")
def len_(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``len()`` (``vql/functions/lists.go``, ``LenFunction``; it replaces
    vfilter's, which gives 0 for a query): a query is run and its rows counted; the length of a
    list, a dict or a string (in bytes); 0 for anything else."""
    return length_of(args.materialized("list"))


def length_of(item: Any) -> int:
    """``len``'s answer, in vfilter and Velociraptor alike: a string's length in bytes, a list's
    or a dict's number of items, 0 for anything else."""
    if isinstance(item, str):
        return len(go_bytes(item))
    if isinstance(item, list | tuple | dict):
        return len(item)
    return 0


@register("array")
def array(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``array()`` (``vql/functions/lists.go``, ``ArrayFunction``): the items of
    the ``_`` argument (a list's items, or the value), then every other argument's value as
    one item, in order (``array(a=[1, 2], b=[3, 4])`` is ``[[1, 2], [3, 4]]``)."""
    out: list[Any] = []
    if args.has("_"):
        first = args.materialized("_")
        out.extend(first if isinstance(first, list | tuple) else [first])
    out.extend(v.copied(args.materialized(name)) for name in args.names() if name != "_")
    return out


@register("items")
def items(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``items()`` function (``vql/functions/dict.go``, ``_ItemsFunc``): rows of
    ``_key`` and ``_value`` for a dict (a list gives its indexes as keys)."""
    item = args.materialized("item")
    if isinstance(item, dict):
        return [{"_key": k, "_value": value} for k, value in item.items()]
    if isinstance(item, list | tuple):
        return [{"_key": i, "_value": value} for i, value in enumerate(item)]
    return []


@register("int")
def int_(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``int()`` (vql/functions/functions.go): a string goes through Go's
    ``strconv.ParseInt(s, 0, 64)`` (so ``"010"`` is 8 and ``" 5"`` is 0), numbers are truncated,
    anything else (bool, NULL, lists) is 0."""
    item = args.materialized("int")
    if isinstance(item, str):
        return parse_go_int(item) or 0
    if isinstance(item, bool):
        return 0
    if isinstance(item, int):
        return item
    if isinstance(item, float) and math.isfinite(item):
        return int(item)
    return 0


@register("atoi")
def atoi(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``atoi()`` (``vql/functions/functions.go``, ``_ToInt``): a string through
    Go's ``strconv.ParseInt(s, 0, 64)``, a number truncated; 0 when it does not convert."""
    value = to_int(args.materialized("string"))
    return 0 if value is None else value


@register("to_dict")
def to_dict(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``to_dict()`` (``vql/functions/dict.go``, ``_ToDictFunc``): rows of
    ``_key``/``_value`` (as ``items()`` gives them) back into one dict; keyless rows skipped."""
    result: dict[str, Any] = {}
    for row in ctx.rows(args.value("item")):
        key = v.associative(row, "_key")[1]
        if not v.is_null(key):
            result[v.go_value(key)] = v.associative(row, "_value")[1]
    return result


@register("parse_float")
def parse_float(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``parse_float()`` (``vql/functions/functions.go``, ``_ParseFloat``): a
    string through Go's ``strconv.ParseFloat``, a number as a float; NULL when it does not parse."""
    item = args.materialized("string")
    if v.is_number(item):
        return float(item)
    try:
        return float(str(item).strip())
    except ValueError:
        return v.NULL


@register("str")
def str_(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``str()`` (``vql/functions/strings.go``): a string as it is, bytes
    decoded, anything else as Go's ``%v``."""
    item = args.materialized("str")
    if isinstance(item, str):
        return item
    if isinstance(item, bytes):
        return from_go_bytes(item)  # Go's string([]byte): the bytes as they are
    return v.go_value(item)


@register("count")
def count(ctx: CallContext, args: Args) -> Any:
    """vfilter ``functions/aggregates.go`` ``_CountFunction``: 1, 2, 3... per call site within
    a query (per bin under GROUP BY); ``items`` is ignored."""
    key = id(ctx.node)
    total: int = ctx.scope.aggregates.table.get(key, 0) + 1
    ctx.scope.aggregates.table[key] = total
    return total


@register("sum")
def sum_(ctx: CallContext, args: Args) -> Any:
    """vfilter ``functions/aggregates.go`` ``_SumFunction``: the running sum of ``item`` (an
    int64: a value that is not a number is an error, logged, and NULL)."""
    if not args.has("item"):
        ctx.log("sum: Field item is required")
        return v.NULL
    item = v.to_int64_arg(args.value("item"))
    if item is None:
        kind = v.go_type_name(args.value("item")).replace("[]interface {}", "[]types.Any")
        ctx.log(f"sum: Field item should be an int not {kind}.")
        return v.NULL
    key = id(ctx.node)
    total: int = ctx.scope.aggregates.table.get(key, 0) + item
    ctx.scope.aggregates.table[key] = total
    return total


def _extreme(ctx: CallContext, args: Args, name: str, smaller: bool) -> Any:
    if not args.has("item"):
        ctx.log(f"{name}: Field item is required")
        return v.NULL
    item = ctx.evaluator.reduce_lazy(args.value("item"), ctx.scope)
    key = id(ctx.node)
    if key in ctx.scope.aggregates.table:
        previous = ctx.scope.aggregates.table[key]
        less = ctx.evaluator.lt(item, previous)
        if (smaller and not less) or (not smaller and ctx.evaluator.lt(item, previous)):
            item = previous
    ctx.scope.aggregates.table[key] = item
    return item


@register("min")
def min_(ctx: CallContext, args: Args) -> Any:
    """vfilter ``functions/aggregates.go`` ``_MinFunction``: the smallest ``item`` so far (by
    the ``<`` protocol; a value not less than the previous keeps the previous)."""
    return _extreme(ctx, args, "min", smaller=True)


@register("max")
def max_(ctx: CallContext, args: Args) -> Any:
    """vfilter ``functions/aggregates.go`` ``_MaxFunction``: the largest ``item`` so far (a
    value less than the previous keeps the previous)."""
    return _extreme(ctx, args, "min", smaller=False)


@register("enumerate")
def enumerate_(ctx: CallContext, args: Args) -> Any:
    """vfilter ``functions/aggregates.go`` ``_EnumerateFunction``: every ``items`` value so far,
    in a list."""
    key = id(ctx.node)
    collected: list[Any] = ctx.scope.aggregates.table.setdefault(key, [])
    collected.append(args.materialized("items"))
    return list(collected)


@register("serialize")
def serialize(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``serialize()`` (``vql/functions/encode.go``, ``EncodeFunction``): ``item``
    (a query is run into its rows) as indented JSON (``format`` json, the default) or JSON
    lines; other formats are not modelled (the run stops naming it)."""
    fmt = args.string("format", "json")
    item = args.materialized("item")
    if fmt == "json":
        return v.go_json_dumps(item)
    if fmt == "jsonl":
        rows = item if isinstance(item, list) else [item]
        return "".join(v.go_json_dumps(row) + "\n" for row in rows)
    raise ctx.fail(f"serialize(): format {fmt!r} is not supported by the simulator")


def from_json_value(data: Any) -> Any:
    """Decoded JSON as VQL values. Go's decoder (``encoding/json/decode.go``, ``unquoteBytes``)
    makes every string well-formed UTF-8: an invalid surrogate escape ("\\ud800" alone) "falls
    back to the replacement rune", and each invalid byte is coerced to U+FFFD; Python's decoder
    keeps both as lone surrogates."""
    if isinstance(data, dict):
        return {well_formed(k): from_json_value(value) for k, value in data.items()}
    if isinstance(data, list):
        return [from_json_value(item) for item in data]
    if data is None:
        return v.NULL
    if isinstance(data, str):
        return well_formed(data)
    return data


_GO_JSON_MAX_DEPTH = 10_000
"""Go's ``encoding/json`` refuses deeper nesting (``scanner.go``, ``maxNestingDepth``)."""
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _json_depth(text: str, stop: int) -> int:
    """How deep the lists and dicts of JSON `text` nest (strings skipped), up to `stop`."""
    depth = deepest = 0
    for token in _JSON_TOKENS.finditer(text):
        char = token.group()[0]
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest >= stop:
                    break
        elif char in "]}":
            depth -= 1
    return deepest


def load_json(ctx: CallContext, text: str, name: str, *, log: bool = True) -> tuple[bool, Any]:
    """``json.Unmarshal`` as Velociraptor's parsers call it: the data, or False after logging
    the error (unless `log` is False). JSON nested deeper than Go accepts is Go's error;
    deeper than the ``nesting`` limit, or large enough to build a value over ``value_size``,
    stops the run before Python's decoder could recurse or allocate without bound."""
    budget = ctx.budget
    limits = budget.limits
    # A list or dict costs at least 56 bytes, an item at least 24: refused before parsing.
    containers = text.count("[") + text.count("{")
    if 56 * containers + 24 * text.count(",") > limits.value_size:
        raise budget.exceeded(
            "value_size", f"{name}() of {len(text):,} characters of JSON would build more", ctx.node
        )
    if containers > limits.nesting:
        depth = _json_depth(text, _GO_JSON_MAX_DEPTH + 1)
        if depth > _GO_JSON_MAX_DEPTH:
            if log:
                ctx.log(f"{name}: invalid character '[' exceeded max depth")
            return False, None
        if depth > limits.nesting:
            raise budget.exceeded(
                "nesting", f"{name}() of JSON nested {depth:,} levels deep", ctx.node
            )
    try:
        return True, json.loads(text)
    except ValueError as exc:
        if log:
            ctx.log(f"{name}: {exc}")
        return False, None


@register("parse_json")
def parse_json(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``parse_json()`` (``vql/parsers/json.go``): the JSON text ``data`` as VQL
    values; on an error it logs and returns NULL."""
    ok, data = load_json(ctx, args.string("data"), "parse_json")
    return from_json_value(data) if ok else v.NULL


@register("parse_json_array")
def parse_json_array(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``parse_json_array()`` (``vql/parsers/json.go``): the JSON array in
    ``data``; NULL (and a log line on a syntax error) otherwise."""
    ok, data = load_json(ctx, args.string("data"), "parse_json_array")
    if not ok:
        return v.NULL
    return from_json_value(data) if isinstance(data, list) else v.NULL


@register("filter")
def filter_(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``filter()`` (``vql/functions/lists.go``, ``FilterFunction``).

    ``list`` is a ``[]Any`` (a single value is a one-item list, a query its rows); with a
    ``condition`` lambda, the items for which it is true (a ``regex`` as well is logged and
    ignored); otherwise the items that ``scope.Match(regex, item)`` keeps, vfilter's ``=~``
    (``protocols/protocol_regex.go``): ``regex`` is one string, and ``.``, ``.*`` and "" (also
    the default) keep every item, NULL and "" included.
    """
    items = args.materialized("list")
    if not isinstance(items, list | tuple):
        items = [items]
    regex = args.string("regex")
    if args.has("condition"):
        if regex:
            ctx.log(
                "ERROR:filter: Both regex and condition are specified - Will only use the "
                "condition and ignore regex!"
            )
        condition = args.value("condition")
        return [item for item in items if ctx.truthy(call_lambda(ctx, condition, [item], "filter"))]
    return [item for item in items if ctx.evaluator.match(regex, item, ctx.scope)]
