"""What a rule receives: the artifact, the linted set, the catalog, and lazily shared analyses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..artifact import ArtifactFile, VqlSection
from ..diagnostics import Location
from ..vql import Catalog, load_catalog
from .analysis import Analysis, analyse
from .model import ArtifactSummary


@dataclass
class LintContext:
    artifact: ArtifactFile
    known: Mapping[str, ArtifactSummary]
    catalog: Catalog = field(default_factory=load_catalog)
    _analysis: Analysis | None = None

    @property
    def path(self) -> str:
        return self.artifact.path

    @property
    def data(self) -> dict[str, Any]:
        return self.artifact.data

    @property
    def analysis(self) -> Analysis:
        if self._analysis is None:
            self._analysis = analyse(self.artifact, self.known)
        return self._analysis

    def at(self, section: VqlSection, line: int, column: int) -> Location:
        return section.location(self.path, line, column)

    @property
    def parameters(self) -> frozenset[str]:
        params = self.data.get("parameters")
        return frozenset(
            str(p["name"])
            for p in (params if isinstance(params, list) else [])
            if isinstance(p, dict) and p.get("name") is not None
        )

    @property
    def is_client(self) -> bool:
        kind = self.data.get("type")
        return kind is None or str(kind).strip().upper() in ("", "CLIENT")
