"""A ``linter:`` suppression comment names an unknown check or holds a bad regular expression.

Velociraptor reports the same (``Suppression X not known`` / ``Suppression X not valid``). The
names a ``linter:`` comment may use are Velociraptor's: unknown_parameter_in_call,
unknown_artifact_in_query, unknown_plugin, kwargs_mixed_call, call_as_function, invalid_arg,
required_arg_missing, invalid_import, artifact_vql_error, yaml_error, required_permissions,
symbol_mask_warn, invalid_suppression. Our own rules are configured in ``.vr-quarantine-lint.yaml``
instead, because Velociraptor would refuse their names in a ``linter:`` comment.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..context import VqlContext
from ..model import Finding

ID = "invalid_suppression"
SEVERITY = Severity.ERROR
CONTEXT = "vql"
OPTIONS: dict[str, Any] = {}


def check(ctx: VqlContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    yield from ctx.suppressions().problems
