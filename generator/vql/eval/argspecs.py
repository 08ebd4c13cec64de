"""How a call's arguments are checked before the function or plugin runs.

vfilter's arg parser (``arg_parser/parser.go``) checks the required fields in the order the
argument struct declares them (``<name>: Field <field> is required``), then refuses any argument
the struct does not declare (``<name>: Unexpected arg <arg>``); the function logs the error and
returns its error value (NULL for most). `VFILTER_SPECS` lists the structs of vfilter's own
built-ins (``functions/*.go``, ``plugins/*.go``), as the ``eval`` oracle checks them.

On a Velociraptor client the same checks run against Velociraptor's argument structs, which
``docs/references/vql.yaml`` (our catalogue) documents; an argument the catalogue does not list
is logged as ``<name>: Extra unrecognized arg <arg>`` (a message Velociraptor's golden tests
fail on, ``bin/golden.go``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .values import NULL


@dataclass(frozen=True)
class ArgSpec:
    """One built-in's argument struct: its fields in order (name, required)."""

    fields: tuple[tuple[str, bool], ...]
    free_form: bool = False
    log_name: str = ""
    """The name its errors are logged with, when not its own (``encode`` logs ``hex:``)."""
    error_value: Any = NULL


def _spec(*fields: str, log_name: str = "", error_value: Any = NULL) -> ArgSpec:
    return ArgSpec(
        tuple((f.rstrip("!"), f.endswith("!")) for f in fields),
        log_name=log_name,
        error_value=error_value,
    )


FREE_FORM = ArgSpec((), free_form=True)

VFILTER_FUNCTION_SPECS: dict[str, ArgSpec] = {
    "dict": FREE_FORM,
    "timestamp": _spec("epoch", "winfiletime"),
    "split": _spec("string!", "sep", "sep_string"),
    "if": _spec("condition!", "then", "else"),
    "format": _spec("format!", "args", error_value=False),
    "get": _spec("item", "member!"),
    "encode": _spec("string!", "type!", log_name="hex"),
    "count": _spec("items"),
    "sum": _spec("item!"),
    "min": _spec("item!"),
    "max": _spec("item!", log_name="min"),
    "enumerate": _spec("items"),
    "len": _spec("list!"),
    "version": _spec("function", "plugin"),
}
"""vfilter's built-in functions (``functions/builtin.go``) and their argument structs."""

VFILTER_PLUGIN_SPECS: dict[str, ArgSpec] = {
    "if": _spec("condition!", "then", "else"),
    "flatten": _spec("query!"),
    "chain": FREE_FORM,
    "foreach": _spec("row!", "query", "column", "workers", "async"),
    "range": _spec("start", "end!", "step"),
    "scope": FREE_FORM,
}
"""vfilter's built-in plugins (``plugins/builtins.go``) and their argument structs."""


def check_vfilter_args(
    spec: ArgSpec, name: str, given: Iterable[str], log: Callable[[str], None]
) -> bool:
    """vfilter's arg parser on `given` argument names; False (and a log line) on an error."""
    if spec.free_form:
        return True
    names = list(given)
    prefix = spec.log_name or name
    for field, required in spec.fields:
        if required and field not in names:
            log(f"{prefix}: Field {field} is required")
            return False
    declared = {field for field, _ in spec.fields}
    for arg in names:
        if arg not in declared:
            log(f"{prefix}: Unexpected arg {arg}")
            return False
    return True
