"""The file is not one readable YAML mapping.

Reported under the YAML loader's ids: ``yaml-syntax`` (a syntax error, at the line and column
where the YAML parser stopped; an alias inside the node it repeats), ``yaml-empty``,
``yaml-not-mapping``, ``yaml-multiple-documents`` and ``yaml-encoding`` (not UTF-8), which
Velociraptor's loader refuses too (``YAML Error``); and ``yaml-too-large``: over 1 MiB, more than
200,000 nodes with aliases expanded, more than 64 levels deep, or a number written with more than
1,000 characters, limits far above any real artifact that keep a hostile file from exhausting
time or memory.

``yaml-merge-key``: a merge key (``<<: *anchor``). Velociraptor's YAML library would merge it,
but every input of vr-quarantine (profiles, artifacts, scenarios, the lint config) refuses it
alike: merge keys are a YAML 1.1 extension that YAML 1.2 dropped, JSON Schema editors and other
tools disagree on them, and they hide from a reviewer which value applies. None of the 107
artifacts of the sample corpus uses one; write the keys out.

The file is loaded after Velociraptor's own fix-ups (CRLF to LF, a bare ``query:`` or
``precondition:`` becomes a literal block, ``- SELECT``/``- LET``/``- //`` list items become
literal blocks), so a file Velociraptor accepts is not refused here.

No other rule runs on a file that fails to load.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ...yamlsource import TOO_LARGE_SUMMARY
from ..context import LintContext
from ..model import Finding

ID = "yaml-syntax"
ALSO = (
    "yaml-empty",
    "yaml-not-mapping",
    "yaml-multiple-documents",
    "yaml-encoding",
    "yaml-too-large",
    "yaml-merge-key",
)
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}
SUMMARIES = {
    "yaml-syntax": "The artifact is not valid YAML: Velociraptor's loader refuses it.",
    "yaml-empty": "The artifact file holds no YAML document: Velociraptor refuses it.",
    "yaml-not-mapping": "The artifact is not a mapping (`name:`, `sources:`, ...): Velociraptor "
    "refuses it.",
    "yaml-multiple-documents": "The artifact file holds more than one YAML document: Velociraptor "
    "refuses it.",
    "yaml-encoding": "The file is not UTF-8, which Velociraptor refuses too (exit 2: it was not "
    "read).",
    "yaml-too-large": TOO_LARGE_SUMMARY,
    "yaml-merge-key": "A merge key (`<<`): Velociraptor would merge it, vr-quarantine refuses "
    "it; write the keys out.",
}
"""What ``--list-rules`` says of each loader id, in an artifact's terms (validate says the
same of a profile where the meaning is the same, and its own words where it is not)."""


def check(ctx: LintContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    for d in ctx.artifact.load_diagnostics:
        if d.rule == ID or d.rule in ALSO:
            yield Finding(d.rule, d.location, d.message, d.hint)
