"""One artifact file as the linter sees it: fixed up, loaded with positions, split into VQL.

Every VQL text (query, precondition, export, notebook VQL cell) is parsed once, with positions in
the text's own coordinates; a `PositionMap` turns them into the artifact file's line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..diagnostics import Diagnostic, Location
from ..vql import VqlSyntaxError, parse, walk
from ..vql.ast import Node, Program
from ..yamlsource import NodePath, Scalar, YamlDocument, load_yaml_text
from .sanitize import Sanitized, sanitize

SectionKind = Literal["precondition", "export", "query", "source precondition", "notebook"]


@dataclass(frozen=True)
class _Line:
    file_line: int
    column_offset: int
    chars: tuple[tuple[int, int], ...] | None = None
    """For folded or quoted scalars: the file (line, column) of each character of this line."""


class PositionMap:
    """Maps a 1-based (line, column) inside a VQL text to the file's (line, column)."""

    def __init__(self, lines: list[_Line], sanitized: Sanitized) -> None:
        self._lines = lines
        self._sanitized = sanitized

    def __call__(self, line: int, column: int) -> tuple[int, int]:
        if not self._lines:
            return self._sanitized.line(1), 1
        entry = self._lines[min(max(line, 1), len(self._lines)) - 1]
        file_line, col = entry.file_line, entry.column_offset + max(column, 1)
        if entry.chars:
            file_line, col = entry.chars[min(max(column, 1), len(entry.chars)) - 1]
        return self._sanitized.line(file_line), col


@dataclass
class VqlSection:
    """One VQL text of the artifact, parsed."""

    kind: SectionKind
    node_path: NodePath
    text: str
    map: PositionMap
    source_name: str | None = None
    program: Program | None = None
    error: VqlSyntaxError | None = None
    _nodes: list[Node] | None = field(default=None, repr=False)

    def nodes(self) -> list[Node]:
        """Every node of the parsed program in source order (computed once; empty if unparsed)."""
        if self._nodes is None:
            self._nodes = list(walk(self.program)) if self.program is not None else []
        return self._nodes

    @property
    def label(self) -> str:
        if self.source_name:
            return f"{self.kind} of source {self.source_name!r}"
        return self.kind

    def location(self, path: str, line: int, column: int) -> Location:
        file_line, file_column = self.map(line, column)
        return Location(path, file_line, file_column)


@dataclass
class ArtifactFile:
    path: str
    sanitized: Sanitized
    document: YamlDocument | None
    load_diagnostics: list[Diagnostic]
    sections: list[VqlSection] = field(default_factory=list)

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


def load_artifact(path: str, text: str) -> ArtifactFile:
    """Fix up, load and split an artifact; problems become diagnostics, never exceptions."""
    sanitized = sanitize(text)
    result = load_yaml_text(path, sanitized.text, fast=True)
    diagnostics = [_remap(d, sanitized) for d in result.diagnostics]
    artifact = ArtifactFile(path, sanitized, result.document, diagnostics)
    if result.document is not None:
        artifact.sections = list(_sections(result.document, sanitized))
        for section in artifact.sections:
            try:
                section.program = parse(section.text)
            except VqlSyntaxError as exc:
                section.error = exc
    return artifact


def _remap(diagnostic: Diagnostic, sanitized: Sanitized) -> Diagnostic:
    loc = diagnostic.location
    if sanitized.origin is None:
        return diagnostic
    moved = Location(loc.path, sanitized.line(loc.line), loc.column)
    return Diagnostic(
        moved, diagnostic.rule, diagnostic.severity, diagnostic.message, diagnostic.hint
    )


def _text_section(
    doc: YamlDocument, sanitized: Sanitized, kind: SectionKind, at: NodePath, source: str | None
) -> VqlSection | None:
    value = _get(doc.data, at)
    if value is None or isinstance(value, dict | list):
        return None
    text = value if isinstance(value, str) else str(value)
    if not text.strip():
        return None
    scalar = doc.scalars.get(at)
    lines = _scalar_lines(doc.text, scalar, text) if scalar else []
    return VqlSection(kind, at, text, PositionMap(lines, sanitized), source)


def _sections(doc: YamlDocument, sanitized: Sanitized) -> list[VqlSection]:
    data = doc.data
    found: list[VqlSection | None] = [
        _text_section(doc, sanitized, "precondition", ("precondition",), None),
        _text_section(doc, sanitized, "export", ("export",), None),
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
            found.append(_joined_queries(doc, sanitized, base, queries, label))
        else:
            found.append(_text_section(doc, sanitized, "query", (*base, "query"), label))
        found.append(
            _text_section(doc, sanitized, "source precondition", (*base, "precondition"), label)
        )
        notebook = source.get("notebook")
        for cell_index, cell in enumerate(notebook if isinstance(notebook, list) else []):
            if isinstance(cell, dict) and str(cell.get("type", "")).lower() in VQL_CELL_TYPES:
                cell_at: NodePath = (*base, "notebook", cell_index, "template")
                found.append(_text_section(doc, sanitized, "notebook", cell_at, label))
    return [s for s in found if s is not None]


VQL_CELL_TYPES = frozenset({"vql", "vql_suggestion"})


def _joined_queries(
    doc: YamlDocument, sanitized: Sanitized, base: NodePath, queries: list[Any], label: str
) -> VqlSection | None:
    """The deprecated ``queries:`` list: Velociraptor joins the entries with a newline."""
    texts: list[str] = []
    lines: list[_Line] = []
    for index, item in enumerate(queries):
        text = "" if item is None else str(item)
        scalar = doc.scalars.get((*base, "queries", index))
        item_lines = _scalar_lines(doc.text, scalar, text) if scalar else []
        item_lines += [item_lines[-1] if item_lines else _Line(1, 0)] * (
            text.count("\n") + 1 - len(item_lines)
        )
        lines.extend(item_lines[: text.count("\n") + 1])
        texts.append(text)
    joined = "\n".join(texts)
    if not joined.strip():
        return None
    return VqlSection("query", (*base, "queries"), joined, PositionMap(lines, sanitized), label)


def _get(data: Any, at: NodePath) -> Any:
    for key in at:
        if isinstance(key, int):
            if not isinstance(data, list) or key >= len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[key] if isinstance(key, int) else data.get(key)
    return data


def _scalar_lines(source: str, scalar: Scalar, text: str) -> list[_Line]:
    """Where each line of a scalar's value sits in the (fixed-up) file."""
    if scalar.style in ("|", ">"):
        return _block_lines(source, scalar, text)
    return _aligned_lines(source, scalar, text)


def _block_lines(source: str, scalar: Scalar, text: str) -> list[_Line]:
    file_lines = source.split("\n")
    first = scalar.line  # 1-based line of the indicator; content starts on the next line
    indent = 0
    for candidate in file_lines[first : scalar.end_line]:
        if candidate.strip():
            indent = len(candidate) - len(candidate.lstrip(" "))
            break
    count = text.count("\n") + 1
    if scalar.style == "|":
        return [_Line(first + 1 + k, indent) for k in range(count)]
    # Folded: each value line may gather several file lines; map character by character.
    return _aligned_lines(source, scalar, text, start=(first + 1, 1))


def _aligned_lines(
    source: str, scalar: Scalar, text: str, start: tuple[int, int] | None = None
) -> list[_Line]:
    """Align the value with the raw source greedily (folding and escapes only drop characters)."""
    file_lines = source.split("\n")
    line, col = start if start else (scalar.line, scalar.column)
    end_line = scalar.end_line
    positions: list[tuple[int, int]] = []
    for char in text:
        probe_line, probe_col = line, col
        matched = False
        while probe_line <= end_line and probe_line <= len(file_lines):
            raw = file_lines[probe_line - 1]
            if probe_col <= len(raw):
                if raw[probe_col - 1] == char:
                    matched = True
                    break
                probe_col += 1
            else:
                probe_line, probe_col = probe_line + 1, 1
            if probe_line - line > 2:
                break
        if matched:
            positions.append((probe_line, probe_col))
            line, col = probe_line, probe_col + 1
        else:
            positions.append((line, col))
    out: list[_Line] = []
    cursor = 0
    for value_line in text.split("\n"):
        chunk = positions[cursor : cursor + len(value_line) + 1]
        cursor += len(value_line) + 1
        head = chunk[0] if chunk else (line, col)
        out.append(_Line(head[0], head[1] - 1, tuple(chunk)))
    return out
