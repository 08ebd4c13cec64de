"""The VQL rules run once per distinct VQL per run, and each artifact still gets its own verdict."""

from __future__ import annotations

from typing import Any

import pytest
from vr_quarantine.artifact import load_artifact
from vr_quarantine.diagnostics import RuleSet
from vr_quarantine.lint import lint_artifact, lint_set
from vr_quarantine.lint import runner as lint_runner
from vr_quarantine.lint.rules import RULES

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
