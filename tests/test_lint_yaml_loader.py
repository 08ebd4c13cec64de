"""The linter loads YAML with libyaml (``load_yaml_text(fast=True)``): same data, same positions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from vr_quarantine.yamlsource import load_yaml_text

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "artifacts"


def _same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    slow = load_yaml_text(str(path), text)
    fast = load_yaml_text(str(path), text, fast=True)
    assert [d.rule for d in fast.diagnostics] == [d.rule for d in slow.diagnostics]
    if slow.document is None or fast.document is None:
        assert slow.document is fast.document is None
        return
    assert fast.document.data == slow.document.data
    assert fast.document.values == slow.document.values
    assert fast.document.keys == slow.document.keys
    assert fast.document.scalars == slow.document.scalars


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
def test_fast_loader_matches_on_fixtures() -> None:
    for path in sorted(FIXTURES.rglob("*.yaml")):
        _same(path)


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
def test_fast_loader_matches_on_the_corpus(corpus_dir: Path) -> None:
    for path in sorted(corpus_dir.rglob("*.yaml")):
        _same(path)


def test_fast_loader_reports_syntax_errors_and_duplicates() -> None:
    broken = load_yaml_text("x.yaml", "a: [\n", fast=True)
    assert [d.rule for d in broken.diagnostics] == ["yaml-syntax"]
    twice = load_yaml_text("x.yaml", "a: 1\na: 2\n", fast=True)
    assert [(d.rule, d.location.line) for d in twice.diagnostics] == [("yaml-duplicate-key", 2)]
