"""The artifact does not match Velociraptor's artifact format (unknown key, wrong kind of value).

Checked against ``schema/velociraptor-artifact.schema.json``, which transcribes
``artifacts/proto/artifact.proto``. Velociraptor unmarshals artifacts with ``yaml.UnmarshalStrict``,
so an unknown key anywhere (``field X not found in type proto.Artifact``) or a list where a string
belongs is refused at load time. Scalars stored as strings may be written as numbers or booleans,
as Velociraptor accepts them. ``simulate`` refuses to run an artifact with such a problem.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...artifact import shape_problems
from ...diagnostics import Severity
from ..context import LintContext
from ..model import Finding

ID = "artifact-schema"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}


def check(ctx: LintContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    for problem in shape_problems(ctx.artifact):
        yield Finding(ID, problem.location, problem.message, problem.hint, problem.subject)
