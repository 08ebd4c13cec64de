"""Data plugins: parse_csv, items, test_read_logs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from .. import values as v
from ..engine import Args, CallContext, PluginImpl
from . import registrar
from .endpoint import side_effect_rows

PLUGINS: dict[str, PluginImpl] = {}
register = registrar(PLUGINS)


@register("parse_csv")
def parse_csv(ctx: CallContext, args: Args) -> Iterator[Any]:
    """Velociraptor's ``parse_csv`` plugin (``vql/parsers/csv.go``): a row per record of CSV
    with a header line; with ``accessor='data'`` the filename is the text itself."""
    if not args.require("filename"):
        return
    accessor = args.string("accessor", "auto")
    if accessor == "data":
        texts = args.strings("filename")
    else:
        texts = [
            v.go_value(row.get("Data", "")) if isinstance(row, dict) else ""
            for row in side_effect_rows(ctx, "read_file", args)
        ]
    for text in texts:
        reader = csv.reader(io.StringIO(text))
        header: list[str] | None = None
        for record in reader:
            if not record or record == [""]:
                continue
            if header is None:
                header = record
                continue
            yield {name: record[i] if i < len(record) else v.NULL for i, name in enumerate(header)}


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
