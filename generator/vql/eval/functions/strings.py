"""Strings: format, lowcase, upcase, split, join, url, regex_replace, parse_string_with_regex,
strip."""

from __future__ import annotations

from typing import Any

from ...gostring import from_go_bytes, go_bytes, joined
from ...regex import (
    ResultTooLarge,
    VqlRegexError,
    compile_re2,
    go_find_iter,
    replace_all,
    split,
)
from .. import values as v
from ..engine import Args, CallContext, FunctionImpl
from ..lambdas import call_lambda
from . import registrar

FUNCTIONS: dict[str, FunctionImpl] = {}
register = registrar(FUNCTIONS)


@register("format")
def format_(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``format()`` (``vql/functions/format.go``): Go's ``fmt.Sprintf`` of
    ``format`` with ``args`` (a list, or one value); times are formatted as RFC 3339 in UTC."""
    if not args.require("format"):
        return v.NULL
    fmt = args.string("format")
    raw = args.materialized("args", None)
    if raw is None:
        items: list[Any] = []
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        items = [raw]
    items = [item.rfc3339() if isinstance(item, v.Timestamp) else item for item in items]
    return v.go_sprintf(fmt, items, ctx.budget)


@register("encode")
def encode(ctx: CallContext, args: Args) -> Any:
    """vfilter's ``encode()`` (``functions/functions.go``, ``_EncodeFunction``; Velociraptor
    keeps it): ``string`` (any value, as Go's ``%v``) as ``hex``, as it is (``string``), or
    decoded from UTF-16LE (``utf16``); other types are logged (as ``hex:``) and NULL."""
    value = args.value("string")
    text = value if isinstance(value, str) else v.go_value(value)
    kind = args.string("type")
    if kind == "hex":
        return go_bytes(text).hex()
    if kind == "string":
        return text
    if kind == "utf16":
        return go_bytes(text).decode("utf-16-le", "replace")
    ctx.log(f"hex: encoding {kind} not supported.")
    return v.NULL


@register("lowcase")
def lowcase(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``lowcase()`` (``vql/functions/functions.go``, ``_ToLower``)."""
    return args.string("string").lower()


@register("upcase")
def upcase(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``upcase()`` (``vql/functions/functions.go``, ``_ToUpper``)."""
    return args.string("string").upper()


@register("strip")
def strip(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``strip()`` (``vql/functions/strings.go``, ``StripFunction``): without
    ``prefix`` and ``suffix``, surrounding whitespace trimmed; else those are removed."""
    text = args.string("string")
    prefix = args.string("prefix")
    suffix = args.string("suffix")
    if not prefix and not suffix:
        return text.strip()
    if prefix:
        text = text.removeprefix(prefix)
    if suffix:
        text = text.removesuffix(suffix)
    return text


@register("split")
def split_(ctx: CallContext, args: Args) -> Any:
    """vfilter's ``split()`` (``functions/functions.go``, ``_SplitFunction``): ``string`` split
    on the regex ``sep`` (Go's ``Regexp.Split``) or on the plain ``sep_string``."""
    text = args.string("string")
    # Each part costs a list slot and a string: refused before the list is built.
    max_parts = ctx.budget.limits.value_size // 24
    if args.has("sep_string"):
        sep = args.string("sep_string")
        parts = text.count(sep) + 1 if sep else len(text)
        if parts > max_parts:
            raise ctx.budget.exceeded(
                "value_size", f"split() would make a list of {parts:,} strings", ctx.node
            )
        return text.split(sep) if sep else list(text)
    try:
        return split(args.string("sep", ","), text, max_parts, lambda: ctx.budget.tick(ctx.node))
    except VqlRegexError as exc:
        ctx.log(f"split: {exc}")
        return v.NULL
    except ResultTooLarge as exc:
        raise ctx.budget.exceeded(
            "value_size", f"split() would make a list of more than {exc.size:,} strings", ctx.node
        ) from None


@register("join")
def join(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``join()`` (``vql/functions/lists.go``, ``JoinFunction``): the strings of
    ``array`` joined with ``sep`` (default "")."""
    sep = args.string("sep")
    parts = args.strings("array")
    ctx.budget.check_length(
        sum(map(len, parts)) + len(sep) * max(0, len(parts) - 1), ctx.node, "join() of a string"
    )
    return joined(sep.join(parts))


@register("url")
def url(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``url()`` (``vql/functions/url.go``): Go's ``url.Parse`` of ``parse``, or
    a URL built from ``scheme``, ``host``, ``path``, ``query`` and ``fragment``."""
    if args.has("parse"):
        return v.GoUrl.parse(args.string("parse"))
    query = args.materialized("query", None)
    raw_query = ""
    if isinstance(query, dict):
        from urllib.parse import urlencode

        raw_query = urlencode({k: v.go_value(val) for k, val in query.items()})
    return v.GoUrl(
        scheme=args.string("scheme"),
        host=args.string("host"),
        path=args.string("path"),
        query=raw_query,
        fragment=args.string("fragment"),
    )


@register("regex_replace")
def regex_replace(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``regex_replace()`` (``vql/parsers/regexparser.go``): Go's
    ``ReplaceAllString`` of ``re`` (``(?i)`` prepended) in ``source`` by ``replace``, or by what
    ``replace_lambda`` returns for each match."""
    if not args.require("source", "re"):
        return v.NULL
    source = args.string("source")
    pattern = args.string("re")
    try:
        compiled = compile_re2("(?i)" + pattern)
    except VqlRegexError:
        ctx.log(f"Unable to compile regex {pattern}")
        return v.NULL
    budget = ctx.budget
    if args.has("replace_lambda"):
        condition = args.value("replace_lambda")
        out: list[str] = []
        length = 0
        last = 0
        for match in go_find_iter(compiled, source):
            piece = v.go_value(call_lambda(ctx, condition, [match.group(0)], "regex_replace"))
            out.append(source[last : match.start()])
            out.append(piece)
            length += match.start() - last + len(piece)
            budget.check_length(length, ctx.node, "regex_replace() of a string")
            last = match.end()
        out.append(source[last:])
        return "".join(out)
    try:
        return replace_all(
            compiled,
            source,
            args.string("replace"),
            budget.limits.value_size,
            lambda: budget.tick(ctx.node),
        )
    except ResultTooLarge as exc:
        raise budget.exceeded(
            "value_size",
            f"regex_replace() would build a string of more than {exc.size:,} characters",
            ctx.node,
        ) from None


@register("parse_string_with_regex")
def parse_string_with_regex(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``parse_string_with_regex()`` (``vql/parsers/regexparser.go``): the named
    (or ``gN``) groups of every match of every ``regex`` (``(?i)`` prepended) in ``string``;
    groups never matched are ""."""
    if not args.require("string", "regex"):
        return v.NULL
    text = args.string("string")
    result: dict[str, Any] = {}
    merged: list[str] = []
    for pattern in args.strings("regex"):
        try:
            compiled = compile_re2("(?i)" + pattern)
        except VqlRegexError:
            ctx.log(f"Unable to compile regex {pattern}")
            return v.NULL
        names = {index: name for name, index in compiled.groupindex.items()}
        found = False
        for count, match in enumerate(go_find_iter(compiled, text)):
            if not count & 255:
                ctx.budget.tick(ctx.node)
            if not found:
                found = True
                merged.extend(n for n in names.values() if n not in merged)
            for index in range(1, compiled.groups + 1):
                group = match.group(index)
                result[names.get(index, f"g{index}")] = "" if group is None else group
    for name in merged:
        result.setdefault(name, "")
    return result


@register("unhex")
def unhex(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``unhex()`` (`vql/functions/unhex.go`): a "0x" prefix dropped, then Go's
    ``hex.DecodeString``, whose error is ignored: the bytes decoded before an invalid character
    (or a last odd one) are the result, as a string."""
    text = args.string("string").removeprefix("0x")
    out = bytearray()
    for index in range(0, len(text) - 1, 2):
        try:
            out.append(int(text[index : index + 2], 16))
        except ValueError:
            break
    return from_go_bytes(bytes(out))
