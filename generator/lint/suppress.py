"""Velociraptor-compatible ``linter:`` suppressions, gathered from every VQL section's comments.

As in ``services/launcher/linter_errors.go``: a comment holding ``linter: <name>:<subject>``
suppresses findings of rule ``<name>`` whose subject matches the regular expression
``<subject>`` (searched, not anchored; empty matches everything), anywhere in the artifact.
``<subject>`` is a run of non-blank characters, or ``"..."``/``'...'`` to include blanks; the
double quotes are stripped, the single quotes are kept, exactly as Velociraptor does. Names are
Velociraptor's verifier names; an unknown name or a bad regex is an ``invalid_suppression`` error.
As in Velociraptor, ``artifact_vql_error:<regex>`` matched against the artifact's name silences
every error found in its VQL (syntax, unknown names, arguments).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..vql import VqlRegexError, compile_re2
from .model import Finding

if TYPE_CHECKING:
    from .context import VqlContext

SUPPRESSION_RE = re.compile(r"""(?i)linter: *([a-z_]+):("[^"]+"|'[^']+'|[^ ]+|)""")

VELOCIRAPTOR_NAMES = frozenset(
    {
        "unknown_parameter_in_call",
        "unknown_artifact_in_query",
        "unknown_plugin",
        "kwargs_mixed_call",
        "call_as_function",
        "invalid_arg",
        "required_arg_missing",
        "invalid_import",
        "artifact_vql_error",
        "yaml_error",
        "required_permissions",
        "symbol_mask_warn",
        "invalid_suppression",
    }
)


@dataclass(frozen=True)
class Suppression:
    rule: str
    pattern: Any  # an RE2 pattern: Velociraptor compiles suppressions with Go regexp


# Velociraptor wraps every error of a VQL section in `artifact_vql_error` with the artifact's name
# as subject, so `linter: artifact_vql_error:<name regex>` silences all of them.
WRAPPED_BY_ARTIFACT_VQL_ERROR = frozenset(
    {
        "vql-syntax",
        "unknown_plugin",
        "invalid_arg",
        "required_arg_missing",
        "call_as_function",
        "kwargs_mixed_call",
        "unknown_parameter_in_call",
    }
)


@dataclass
class Suppressions:
    items: list[Suppression] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)

    def match(self, finding: Finding, artifact: str) -> bool:
        """Whether a suppression silences `finding` in the artifact named `artifact`."""
        return any(self._matches(s, finding, artifact) for s in self.items)

    def _matches(self, suppression: Suppression, finding: Finding, artifact: str) -> bool:
        if suppression.rule == finding.rule and finding.subject is not None:
            return suppression.pattern.search(finding.subject) is not None
        if suppression.rule == "artifact_vql_error":
            wrapped = finding.rule in WRAPPED_BY_ARTIFACT_VQL_ERROR
            return wrapped and suppression.pattern.search(artifact) is not None
        return False


def gather(ctx: VqlContext) -> Suppressions:
    found = Suppressions()
    for section in ctx.sections:
        if section.program is None:
            continue
        for comment in section.program.comments:
            for match in SUPPRESSION_RE.finditer(comment.text):
                where = ctx.at(section, comment.line, comment.column)
                name, expression = match.group(1), match.group(2)
                if name not in VELOCIRAPTOR_NAMES:
                    found.problems.append(
                        Finding(
                            "invalid_suppression",
                            where,
                            f"Suppression {name} not known",
                            "use one of: " + ", ".join(sorted(VELOCIRAPTOR_NAMES)),
                            subject=name,
                        )
                    )
                    continue
                if len(expression) >= 2 and expression[0] == expression[-1] == '"':
                    expression = expression[1:-1]
                try:
                    pattern = compile_re2(expression)
                except VqlRegexError as exc:
                    found.problems.append(
                        Finding(
                            "invalid_suppression",
                            where,
                            f"Suppression {name} not valid: {exc}",
                            subject=name,
                        )
                    )
                    continue
                found.items.append(Suppression(name, pattern))
    return found
