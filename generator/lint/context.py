"""What a rule receives.

A document rule gets the artifact file (`LintContext`): its data and the author's positions. A
VQL rule gets only what the verifier reads (`VqlContext`): the VQL sections, the artifact's name,
parameters, type, permissions and imports, and the linted set. Its findings depend on nothing
else, so the runner computes them once per distinct `VqlContext.key` in a run (every profile a
`render` run renders shares a handful of queries), with positions inside the VQL texts
(`SectionPosition`) that each artifact maps to its own lines. The name and the linted set are
read through recorded accessors, so a verdict is reused only where they answer the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..artifact import ArtifactFile, SectionKind, VqlSection
from ..diagnostics import Location
from ..vql import Catalog, load_catalog
from .analysis import Analysis, analyse
from .model import ArtifactSummary, SectionPosition
from .suppress import Suppressions, gather

if TYPE_CHECKING:
    from .calls import Resolved


def _parameter_names(data: Mapping[str, Any]) -> frozenset[str]:
    params = data.get("parameters")
    return frozenset(
        str(p["name"])
        for p in (params if isinstance(params, list) else [])
        if isinstance(p, dict) and p.get("name") is not None
    )


def _is_client(data: Mapping[str, Any]) -> bool:
    kind = data.get("type")
    return kind is None or str(kind).strip().upper() in ("", "CLIENT")


@dataclass
class LintContext:
    """A document rule's view: the whole artifact file and the linted set."""

    artifact: ArtifactFile
    known: Mapping[str, ArtifactSummary]

    @property
    def path(self) -> str:
        return self.artifact.path

    @property
    def data(self) -> dict[str, Any]:
        return self.artifact.data

    @property
    def parameters(self) -> frozenset[str]:
        return _parameter_names(self.data)

    @property
    def is_client(self) -> bool:
        return _is_client(self.data)


def _listed(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


class VqlContext:
    """A VQL rule's view: the VQL sections and the few artifact facts the verifier reads.

    `key` holds what every VQL rule may read; the artifact's name and the linted set's
    summaries are read through `name` and `summary`, which record what was read, so that a
    verdict is reused only where those reads give the same answers (`reads_agree`).
    """

    def __init__(
        self,
        sections: tuple[VqlSection, ...],
        name: str | None,
        parameters: frozenset[str],
        is_client: bool,
        permissions: frozenset[str],
        imports: tuple[str, ...],
        known: Mapping[str, ArtifactSummary],
    ) -> None:
        self.sections = sections
        self.parameters = parameters
        self.is_client = is_client
        self.permissions = permissions
        """Listed in ``required_permissions`` or ``implied_permissions``."""
        self.imports = imports
        self.catalog: Catalog = load_catalog()
        self._name = name
        self._known = known
        self._analysis: Analysis | None = None
        self._suppressions: Suppressions | None = None
        self.resolved: list[Resolved] | None = None
        """The resolved call sites (`generator.lint.calls.resolved_calls`), once worked out."""
        self.reads: dict[str | tuple[str, str], object] = {}

    @classmethod
    def of(cls, artifact: ArtifactFile, known: Mapping[str, ArtifactSummary]) -> VqlContext:
        data = artifact.data
        return cls(
            sections=tuple(artifact.sections),
            name=artifact.name,
            parameters=_parameter_names(data),
            is_client=_is_client(data),
            permissions=frozenset(
                _listed(data.get("required_permissions")) + _listed(data.get("implied_permissions"))
            ),
            imports=_listed(data.get("imports")),
            known=known,
        )

    def template_form(self) -> VqlContext | None:
        """This context with each section derived by a rename (`ParsedVql.renamed`: a monitor's
        query calling its own quarantine artifact) put back as its template, and the linted
        set's summary of the called artifact filed under the template's name; None when no
        section is derived, or when the names could be confused. Its verdict is shared by every
        artifact rendered from the same template; `runner` uses it only where no finding
        touches the renamed call (see `renames`)."""
        renames: dict[str, str] = {}
        sections: list[VqlSection] = []
        for section in self.sections:
            renamed = section.parsed.renamed
            if renamed is None:
                sections.append(section)
                continue
            if renames.setdefault(renamed.old, renamed.new) != renamed.new:
                return None
            template = renamed.template
            sections.append(
                VqlSection(
                    section.kind,
                    section.node_path,
                    template.text,
                    section.map,
                    section.source_name,
                    {template.text: template},
                )
            )
        if not renames:
            return None
        known = dict(self._known)
        for old, new in renames.items():
            if old in known or self._name in (old, new) or old in renames.values():
                return None
            summary = known.get(new)
            if summary is not None:
                known[old] = dataclasses.replace(summary, name=old)
        return VqlContext(
            tuple(sections),
            self._name,
            self.parameters,
            self.is_client,
            self.permissions,
            self.imports,
            known,
        )

    def renames(self) -> list[tuple[int, str, int]]:
        """(section index, template name, line) of each renamed call (`template_form`)."""
        return [
            (index, s.parsed.renamed.old, s.parsed.renamed.line)
            for index, s in enumerate(self.sections)
            if s.parsed.renamed is not None
        ]

    def key(self) -> tuple[object, ...]:
        return (
            tuple((s.kind, s.text, s.source_name) for s in self.sections),
            self.parameters,
            self.is_client,
            self.permissions,
            self.imports,
        )

    @property
    def name(self) -> str | None:
        """The artifact's name (a recorded read)."""
        self.reads["name"] = self._name
        return self._name

    def summary(self, artifact: str) -> ArtifactSummary | None:
        """What the linted set knows of the artifact named `artifact` (a recorded read)."""
        found = self._known.get(artifact)
        self.reads[("artifact", artifact)] = found.key() if found is not None else None
        return found

    def reads_agree(self, reads: Mapping[str | tuple[str, str], object]) -> bool:
        """Whether this artifact answers `reads` (another artifact's recorded reads) the same."""
        for read, value in reads.items():
            if isinstance(read, tuple):
                found = self._known.get(read[1])
                if (found.key() if found is not None else None) != value:
                    return False
            elif self._name != value:
                return False
        return True

    @property
    def analysis(self) -> Analysis:
        if self._analysis is None:
            self._analysis = analyse(self.sections, self.imports, self.summary)
        return self._analysis

    def suppressions(self) -> Suppressions:
        """The ``linter:`` comments of every section (and the invalid ones)."""
        if self._suppressions is None:
            self._suppressions = gather(self)
        return self._suppressions

    def sections_of(self, *kinds: SectionKind) -> list[VqlSection]:
        return [s for s in self.sections if s.kind in kinds]

    def at(self, section: VqlSection, line: int, column: int) -> SectionPosition:
        index = next(i for i, s in enumerate(self.sections) if s is section)
        return SectionPosition(index, line, column)


def resolve(position: Location | SectionPosition, artifact: ArtifactFile) -> Location:
    """A finding's location in `artifact`'s file."""
    if isinstance(position, Location):
        return position
    section = artifact.sections[position.section]
    return section.location(artifact.path, position.line, position.column)
