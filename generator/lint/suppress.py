"""Velociraptor-compatible ``linter:`` suppressions, gathered from every VQL section's comments.

As in ``services/launcher/linter_errors.go``: a comment holding ``linter: <name>:<subject>``
suppresses findings of rule ``<name>`` whose subject matches the regular expression
``<subject>`` (searched, not anchored; empty matches everything), anywhere in the artifact.
``<subject>`` is a run of non-blank characters, or ``"..."``/``'...'`` to include blanks; the
double quotes are stripped, the single quotes are kept, exactly as Velociraptor does. Names are
Velociraptor's verifier names; an unknown name or a bad regex is an ``invalid_suppression`` error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.lint.model import Finding
from generator.lint.source import ArtifactFile

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
    pattern: re.Pattern[str]


@dataclass
class Suppressions:
    items: list[Suppression] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)

    def match(self, finding: Finding) -> bool:
        if finding.subject is None:
            return False
        return any(s.rule == finding.rule and s.pattern.search(finding.subject) for s in self.items)


def gather(artifact: ArtifactFile) -> Suppressions:
    found = Suppressions()
    for section in artifact.sections:
        if section.program is None:
            continue
        for comment in section.program.comments:
            for match in SUPPRESSION_RE.finditer(comment.text):
                where = section.location(artifact.path, comment.line, comment.column)
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
                    pattern = re.compile(expression)
                except re.error as exc:
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
