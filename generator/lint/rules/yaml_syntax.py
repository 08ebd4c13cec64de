"""The file is not one readable YAML mapping.

Reported under the YAML loader's ids: ``yaml-syntax`` (a syntax error, at the line and column
where the YAML parser stopped), ``yaml-empty``, ``yaml-not-mapping``, ``yaml-multiple-documents``,
``yaml-encoding`` (not UTF-8) and ``yaml-too-large`` (over 1 MiB). Velociraptor's loader refuses
all of these (``YAML Error``). The file is loaded after Velociraptor's own fix-ups (CRLF to LF,
a bare ``query:``/``precondition:`` becomes a literal block, ``- SELECT``/``- LET``/``- //`` list
items become literal blocks), so a file Velociraptor accepts is not refused here.

No other rule runs on a file that fails to load.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ..context import LintContext
from ..model import Finding

ID = "yaml-syntax"
ALSO = (
    "yaml-empty",
    "yaml-not-mapping",
    "yaml-multiple-documents",
    "yaml-encoding",
    "yaml-too-large",
)
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: LintContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    for d in ctx.artifact.load_diagnostics:
        if d.rule == ID or d.rule in ALSO:
            yield Finding(d.rule, d.location, d.message, d.hint)
