"""The coverage table (generator/vql/COVERAGE.md) is what the evaluator and the catalogue say."""

from __future__ import annotations

import os
from pathlib import Path

from vr_quarantine.vql.coverage import ENDPOINT, EVALUATED, REFUSED, entries, render_markdown

TABLE = Path(__file__).resolve().parent.parent / "generator" / "vql" / "COVERAGE.md"


def test_the_committed_table_is_current() -> None:
    text = render_markdown()
    if os.environ.get("VRQ_UPDATE_GOLDEN"):
        TABLE.write_text(text, encoding="utf-8")
    assert TABLE.read_text(encoding="utf-8") == text, (
        "generator/vql/COVERAGE.md is stale: python -m vr_quarantine.vql.coverage "
        "generator/vql/COVERAGE.md"
    )


def test_statuses_follow_the_registry_and_the_catalogue() -> None:
    table = {(e.kind, e.name): e for e in entries()}
    assert table["function", "format"].status == EVALUATED
    assert table["function", "format"].source == "`vql/functions/format.go`"
    assert table["plugin", "execve"].status == ENDPOINT
    assert table["function", "tempfile"].answered_by == "simulate, golden file system"
    assert table["plugin", "hunt_results"].status == REFUSED
    assert all(e.source for e in table.values() if e.status != REFUSED)


def test_the_readme_links_the_table() -> None:
    readme = (TABLE.parent.parent.parent / "README.md").read_text(encoding="utf-8")
    assert "generator/vql/COVERAGE.md" in readme
