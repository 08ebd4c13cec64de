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
    """CSV with a header line; with ``accessor='data'`` the filename is the text itself."""
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
    item = args.materialized("item")
    if isinstance(item, dict):
        for key, value in item.items():
            yield {"_key": key, "_value": value}
    elif isinstance(item, list | tuple):
        for index, value in enumerate(item):
            yield {"_key": index, "_value": value}


@register("test_read_logs")
def test_read_logs(ctx: CallContext, args: Args) -> Iterator[Any]:
    """The log lines not read yet, as the golden runner's memory logger gives them."""
    session = ctx.session
    lines = session.logs[session.logs_read :]
    session.logs_read = len(session.logs)
    for line in lines:
        yield {"Log": f"Velociraptor: {line.message}\n"}
