"""Data plugins: parse_csv, items, test_read_logs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...gostring import go_bytes
from .. import values as v
from ..csvreader import CsvDelimiterError, Reader, records, typed
from ..engine import Args, CallContext, PluginImpl
from ..functions.data import from_json_value, load_json
from . import registrar
from .endpoint import side_effect_rows

PLUGINS: dict[str, PluginImpl] = {}
register = registrar(PLUGINS)


@register("parse_csv")
def parse_csv(ctx: CallContext, args: Args) -> Iterator[Any]:
    """Velociraptor's ``parse_csv`` plugin (``vql/parsers/csv/csv.go``): a row per record of
    each file, read by Velociraptor's CSV reader (`csvreader`, with typed values). The first
    record names the columns unless ``auto_headers`` (Col0, Col1, ...) or ``columns`` is given;
    with ``accessor='data'`` the filename is the CSV text itself."""
    if not args.require("filename"):
        return
    options: dict[str, str] = {}
    for name in ("separator", "comment"):
        given = go_bytes(args.string(name))
        if len(given) > 1:
            ctx.log(f"parse_csv: {name} can only be one character")
            return
        options[name] = chr(given[0]) if given else ""  # Go's rune(arg.Separator[0])
    auto_headers = ctx.truthy(args.value("auto_headers", False))
    accessor = args.string("accessor", "auto")
    if accessor == "data":
        texts = args.strings("filename")
    else:
        texts = [
            v.go_value(row.get("Data", "")) if isinstance(row, dict) else ""
            for row in side_effect_rows(ctx, "read_file", args)
        ]

    def from_json(text: str) -> tuple[bool, Any]:
        ok, data = load_json(ctx, text, "parse_csv", log=False)
        return ok, from_json_value(data) if ok else None

    for text in texts:
        reader = Reader(go_bytes(text), options["separator"] or ",", options["comment"])
        columns = args.strings("columns")
        try:
            if not auto_headers and not columns:
                header = reader.read()
                if header is None:
                    continue
                columns = header
            headers: list[str] | None = None
            for record in records(reader):
                if headers is None:
                    headers = [
                        columns[i] if i < len(columns) else f"Col{i}" for i in range(len(record))
                    ]
                yield {
                    name: typed(item, from_json) for name, item in zip(headers, record, strict=True)
                }
        except CsvDelimiterError as exc:
            # Reading the header fails silently; a record's error is logged, and the reader
            # makes no progress, so the file ends there.
            if auto_headers or columns:
                ctx.log(f"INFO:parse_csv: {exc}")


@register("items")
def items(ctx: CallContext, args: Args) -> Iterator[Any]:
    """Velociraptor's ``items`` plugin (``vql/common/items.go``): a ``_key``/``_value`` row per
    member of a dict (a list gives its indexes as keys)."""
    item = args.materialized("item")
    if isinstance(item, dict):
        for key, value in item.items():
            yield {"_key": key, "_value": value}
    elif isinstance(item, list | tuple):
        for index, value in enumerate(item):
            yield {"_key": index, "_value": value}


@register("test_read_logs")
def test_read_logs(ctx: CallContext, args: Args) -> Iterator[Any]:
    """The golden runner's ``test_read_logs`` plugin (Velociraptor ``bin/golden.go``): the log
    lines not read yet, as its memory logger gives them."""
    session = ctx.session
    lines = session.logs[session.logs_read :]
    session.logs_read = len(session.logs)
    for line in lines:
        yield {"Log": f"Velociraptor: {line.message}\n"}
