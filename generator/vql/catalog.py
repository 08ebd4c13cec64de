"""The compact catalog of VQL plugins, functions and accessors (from Velociraptor's vql.yaml).

Regenerate ``catalog.json`` with ``python -m vr_quarantine.vql.build_catalog PATH/TO/vql.yaml``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from ..resources import catalog_text

Kind = Literal["function", "plugin", "accessor"]


@dataclass(frozen=True)
class ArgSpec:
    name: str
    type: str
    required: bool
    repeated: bool


@dataclass(frozen=True)
class CallSpec:
    """One plugin, function or accessor as Velociraptor documents it."""

    name: str
    kind: Kind
    args: dict[str, ArgSpec]
    permissions: tuple[str, ...]
    free_form_args: bool

    @property
    def required_args(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.args.values() if a.required)


@dataclass(frozen=True)
class Catalog:
    functions: Mapping[str, CallSpec]
    plugins: Mapping[str, CallSpec]
    accessors: Mapping[str, CallSpec]

    def lookup(self, kind: Kind, name: str) -> CallSpec | None:
        table = {"function": self.functions, "plugin": self.plugins, "accessor": self.accessors}[
            kind
        ]
        return table.get(name)


def _spec(kind: Kind, name: str, item: dict[str, Any]) -> CallSpec:
    args = {a[0]: ArgSpec(a[0], a[1], bool(a[2]), bool(a[3])) for a in item.get("args", [])}
    return CallSpec(
        name=name,
        kind=kind,
        args=args,
        permissions=tuple(item.get("permissions", ())),
        free_form_args=bool(item.get("free_form_args", False)),
    )


class _Specs(Mapping[str, CallSpec]):
    """One kind's entries, each turned into a `CallSpec` when first looked up (a lint run looks
    up a few dozen of several hundred)."""

    def __init__(self, kind: Kind, items: dict[str, dict[str, Any]]) -> None:
        self._kind = kind
        self._items = items
        self._specs: dict[str, CallSpec] = {}

    def __getitem__(self, name: str) -> CallSpec:
        spec = self._specs.get(name)
        if spec is None:
            spec = self._specs[name] = _spec(self._kind, name, self._items[name])
        return spec

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def parse_catalog(document: dict[str, Any]) -> Catalog:
    kinds = document["kinds"]
    return Catalog(
        functions=_Specs("function", kinds["function"]),
        plugins=_Specs("plugin", kinds["plugin"]),
        accessors=_Specs("accessor", kinds["accessor"]),
    )


@cache
def load_catalog() -> Catalog:
    """The catalog shipped with the package (loaded once per process)."""
    return parse_catalog(json.loads(catalog_text()))
