"""Every VQL text of real Velociraptor artifacts parses, with positions in the file's own lines.

Reads ``../shared/corpus/velociraptor-sample`` and ``../shared/reference/upstream`` when present
(skipped otherwise); nothing from them is copied into the project.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from vr_quarantine.vql import ast
from vr_quarantine.vql.parser import VqlSyntaxError, parse

from tests.differential.corpus import VqlText, artifact_vql, sanitize


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
