"""The compact catalog of VQL plugins, functions and accessors (from Velociraptor's vql.yaml).

Regenerate ``catalog.json`` with ``python -m vr_quarantine.vql.build_catalog PATH/TO/vql.yaml``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

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
    functions: dict[str, CallSpec]
    plugins: dict[str, CallSpec]
    accessors: dict[str, CallSpec]

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


def parse_catalog(document: dict[str, Any]) -> Catalog:
    kinds = document["kinds"]
    return Catalog(
        functions={n: _spec("function", n, i) for n, i in kinds["function"].items()},
        plugins={n: _spec("plugin", n, i) for n, i in kinds["plugin"].items()},
        accessors={n: _spec("accessor", n, i) for n, i in kinds["accessor"].items()},
    )


@cache
def load_catalog() -> Catalog:
    """The catalog shipped with the package (loaded once per process)."""
    text = (
        resources.files(__package__ or __name__)
        .joinpath("catalog.json")
        .read_text(encoding="utf-8")
    )
    return parse_catalog(json.loads(text))
