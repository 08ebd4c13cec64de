"""Every VQL text of real Velociraptor artifacts parses, with positions in the file's own lines.

Reads ``../shared/corpus/velociraptor-sample`` and ``../shared/reference/upstream`` when present
(skipped otherwise); nothing from them is copied into the project.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from vr_quarantine.vql import ast
from vr_quarantine.vql.parser import VqlSyntaxError, parse

_BARE_BLOCK_KEY = re.compile(r"(?m)^(\s*(?:-\s+)?(?:query|precondition):)[ \t]*$")
_LIST_ITEM_QUERY = re.compile(r"(?m)^(\s*)- ((?:SELECT|LET|//).*)$")


def sanitize(text: str) -> str:
    """The fix-ups Velociraptor's loader applies before reading the YAML (reference 2.2)."""
    text = text.replace("\r\n", "\n")
    text = _BARE_BLOCK_KEY.sub(r"\1 |", text)
    return _LIST_ITEM_QUERY.sub(lambda m: f"{m[1]}- |\n{m[1]}  {m[2]}", text)


@dataclass(frozen=True)
class VqlText:
    where: str
    text: str
    line_offset: int = 0
    column_offset: int = 0


def _block_offsets(node: yaml.Node, lines: list[str]) -> tuple[int, int] | None:
    """(line_offset, column_offset) of a literal block scalar's content in the file, or None."""
    if not isinstance(node, yaml.ScalarNode) or node.style != "|":
        return None
    first = node.start_mark.line + 1
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first >= len(lines):
        return None
    indent = len(lines[first]) - len(lines[first].lstrip(" "))
    return node.start_mark.line + 1, indent


def _mapping_items(node: yaml.Node | None) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def artifact_vql(path: Path, root: Path) -> Iterator[VqlText]:
    raw = path.read_text(encoding="utf-8")
    text = sanitize(raw)
    # Positions are only checked when the fix-ups kept every line where it was.
    same_lines = text.count("\n") == raw.replace("\r\n", "\n").count("\n")
    lines = text.split("\n")
    document = yaml.compose(text, Loader=yaml.SafeLoader)
    name = str(path.relative_to(root))

    def texts(
        mapping: dict[str, yaml.Node], keys: tuple[str, ...], label: str
    ) -> Iterator[VqlText]:
        for key in keys:
            node = mapping.get(key)
            if isinstance(node, yaml.ScalarNode) and node.value.strip():
                offsets = _block_offsets(node, lines) if same_lines else None
                if offsets is None:
                    yield VqlText(f"{name}: {label}{key}", node.value)
                else:
                    yield VqlText(f"{name}: {label}{key}", node.value, *offsets)

    top = _mapping_items(document)
    yield from texts(top, ("precondition", "export"), "")
    sources = top.get("sources")
    for index, source in enumerate(sources.value if isinstance(sources, yaml.SequenceNode) else []):
        items = _mapping_items(source)
        yield from texts(items, ("query", "precondition"), f"sources[{index}].")
        queries = items.get("queries")
        if isinstance(queries, yaml.SequenceNode):
            joined = "\n".join(
                str(q.value) for q in queries.value if isinstance(q, yaml.ScalarNode)
            )
            yield VqlText(f"{name}: sources[{index}].queries", joined)


def _first_statement_token_at(vql: VqlText, program: ast.Program, lines: list[str]) -> None:
    for statement in program.statements:
        line = lines[statement.line - 1]
        word = line[statement.column - 1 :].split(None, 1)[0].upper()
        assert word in ("LET", "SELECT", "EXPLAIN"), (vql.where, statement.line, line)


def _parse_all(texts: list[VqlText], root: Path) -> int:
    failures = []
    for vql in texts:
        try:
            program = parse(vql.text, line_offset=vql.line_offset, column_offset=vql.column_offset)
        except VqlSyntaxError as error:
            failures.append(f"{vql.where}: {error}")
            continue
        if vql.line_offset:
            file_lines = (root / vql.where.split(": ")[0]).read_text(encoding="utf-8").split("\n")
            _first_statement_token_at(vql, program, file_lines)
    assert not failures, "\n".join(failures)
    return len(texts)


@pytest.mark.slow
def test_every_corpus_query_parses(corpus_dir: Path) -> None:
    files = sorted(corpus_dir.rglob("*.yaml"))
    assert len(files) >= 100
    texts = [vql for path in files for vql in artifact_vql(path, corpus_dir)]
    assert _parse_all(texts, corpus_dir) >= 150


def test_upstream_quarantine_artifacts_parse(reference_dir: Path) -> None:
    root = reference_dir / "upstream"
    files = sorted(root.glob("*.Remediation.*.yaml"))
    assert len(files) == 4
    texts = [vql for path in files for vql in artifact_vql(path, root)]
    assert _parse_all(texts, root) >= 4


def test_upstream_golden_test_queries_parse(reference_dir: Path) -> None:
    fixture = yaml.safe_load(
        (reference_dir / "upstream" / "testcase-linux-quarantine.in.yaml").read_text()
    )
    queries = fixture["Queries"]
    assert len(queries) > 10
    for query in queries:
        parse(query)


def test_sanitize_makes_bare_query_keys_block_scalars() -> None:
    fixed = sanitize("sources:\r\n  - query:\r\n      SELECT * FROM info()\r\n")
    assert yaml.safe_load(fixed)["sources"][0]["query"] == "SELECT * FROM info()\n"


def test_positions_land_on_the_statement_in_the_file(tmp_path: Path) -> None:
    artifact = tmp_path / "A.yaml"
    artifact.write_text(
        "name: A\n"
        "sources:\n"
        "  - query: |\n"
        "      LET x = SELECT * FROM info()\n"
        "\n"
        "        SELECT * FROM x\n"
    )
    (vql,) = artifact_vql(artifact, tmp_path)
    program = parse(vql.text, line_offset=vql.line_offset, column_offset=vql.column_offset)
    assert [(s.line, s.column) for s in program.statements] == [(4, 7), (6, 9)]
