"""The VQL rules run once per distinct VQL per run, and each artifact still gets its own verdict."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vr_quarantine.artifact import ParsedVql, load_artifact, parse_vql_renamed
from vr_quarantine.diagnostics import RuleSet
from vr_quarantine.lint import ArtifactSummary, lint_artifact, lint_set
from vr_quarantine.lint import runner as lint_runner
from vr_quarantine.lint.rules import RULES
from vr_quarantine.render import render_artifacts
from vr_quarantine.vql import walk

from tests.test_render_support import plain_profile

QUERY = """\
      LET rows = SELECT * FROM info()
      SELECT Fqdn, x-1 FROM rows
"""
UNKNOWN = """\
      LET rows = SELECT * FROM info()
      SELECT * FROM no_such_plugin()
"""
LET_LAST = "      SELECT * FROM info()\n      LET late = 1\n"


def artifact(name: str, query: str, *, padding: int = 0, extra: str = "") -> str:
    description = "".join(f"  line {i}\n" for i in range(padding))
    return f"name: {name}\ndescription: |\n  d\n{description}{extra}sources:\n  - query: |\n{query}"


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """One entry (the VQL's section paths) each time the VQL rules actually ran."""
    calls: list[str] = []
    rule = RULES["vql-syntax"]
    original = rule.check

    def check(ctx: Any, options: Any) -> Any:
        calls.append(ctx.sections[0].text)  # not ctx.name: reading it is a dependency
        return original(ctx, options)

    counting = type(rule)(**{**rule.__dict__, "check": check})
    rules = RuleSet(counting if r is rule else r for r in RULES.rules)
    monkeypatch.setattr(lint_runner, "RULES", rules)
    monkeypatch.setattr(lint_runner, "_VERDICTS", {})
    return calls


def test_the_same_query_is_checked_once_and_shown_at_each_files_own_line(
    counted: list[str],
) -> None:
    first = load_artifact("a.yaml", artifact("Custom.A", UNKNOWN))
    second = load_artifact("b.yaml", artifact("Custom.B", UNKNOWN, padding=5))
    (one,) = [d for d in lint_artifact(first) if d.rule == "unknown_plugin"]
    (two,) = [d for d in lint_artifact(second) if d.rule == "unknown_plugin"]
    assert (one.location.path, one.location.line) == ("a.yaml", 7)
    assert (two.location.path, two.location.line) == ("b.yaml", 12)
    assert one.location.column == two.location.column
    assert len(counted) == 1  # the VQL rules ran once: this verdict does not name the artifact
    lint_artifact(load_artifact("c.yaml", artifact("Custom.C", QUERY)))
    lint_artifact(load_artifact("d.yaml", artifact("Custom.D", QUERY)))
    lint_artifact(load_artifact("e.yaml", artifact("Custom.D", QUERY, padding=3)))
    assert len(counted) == 3  # a syntax error names the artifact: once per name


def test_a_verdict_that_names_the_artifact_is_not_reused_for_another(
    counted: list[str],
) -> None:
    findings = {
        name: [
            d.message
            for d in lint_artifact(load_artifact(f"{name}.yaml", artifact(name, LET_LAST)))
        ]
        for name in ("Custom.A", "Custom.B", "Custom.A")
    }
    assert any("Invalid artifact Custom.A" in m for m in findings["Custom.A"])
    assert any("Invalid artifact Custom.B" in m for m in findings["Custom.B"])


def test_artifact_calls_resolve_against_each_linted_set() -> None:
    caller = "      SELECT * FROM Artifact.Custom.Callee(Wanted=1)\n"
    callee_with = artifact(
        "Custom.Callee", "      SELECT 1 FROM scope()\n", extra=("parameters:\n  - name: Wanted\n")
    )
    callee_without = artifact("Custom.Callee", "      SELECT 1 FROM scope()\n")
    rules = []
    for callee in (callee_with, callee_without):
        found = lint_set(
            [
                load_artifact("caller.yaml", artifact("Custom.Caller", caller)),
                load_artifact("callee.yaml", callee),
            ]
        )
        rules.append(sorted(d.rule for d in found if d.location.path == "caller.yaml"))
    assert rules == [[], ["unknown_parameter_in_call"]]


def test_suppressions_match_each_artifacts_own_name() -> None:
    suppressed = "      // linter: artifact_vql_error:^Custom.Quiet$\n" + UNKNOWN
    quiet = lint_artifact(load_artifact("q.yaml", artifact("Custom.Quiet", suppressed)))
    loud = lint_artifact(load_artifact("l.yaml", artifact("Custom.Loud", suppressed)))
    assert "unknown_plugin" not in {d.rule for d in quiet}
    assert "unknown_plugin" in {d.rule for d in loud}


# ---------------------------------------------------------------- renamed artifact calls

PLACEHOLDER = "Custom.Placeholder"
CALLER = """\
// A monitor-like query: it calls one artifact by name.
LET quarantine(Mode) = SELECT * FROM Artifact.{name}(
    Wanted=Mode)
SELECT * FROM quarantine(Mode="Y")
"""


def _positions(parsed: ParsedVql) -> list[tuple[object, ...]]:
    assert parsed.program is not None
    return [(type(n).__name__, n.line, n.column) for n in walk(parsed.program)] + [
        (c.text, c.line, c.column) for c in parsed.program.comments
    ]


def _callee(parameter: str) -> ArtifactSummary:
    return ArtifactSummary("x", frozenset({parameter}))


def _lint_caller(name: str, parsed: tuple[ParsedVql, ...], callee: str) -> list[tuple[object, ...]]:
    query = "".join("      " + line + "\n" for line in CALLER.format(name=name).splitlines())
    loaded = load_artifact("caller.yaml", artifact("Custom.Caller", query), parsed=parsed)
    known = {name: dataclasses.replace(_callee(callee), name=name)}
    found = lint_artifact(loaded, known_artifacts=known)
    return [(d.rule, d.location.line, d.location.column, d.message, d.hint) for d in found]


@pytest.mark.parametrize("name", ["Custom.Bench.Quarantine.P0001", "A", "Windows.X_y.Z9"])
def test_a_renamed_call_is_derived_from_the_templates_parse_exactly(name: str) -> None:
    text = CALLER.format(name=name)
    derived = parse_vql_renamed(text, CALLER.format(name=PLACEHOLDER), PLACEHOLDER, name)
    assert derived.renamed is not None  # derived, not parsed
    full = ParsedVql(text)
    assert derived.program == full.program
    assert _positions(derived) == _positions(full)
    assert derived.nodes() == full.nodes()
    assert [(n.line, n.column) for n in derived.nodes()] == [
        (n.line, n.column) for n in full.nodes()
    ]


@pytest.mark.parametrize(
    ("name", "template"),
    [
        ("Custom.Select.X", CALLER),  # a keyword lexes differently: parsed in full
        ("Custom.from", CALLER),
        ("Custom.X", CALLER.replace("(\n    Wanted", "(Wanted")),  # an argument on its line
        ("Custom.X", CALLER + "// Artifact.{name}\n"),  # the name twice
        ("Custom.X", CALLER.replace("FROM quarantine", "FROM Artifact.{name}")),
    ],
)
def test_a_rename_that_could_change_the_parse_is_parsed_in_full(name: str, template: str) -> None:
    text = template.format(name=name)
    parsed = parse_vql_renamed(text, template.format(name=PLACEHOLDER), PLACEHOLDER, name)
    assert parsed.renamed is None
    full = ParsedVql(text)
    assert (parsed.program, parsed.error and str(parsed.error)) == (
        full.program,
        full.error and str(full.error),
    )


def test_renamed_calls_share_one_verdict_and_each_caller_gets_its_own_findings(
    counted: list[str],
) -> None:
    template = CALLER.format(name=PLACEHOLDER)
    names = ("Custom.One", "Custom.Two.Three", "Custom.Four")
    fast = {}
    for name in names:
        derived = parse_vql_renamed(CALLER.format(name=name), template, PLACEHOLDER, name)
        fast[name] = _lint_caller(name, (derived,), callee="Wanted")
    assert len(counted) == 1  # the template's verdict served all three
    for name in names:
        assert fast[name] == _lint_caller(name, (ParsedVql(CALLER.format(name=name)),), "Wanted")
    # A parameter the called artifact lacks: reported with the caller's own name and column.
    name = "Custom.Five"
    derived = parse_vql_renamed(CALLER.format(name=name), template, PLACEHOLDER, name)
    fast = _lint_caller(name, (derived,), callee="Other")
    assert fast == _lint_caller(name, (ParsedVql(CALLER.format(name=name)),), "Other")
    assert [f[0] for f in fast] == ["unknown_parameter_in_call"]
    assert f"Artifact.{name}" in str(fast[0][3])


_PART = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True),
    st.sampled_from(["Select", "from", "LET", "e5", "_", "Null", "TRUE", "in", "Group"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_PART, min_size=1, max_size=4).map(".".join))
def test_any_rename_lints_as_the_full_parse_does(name: str) -> None:
    text = CALLER.format(name=name)
    derived = parse_vql_renamed(text, CALLER.format(name=PLACEHOLDER), PLACEHOLDER, name)
    full = ParsedVql(text)
    if derived.renamed is not None:
        assert derived.program == full.program
        assert _positions(derived) == _positions(full)
    for callee in ("Wanted", "Other"):
        assert _lint_caller(name, (derived,), callee) == _lint_caller(name, (full,), callee)


def test_render_lints_each_query_once_per_switches_whatever_the_names(
    counted: list[str],
) -> None:
    profiles = [
        plain_profile(artifact=dataclasses.replace(plain_profile().artifact, name=name))
        for name in ("Custom.A.Quarantine", "Custom.B.Quarantine", "Custom.C.Other.Name")
    ]
    rendered = [a for p in profiles for a in render_artifacts(p)]
    assert all(a.ok for a in rendered) and len(rendered) == 9
    assert len(counted) == 3  # the quarantine's, the monitor's (its template) and the status'
    monitor = rendered[1]
    assert monitor.file is not None
    (query,) = monitor.file.sections_of("query")
    assert query.parsed.renamed is not None  # derived from the template's parse
    assert query.program == ParsedVql(query.text).program
