"""The artifact name breaks Velociraptor's name rule.

A name may only hold ``a-zA-Z0-9_.`` (``Invalid artifact name. Can only contain characters in
this set 'a-zA-Z0-9_.'``) and no dotted part may start with a digit (``Name parts can not start
with a number``); an empty part (``A..B``) is refused too. Option ``require-prefix`` (default
empty) also demands a prefix, e.g. ``Custom.``, which Velociraptor requires of artifacts uploaded
through its GUI or API.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ...artifact import name_problem
from ...diagnostics import Severity
from ..context import LintContext
from ..model import Finding

ID = "artifact-name"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {"require-prefix": ""}


def check(ctx: LintContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    if "name" not in ctx.data:
        return
    name = "" if ctx.data["name"] is None else str(ctx.data["name"])
    problem = name_problem(name)
    prefix = str(options.get("require-prefix") or "")
    if problem is None and name.startswith(prefix):
        return  # positions are worked out only for a finding
    where = ctx.artifact.location(("name",))
    if problem is not None and problem.kind == "characters":
        yield Finding(
            ID,
            where,
            "Invalid artifact name. Can only contain characters in this set 'a-zA-Z0-9_.'",
            f"rename {name!r}, e.g. to {re.sub(r'[^a-zA-Z0-9_.]', '_', name) or 'Custom.X'!r}",
            subject=name,
        )
        return
    if problem is not None and problem.kind == "empty-part":
        yield Finding(
            ID,
            where,
            f"artifact name {name!r} has an empty dotted part",
            "remove the extra dot",
            subject=name,
        )
    elif problem is not None:
        yield Finding(
            ID,
            where,
            "Name parts can not start with a number",
            f"in {name!r}, prefix the part that starts with a digit",
            subject=name,
        )
    if not name.startswith(prefix):
        yield Finding(
            ID,
            where,
            f"artifact name {name!r} does not start with {prefix!r}",
            f"rename it {prefix}{name}",
            subject=name,
        )
