"""`simulate` lints first: an artifact Velociraptor would refuse is never simulated "safe".

The artifact and every ``--with`` artifact are linted with lint's public entry point on the
model simulate already loaded; a lint error refuses the run (exit 2, the findings printed as
`lint` prints them, as a profile with validate errors is refused); warnings go on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vr_quarantine import yamlsource
from vr_quarantine.cli import main
from vr_quarantine.errors import Refused
from vr_quarantine.lint import lint_text
from vr_quarantine.simulate import resolve_scenario, simulate_artifact, simulate_file

from tests.clirunner import CliRunner

ROOT = Path(__file__).resolve().parent.parent
QUARANTINE = ROOT / "artifacts" / "Custom.Windows.Remediation.Quarantine.yaml"
DEFAULT_PROFILE = ROOT / "generator" / "profile" / "default.yaml"

CALLEE = "name: Custom.Callee\nsources:\n- query: SELECT 1 AS One FROM scope()\n"
CALLER = "name: Custom.Caller\nsources:\n- query: SELECT * FROM Artifact.Custom.Callee()\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def lint_lines(path: Path) -> list[str]:
    _, out, _ = run("lint", str(path))
    return [line for line in out.splitlines() if ": error: " in line]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "rules"),
    [
        # The audit's case: the rendered artifact with a type Velociraptor does not know.
        (("type: CLIENT\n", "type: LAPTOP\n"), {"artifact-type"}),
        # Two SELECTs in one source: Velociraptor refuses the query, though the evaluator ran it.
        (
            (
                "      LET NullDevice <=",
                "      SELECT 1 AS Early FROM scope()\n      LET NullDevice <=",
            ),
            {"let-select-order"},
        ),
    ],
)
def test_an_artifact_with_lint_errors_is_refused_with_lints_findings(
    tmp_path: Path, change: tuple[str, str], rules: set[str]
) -> None:
    text = QUARANTINE.read_text(encoding="utf-8")
    assert change[0] in text
    artifact = write(tmp_path, "q.yaml", text.replace(change[0], change[1], 1))
    errors = lint_lines(artifact)
    assert {line.rsplit("[", 1)[1].rstrip("]") for line in errors} == rules
    code, out, err = run("simulate", str(artifact))
    assert code == 2
    assert out == "" and "Outcome" not in err
    for line in errors:  # every error, as lint says it
        assert line in err.splitlines()
    assert "Velociraptor would not load this artifact, so it is not simulated" in err
    assert "internal error" not in err
    # --scenario all is refused the same way, before any scenario runs.
    code, out, err = run("simulate", str(artifact), "--scenario", "all")
    assert code == 2 and out == "" and errors[0] in err


def test_the_clean_rendered_artifact_still_simulates() -> None:
    assert lint_lines(QUARANTINE) == []
    code, out, err = run("simulate", str(QUARANTINE))
    assert code == 0 and "Outcome: as expected" in out
    assert err == ""


def test_a_with_artifact_with_lint_errors_refuses_the_run(tmp_path: Path) -> None:
    caller = write(tmp_path, "caller.yaml", CALLER)
    callee = write(tmp_path, "callee.yaml", CALLEE)
    code, out, _ = run("simulate", str(caller), "--with", str(callee))
    assert code == 1 and "One=1" in out  # ran; no quarantine, so not the success outcome
    bad = write(tmp_path, "bad.yaml", CALLEE + "type: LAPTOP\n")
    (error,) = lint_lines(bad)
    for main_input in (str(caller), str(DEFAULT_PROFILE)):
        code, out, err = run("simulate", main_input, "--with", str(bad))
        assert code == 2 and out == ""
        assert error in err.splitlines()


def test_the_set_is_linted_together_so_artifact_calls_resolve(tmp_path: Path) -> None:
    """The caller passes a parameter the callee does not declare: lint sees it only with the
    callee in the set, and so does simulate."""
    caller = write(tmp_path, "caller.yaml", CALLER.replace("Callee()", "Callee(Nope=1)"))
    callee = write(tmp_path, "callee.yaml", CALLEE)
    code, _, err = run("simulate", str(caller), "--with", str(callee))
    assert code == 2
    assert "[unknown_parameter_in_call]" in err


def test_warnings_do_not_stop_the_run_and_are_reported(tmp_path: Path) -> None:
    text = (
        "name: Custom.Warned\n"
        "parameters:\n- name: Flag\n  type: bool\n  default: maybe\n"
        "sources:\n- query: SELECT Flag FROM scope()\n"
    )
    (warning,) = [d for d in lint_text("w.yaml", text) if d.rule == "bool-default"]
    artifact = write(tmp_path, "w.yaml", text)
    code, out, err = run("simulate", str(artifact))
    assert code == 1 and "Flag=false" in out  # ran; no quarantine, so not the success outcome
    assert f"{artifact}:{warning.location.line}:" in err and "[bool-default]" in err
    code, out, _ = run("simulate", str(artifact), "-f", "json")
    assert code == 1
    assert [d["rule"] for d in json.loads(out)["lint"]] == ["bool-default"]


def test_a_profile_with_findings_is_refused_the_same_way(tmp_path: Path) -> None:
    profile = write(tmp_path, "p.yaml", "format_version: 1\nid: t\npolicy_name: 'a\"b'\n")
    _, out, _ = run("validate", str(profile))
    errors = [line for line in out.splitlines() if ": error: " in line]
    assert errors
    code, out, err = run("simulate", str(profile))
    assert code == 2 and out == ""
    for line in errors:
        assert line in err.splitlines()


def test_the_library_raises_refused_with_the_findings() -> None:
    text = CALLEE + "type: LAPTOP\n"
    with pytest.raises(Refused) as refused:
        simulate_artifact(text, resolve_scenario("success"), source="x.yaml")
    errors = [d for d in lint_text("x.yaml", text) if d.severity.value == "error"]
    assert refused.value.results.sorted() == sorted(errors, key=lambda d: d.sort_key())


def test_lint_reads_the_model_simulate_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One YAML parse per file: the gate lints the `ArtifactFile`, it does not parse again."""
    composed: list[int] = []
    real = yamlsource._compose

    def count(stream: str, *, fast: bool) -> object:
        composed.append(len(stream))
        return real(stream, fast=fast)

    monkeypatch.setattr(yamlsource, "_compose", count)
    caller = write(tmp_path, "caller.yaml", CALLER)
    callee = write(tmp_path, "callee.yaml", CALLEE)
    result = simulate_file(caller, resolve_scenario("success"), extra_artifacts=[callee])
    assert result.rows == [{"One": 1}]
    assert sorted(composed) == sorted([len(CALLER), len(CALLEE)])
