"""One artifact file as Velociraptor's loader sees it: fixed up, loaded with positions, split into
its VQL texts.

Every VQL text (query, precondition, export, notebook VQL cell) is parsed once per distinct text
(`parse_vql`), with positions in the text's own coordinates; a `PositionMap` turns them into the
artifact file's line and column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import InitVar, dataclass, field
from typing import Any, Literal

from ..diagnostics import Diagnostic, Location
from ..vql import VqlSyntaxError, ast
from ..yamlsource import NodePath, YamlDocument, load_yaml_text
from .fixups import Sanitized, sanitize
from .positions import Line, PositionMap, clamp, scalar_lines
from .vql import ParsedVql, parse_vql

SectionKind = Literal["precondition", "export", "query", "source precondition", "notebook"]
VQL_CELL_TYPES = frozenset({"vql", "vql_suggestion"})


@dataclass
class VqlSection:
    """One VQL text of the artifact, parsed."""

    kind: SectionKind
    node_path: NodePath
    text: str
    map: PositionMap
    source_name: str | None = None
    parsed: ParsedVql = field(init=False, repr=False)
    given: InitVar[Mapping[str, ParsedVql] | None] = None
    """Parses already at hand, by text (`load_artifact`'s `parsed`)."""

    def __post_init__(self, given: Mapping[str, ParsedVql] | None) -> None:
        found = given.get(self.text) if given else None
        self.parsed = found if found is not None else parse_vql(self.text)

    @property
    def program(self) -> ast.Program | None:
        return self.parsed.program

    @property
    def error(self) -> VqlSyntaxError | None:
        return self.parsed.error

    def nodes(self) -> tuple[ast.Node, ...]:
        """Every node of the parsed program in source order (empty if it did not parse)."""
        return self.parsed.nodes()

    @property
    def label(self) -> str:
        if self.source_name:
            return f"{self.kind} of source {self.source_name!r}"
        return self.kind

    def location(self, path: str, line: int, column: int) -> Location:
        file_line, file_column = self.map(line, column)
        return Location(path, file_line, file_column)

    def error_location(self, path: str) -> Location | None:
        """Where the syntax error is shown: in the file, never past the end of the text."""
        if self.error is None:
            return None
        line, column = clamp(self.text, self.error.line, self.error.column)
        return self.location(path, line, column)

    @property
    def error_message(self) -> str:
        """``VQL syntax error in <section>: <what the parser expected>``."""
        error = self.error
        detail = (error.message or str(error)) if error is not None else ""
        return f"VQL syntax error in {self.label}: {detail}"


@dataclass
class ArtifactFile:
    """The one model of an artifact file: lint, render's self-check and simulate all read this."""

    path: str
    sanitized: Sanitized
    document: YamlDocument | None
    load_diagnostics: list[Diagnostic]
    sections: list[VqlSection] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text Velociraptor parses: the file after the loader's fix-ups."""
        return self.sanitized.text

    @property
    def data(self) -> dict[str, Any]:
        if self.document is None or not isinstance(self.document.data, dict):
            return {}
        return self.document.data

    @property
    def name(self) -> str | None:
        name = self.data.get("name")
        return name if isinstance(name, str) else None

    def location(self, node_path: NodePath, *, key: bool = False) -> Location:
        """The author's position of a YAML value (or key), through the fix-up line map."""
        assert self.document is not None
        loc = self.document.location(node_path, key=key)
        return Location(self.path, self.sanitized.line(loc.line), loc.column)

    def sections_of(self, *kinds: SectionKind) -> list[VqlSection]:
        return [s for s in self.sections if s.kind in kinds]


def load_artifact(
    path: str, text: str, *, parsed: Sequence[ParsedVql] = (), shared_sources: bool = False
) -> ArtifactFile:
    """Fix up, load and split an artifact; problems become diagnostics, never exceptions.
    A VQL text of the artifact that one of `parsed` holds takes that parse (render gives the
    monitor's, derived with `parse_vql_renamed`). `shared_sources`: many of the texts loaded
    end with the same `sources:` block (render's), so it is composed once per distinct block
    (the result is the same: `yamlsource.split_root`)."""
    shared_tail = "sources" if shared_sources else None
    sanitized = sanitize(text, shared_tail=shared_tail)
    result = load_yaml_text(path, sanitized.text, shared_tail=shared_tail)
    diagnostics = [_remap(d, sanitized) for d in result.diagnostics]
    artifact = ArtifactFile(path, sanitized, result.document, diagnostics)
    if result.document is not None:
        given = {p.text: p for p in parsed}
        artifact.sections = _sections(result.document, sanitized, given)
    return artifact


_ARTIFACT_HINTS = {
    "yaml-empty": "an artifact needs at least `name:` and `sources:` (see the artifacts/ folder)",
    "yaml-duplicate-key": "Velociraptor's loader (yaml.UnmarshalStrict) refuses the artifact; "
    "delete or rename one of them",
}
"""The loader's hints that mean something else for an artifact than for a profile (no `init`
starts an artifact; Velociraptor refuses a duplicate key, where other YAML tools keep one)."""


def _remap(diagnostic: Diagnostic, sanitized: Sanitized) -> Diagnostic:
    loc = diagnostic.location
    hint = _ARTIFACT_HINTS.get(diagnostic.rule, diagnostic.hint)
    if sanitized.origin is None and hint == diagnostic.hint:
        return diagnostic
    moved = Location(loc.path, sanitized.line(loc.line), loc.column)
    return Diagnostic(moved, diagnostic.rule, diagnostic.severity, diagnostic.message, hint)


def _text_section(
    doc: YamlDocument,
    sanitized: Sanitized,
    kind: SectionKind,
    at: NodePath,
    source: str | None,
    given: Mapping[str, ParsedVql],
) -> VqlSection | None:
    value = _get(doc.data, at)
    if value is None or isinstance(value, dict | list):
        return None
    text = value if isinstance(value, str) else str(value)
    if not text.strip():
        return None

    def lines() -> list[Line]:
        scalar = doc.scalars.get(at)
        return scalar_lines(doc.text, scalar, text) if scalar else []

    return VqlSection(kind, at, text, PositionMap(lines, sanitized), source, given)


def _sections(
    doc: YamlDocument, sanitized: Sanitized, given: Mapping[str, ParsedVql]
) -> list[VqlSection]:
    data = doc.data
    found: list[VqlSection | None] = [
        _text_section(doc, sanitized, "precondition", ("precondition",), None, given),
        _text_section(doc, sanitized, "export", ("export",), None, given),
    ]
    sources = data.get("sources")
    for index, source in enumerate(sources if isinstance(sources, list) else []):
        if not isinstance(source, dict):
            continue
        name = source.get("name")
        label = str(name) if name not in (None, "") else f"#{index + 1}"
        base: NodePath = ("sources", index)
        queries = source.get("queries")
        if isinstance(queries, list) and queries and "query" not in source:
            found.append(_joined_queries(doc, sanitized, base, queries, label, given))
        else:
            found.append(_text_section(doc, sanitized, "query", (*base, "query"), label, given))
        found.append(
            _text_section(
                doc, sanitized, "source precondition", (*base, "precondition"), label, given
            )
        )
        notebook = source.get("notebook")
        for cell_index, cell in enumerate(notebook if isinstance(notebook, list) else []):
            if isinstance(cell, dict) and str(cell.get("type", "")).lower() in VQL_CELL_TYPES:
                cell_at: NodePath = (*base, "notebook", cell_index, "template")
                found.append(_text_section(doc, sanitized, "notebook", cell_at, label, given))
    return [s for s in found if s is not None]


def _joined_queries(
    doc: YamlDocument,
    sanitized: Sanitized,
    base: NodePath,
    queries: list[Any],
    label: str,
    given: Mapping[str, ParsedVql],
) -> VqlSection | None:
    """The deprecated ``queries:`` list: Velociraptor joins the entries with a newline."""
    texts: list[str] = []
    lines: list[Line] = []
    for index, item in enumerate(queries):
        text = "" if item is None else str(item)
        scalar = doc.scalars.get((*base, "queries", index))
        item_lines = scalar_lines(doc.text, scalar, text) if scalar else []
        item_lines += [item_lines[-1] if item_lines else Line(1, 0)] * (
            text.count("\n") + 1 - len(item_lines)
        )
        lines.extend(item_lines[: text.count("\n") + 1])
        texts.append(text)
    joined = "\n".join(texts)
    if not joined.strip():
        return None
    return VqlSection(
        "query", (*base, "queries"), joined, PositionMap(lambda: lines, sanitized), label, given
    )


def _get(data: Any, at: NodePath) -> Any:
    for key in at:
        if isinstance(key, int):
            if not isinstance(data, list) or key >= len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[key] if isinstance(key, int) else data.get(key)
    return data
