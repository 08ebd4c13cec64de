"""Regenerate ``generator/vql/catalog.json`` from Velociraptor's ``docs/references/vql.yaml``.

Usage: ``python -m vr_quarantine.vql.build_catalog PATH/TO/vql.yaml [-o OUT]``.

The catalog keeps only what the linter needs (names, kinds, argument names and types, required
and repeated flags, permissions, ``free_form_args``) and drops descriptions and platforms, so it
stays small enough to ship in the wheel and to load in a few milliseconds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

DEFAULT_OUT = Path(__file__).with_name("catalog.json")
_KINDS = {"Function": "function", "Plugin": "plugin", "Accessor": "accessor"}


class CatalogSourceError(ValueError):
    """vql.yaml does not have the shape this script expects."""


def build(entries: Any) -> dict[str, Any]:
    """Turn the parsed vql.yaml list into the compact catalog document."""
    if not isinstance(entries, list):
        raise CatalogSourceError("vql.yaml must be a list of entries")
    catalog: dict[str, dict[str, Any]] = {"function": {}, "plugin": {}, "accessor": {}}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or "name" not in entry or "type" not in entry:
            raise CatalogSourceError(f"entry {index} has no name or type")
        kind = _KINDS.get(str(entry["type"]))
        if kind is None:
            raise CatalogSourceError(f"entry {entry['name']!r} has unknown type {entry['type']!r}")
        metadata = entry.get("metadata") or {}
        perms = str(metadata.get("permissions") or "")
        args: list[list[Any]] = []
        for arg in entry.get("args") or []:
            args.append(
                [
                    str(arg["name"]),
                    str(arg.get("type") or ""),
                    bool(arg.get("required")),
                    bool(arg.get("repeated")),
                ]
            )
        item: dict[str, Any] = {"args": args}
        if perms:
            item["permissions"] = [p.strip() for p in perms.split(",") if p.strip()]
        if entry.get("free_form_args"):
            item["free_form_args"] = True
        # vql.yaml lists a few names twice under one kind; the later entry wins, as it does in
        # Velociraptor's own map-building loop (services/launcher/verifier.go ApiDescription.init).
        catalog[kind][str(entry["name"])] = item
    return {
        "source": "Velociraptor docs/references/vql.yaml",
        "format": 1,
        "kinds": {kind: dict(sorted(items.items())) for kind, items in catalog.items()},
    }


def dumps(document: dict[str, Any]) -> str:
    """Stable text: one entry per line so that a regenerated catalog diffs readably."""
    lines = [
        "{",
        f'"source": {json.dumps(document["source"])},',
        f'"format": {document["format"]},',
    ]
    lines.append('"kinds": {')
    kinds = list(document["kinds"].items())
    for k_index, (kind, items) in enumerate(kinds):
        lines.append(f"{json.dumps(kind)}: {{")
        names = list(items.items())
        for i, (name, item) in enumerate(names):
            comma = "," if i < len(names) - 1 else ""
            body = json.dumps(item, sort_keys=True, separators=(",", ":"))
            lines.append(f"{json.dumps(name)}: {body}{comma}")
        lines.append("}," if k_index < len(kinds) - 1 else "}")
    lines.append("}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vr_quarantine.vql.build_catalog", description=__doc__
    )
    parser.add_argument("vql_yaml", type=Path, help="path to Velociraptor's vql.yaml")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT, help="catalog to write")
    options = parser.parse_args(argv)
    try:
        entries = yaml.load(
            options.vql_yaml.read_text(encoding="utf-8"),
            Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader),
        )
        text = dumps(build(entries))
    except (OSError, yaml.YAMLError, CatalogSourceError, KeyError) as exc:
        print(f"build_catalog: error: {exc}", file=sys.stderr)
        return 2
    tmp = options.output.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(options.output)
    print(f"wrote {options.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
