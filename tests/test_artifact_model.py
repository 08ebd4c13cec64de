"""One model of an artifact file: lint, render's self-check and simulate read the same thing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from vr_quarantine import yamlsource
from vr_quarantine.artifact import clamp, load_artifact, name_problem, parse_vql
from vr_quarantine.diagnostics import Severity
from vr_quarantine.errors import VrqError
from vr_quarantine.lint import lint_text
from vr_quarantine.profile import default_profile, load_profile
from vr_quarantine.render import render_profile
from vr_quarantine.simulate import resolve_scenario, simulate_artifact, simulate_file
from vr_quarantine.vql.eval import artifact_from_file

ROOT = Path(__file__).resolve().parent.parent

# A bare `query:` whose lines form a plain scalar: YAML folds them into one line, which makes the
# whole query a comment. Velociraptor's loader first turns the bare key into a literal block.
FOLD_CASE = """\
name: Custom.Fold.Test
sources:
- query:
    // a comment
    SELECT 1 AS A FROM scope()
"""


def test_the_fold_case_gets_one_verdict_from_lint_and_simulate() -> None:
    assert [d for d in lint_text("fold.yaml", FOLD_CASE) if d.severity is Severity.ERROR] == []
    result = simulate_artifact(FOLD_CASE, resolve_scenario("success"), source="fold.yaml")
    assert result.error is None
    assert result.rows == [{"A": 1}]


def test_the_fold_case_without_the_fixup_would_be_one_comment() -> None:
    folded = yaml.safe_load(FOLD_CASE)["sources"][0]["query"]
    assert folded == "// a comment SELECT 1 AS A FROM scope()"
    (section,) = load_artifact("fold.yaml", FOLD_CASE).sections
    # The loader inserts " |" and a line break, so the block starts with an empty line.
    assert section.text == "\n// a comment\nSELECT 1 AS A FROM scope()\n"


def test_each_distinct_vql_text_is_parsed_once() -> None:
    first = load_artifact("a.yaml", FOLD_CASE.replace("Fold.Test", "A"))
    second = load_artifact("b.yaml", FOLD_CASE.replace("Fold.Test", "B"))
    assert first.sections[0].parsed is second.sections[0].parsed
    assert parse_vql(first.sections[0].text) is first.sections[0].parsed


def test_the_evaluators_artifact_is_made_from_the_model() -> None:
    model = load_artifact("fold.yaml", FOLD_CASE)
    artifact = artifact_from_file(model)
    assert artifact.name == "Custom.Fold.Test"
    (source,) = artifact.sources
    assert source.query == model.sections[0].text
    program = model.sections[0].program
    assert program is not None and source.statements == program.statements


def test_a_syntax_error_is_shown_at_the_authors_line_in_lint_and_simulate() -> None:
    text = "name: Custom.Broken\nsources:\n- query:\n    SELECT x-1 FROM info()\n"
    (error,) = [d for d in lint_text("broken.yaml", text) if d.rule == "vql-syntax"]
    assert (error.location.line, error.location.column) == (4, 13)
    with pytest.raises(VrqError, match=r"\n  broken.yaml:4:13: error: VQL syntax error in query"):
        simulate_artifact(text, resolve_scenario("success"), source="broken.yaml")


@pytest.mark.parametrize(
    ("text", "position", "clamped"),
    [
        ("SELECT 1", (1, 3), (1, 3)),
        ("SELECT 1\n", (2, 1), (1, 8)),
        ("a\nbc  \n\n", (4, 1), (2, 2)),
    ],
)
def test_clamp_keeps_an_error_inside_the_text(
    text: str, position: tuple[int, int], clamped: tuple[int, int]
) -> None:
    assert clamp(text, *position) == clamped


def test_simulating_a_profile_loads_each_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    composed: list[int] = []
    split: list[int] = []
    loaded: list[int] = []
    real_compose, real_split, real_load = yamlsource._compose, yamlsource.split_root, yaml.load

    def count_compose(stream: str, *, fast: bool) -> object:
        composed.append(len(stream))
        return real_compose(stream, fast=fast)

    def count_split(stream: str, key: str) -> object:
        root = real_split(stream, key)
        if root is not None:  # the text's head composed, its sources block kept: one parse
            composed.append(len(stream))
            split.append(len(stream))
        return root

    def count_load(stream: str, Loader: object) -> object:
        loaded.append(len(stream))
        return real_load(stream, Loader=Loader)  # type: ignore[arg-type]

    monkeypatch.setattr(yamlsource, "_compose", count_compose)
    monkeypatch.setattr(yamlsource, "split_root", count_split)
    monkeypatch.setattr(yaml, "load", count_load)
    example = ROOT / "examples" / "site-proxy.yaml"
    result = simulate_file(example, resolve_scenario("success"))
    assert result.ok
    # The profile, then each artifact rendered from it (the quarantine, its monitor and its
    # status artifact): one YAML parse each (render's self-check splits each artifact).
    assert len(composed) == 4 and loaded == []
    assert len(split) == 3
    assert composed[0] == len(example.read_text(encoding="utf-8"))


NAMES = st.text(alphabet="aZ09_.-$", min_size=0, max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.one_of(NAMES, st.sampled_from(["Custom.A", "Custom..A", "Custom.1A", ".A", "A.", "A$"])))
def test_one_artifact_name_rule_for_profiles_render_and_lint(name: str) -> None:
    valid = name_problem(name) is None
    linted = lint_text("a.yaml", f"name: '{name}'\nsources:\n- query: SELECT 1 FROM scope()\n")
    assert valid == ("artifact-name" not in {d.rule for d in linted})
    profile = load_profile(
        "p.yaml", f"format_version: 1\nid: t\nartifact:\n  name: '{name}'\n".encode()
    )
    assert valid == ("artifact-name" not in {d.rule for d in profile.diagnostics})
    if valid:
        return
    rendered = render_profile(
        replace(default_profile(), artifact=replace(default_profile().artifact, name=name))
    )
    assert [d.rule for d in rendered.diagnostics] == ["render-artifact-name"]
