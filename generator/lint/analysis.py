"""The static analysis shared by the call-site rules, in the order Velociraptor's verifier runs it.

``services/launcher/verifier.go VerifyArtifact`` verifies the top-level precondition, then the
export (prefixed with the exports of ``imports``), then each source's query (prefixed with the
exports) and precondition. LET definitions accumulate in one state across these passes, so a
section sees its own definitions and those of every section verified before it. We verify the
export once instead of once per source, and also check notebook VQL cells (Velociraptor does not).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..artifact import VqlSection
from ..vql import CallSite, ast, call_sites
from .model import ArtifactSummary, Definition


@dataclass(frozen=True)
class SectionAnalysis:
    section: VqlSection
    calls: tuple[CallSite, ...]
    definitions: Mapping[str, Definition]
    """LET definitions visible when this section is verified."""


@dataclass
class Analysis:
    sections: list[SectionAnalysis] = field(default_factory=list)
    unresolved_imports: list[str] = field(default_factory=list)
    all_definitions: dict[str, Definition] = field(default_factory=dict)


def definitions_of(program: ast.Program) -> dict[str, Definition]:
    found: dict[str, Definition] = {}
    for statement in program.statements:
        if isinstance(statement, ast.Let):
            params = None
            defaults: frozenset[str] = frozenset()
            if statement.params is not None:
                params = tuple(p.name for p in statement.params)
                defaults = frozenset(p.name for p in statement.params if p.default is not None)
            found[statement.name] = Definition(
                statement.name, params, defaults, statement.materialized
            )
    return found


_ORDER = {"precondition": 0, "export": 1}


def analyse(
    sections: Sequence[VqlSection],
    imports: Sequence[str],
    summary_of: Callable[[str], ArtifactSummary | None],
) -> Analysis:
    result = Analysis()
    state: dict[str, Definition] = {}
    preamble: dict[str, Definition] = {}
    for name in imports:
        summary = summary_of(name)
        if summary is None:
            result.unresolved_imports.append(name)
        else:
            preamble.update(summary.export_definitions)
    ordered = sorted(
        (s for s in sections if s.program is not None),
        key=lambda s: _ORDER.get(s.kind, 2),
    )
    with_preamble = False
    for section in ordered:
        assert section.program is not None
        if section.kind != "precondition" and not with_preamble:
            state.update(preamble)
            with_preamble = True
        state.update(definitions_of(section.program))
        result.sections.append(
            SectionAnalysis(section, tuple(call_sites(section.nodes())), dict(state))
        )
    if not with_preamble:
        state.update(preamble)
    result.all_definitions = state
    return result
