"""The lint rules: one module per rule, each with its id, severity, options and documentation.

A rule module defines ``ID``, ``SEVERITY``, ``OPTIONS`` (option name → default) and
``check(ctx, options)`` yielding findings; its docstring is the rule's user documentation
(``vr-quarantine lint --list-rules`` prints the first line). A rule that reads only the VQL and
the facts the verifier uses says ``CONTEXT = "vql"`` and receives a `VqlContext`; the others
receive the whole file (`LintContext`). Ids are Velociraptor's own verifier
names where it has one (so ``linter:`` suppressions work unchanged) and kebab-case otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ...diagnostics import IO_ERROR, DocumentedRule, RuleSet
from ..model import Finding
from . import (
    artifact_name,
    artifact_permission,
    artifact_schema,
    artifact_type,
    bool_default,
    call_as_function,
    diamond_operator,
    invalid_arg,
    invalid_import,
    invalid_suppression,
    kwargs_mixed_call,
    let_masks_builtin,
    let_select_order,
    materialized_with_params,
    not_an_artifact,
    notebook_cell_type,
    parameter_type,
    precondition_conflict,
    report_type,
    required_arg_missing,
    required_permissions,
    symbol_mask_warn,
    undefined_symbol,
    unknown_parameter_in_call,
    unknown_plugin,
    vql_syntax,
    yaml_duplicate_key,
    yaml_syntax,
)

Check = Callable[[Any, Mapping[str, Any]], Iterable[Finding]]
"""``check(ctx, options)``: ctx is a `LintContext`, or a `VqlContext` for a VQL rule."""


@dataclass(frozen=True)
class Rule(DocumentedRule):
    check: Check
    vql: bool = False
    """Reads only a `VqlContext`: its findings are computed once per distinct VQL."""


def _rule(module: ModuleType) -> Rule:
    return Rule(
        **Rule.declared(module),
        check=module.check,
        vql=getattr(module, "CONTEXT", "file") == "vql",
    )


RULES: RuleSet[Rule] = RuleSet(
    _rule(module)
    for module in (
        yaml_syntax,
        yaml_duplicate_key,
        not_an_artifact,
        artifact_schema,
        artifact_name,
        artifact_type,
        artifact_permission,
        precondition_conflict,
        let_select_order,
        notebook_cell_type,
        report_type,
        parameter_type,
        bool_default,
        vql_syntax,
        unknown_plugin,
        invalid_arg,
        required_arg_missing,
        call_as_function,
        kwargs_mixed_call,
        unknown_parameter_in_call,
        invalid_import,
        required_permissions,
        symbol_mask_warn,
        undefined_symbol,
        materialized_with_params,
        let_masks_builtin,
        diamond_operator,
        invalid_suppression,
    )
)
"""Every lint rule, found by its id or the further ids it reports under."""

LOAD_FAILURES: frozenset[str] = frozenset(
    {yaml_syntax.ID, *yaml_syntax.ALSO, yaml_duplicate_key.ID, not_an_artifact.ID, IO_ERROR}
)
"""The ids that mean "this file was not linted": it could not be read or loaded, or it is a
profile. No other rule runs on such a file, so a lint config may neither switch them off nor
lower their level: a CI gate would pass a file that nobody linted (`lint.config`)."""
