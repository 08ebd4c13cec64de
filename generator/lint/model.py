"""The small data types the lint rules share: findings, LET definitions, artifact summaries."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Location


@dataclass(frozen=True)
class SectionPosition:
    """A place in the `section`-th VQL section of an artifact, in the VQL text's coordinates."""

    section: int
    line: int
    column: int


@dataclass(frozen=True)
class Finding:
    """What a rule reports, before configuration and suppressions give it a final severity.

    `subject` is the value that Velociraptor's ``linter: <rule>:<regex>`` suppressions are
    matched against (the first argument of Velociraptor's own message for that rule).
    """

    rule: str
    location: Location | SectionPosition
    message: str
    hint: str | None = None
    subject: str | None = None


@dataclass(frozen=True)
class Definition:
    """A ``LET`` definition. `params` is None for ``LET x = ...`` (no parentheses)."""

    name: str
    params: tuple[str, ...] | None
    defaults: frozenset[str] = frozenset()
    materialized: bool = False


@dataclass(frozen=True)
class ArtifactSummary:
    """What other artifacts of the linted set need to know about one artifact."""

    name: str
    parameters: frozenset[str]
    export_definitions: dict[str, Definition] = field(default_factory=dict)
    has_export: bool = False

    def key(self) -> tuple[object, ...]:
        return (
            self.name,
            self.parameters,
            tuple(self.export_definitions.items()),
            self.has_export,
        )
