"""SARIF and GitHub annotations name files relative to the repository root, from any folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from vr_quarantine.cli import main

from tests.clirunner import CliRunner

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "artifacts").mkdir()
    (tmp_path / "docs" / "deep").mkdir(parents=True)
    shutil.copy(FIXTURES / "artifacts" / "bad_vql.yaml", tmp_path / "artifacts" / "bad.yaml")
    return tmp_path


def test_lint_sarif_from_a_subfolder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "docs" / "deep")
    result = runner.invoke(main, ["lint", "-f", "sarif", "../../artifacts/bad.yaml"])
    run = json.loads(result.stdout)["runs"][0]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert uris == {"artifacts/bad.yaml"}
    assert run["artifacts"][0]["location"]["uri"] == "artifacts/bad.yaml"


def test_lint_github_from_a_subfolder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "docs")
    result = runner.invoke(main, ["lint", "-f", "github", str(repo / "artifacts" / "bad.yaml")])
    assert result.stdout.startswith("::error file=artifacts/bad.yaml,line=")


def test_outside_a_repository_paths_stay_relative_to_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(FIXTURES / "artifacts" / "bad_vql.yaml", tmp_path / "bad.yaml")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["lint", "-f", "github", "bad.yaml"])
    if (tmp_path / ".git").exists() or any((p / ".git").exists() for p in tmp_path.parents):
        pytest.skip("the temporary folder is inside a git repository")
    assert result.stdout.startswith("::error file=bad.yaml,")


def test_validate_sarif_describes_profile_rules(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text("format_version: 1\nno_such_setting: 1\n", encoding="utf-8")
    result = runner.invoke(main, ["validate", "-f", "sarif", str(profile)])
    rules = json.loads(result.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all(r["shortDescription"]["text"] != r["id"] for r in rules)


def test_an_absolute_sarif_uri_has_no_uri_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SARIF 2.1.0 §3.4.4: uriBaseId goes only with a relative reference."""
    outside = tmp_path / "outside"
    here = tmp_path / "here"
    outside.mkdir()
    here.mkdir()
    shutil.copy(FIXTURES / "artifacts" / "bad_vql.yaml", outside / "bad.yaml")
    shutil.copy(FIXTURES / "artifacts" / "bad_vql.yaml", here / "near.yaml")
    monkeypatch.chdir(here)
    if any((p / ".git").exists() for p in (tmp_path, *tmp_path.parents)):
        pytest.skip("the temporary folder is inside a git repository")
    result = runner.invoke(main, ["lint", "-f", "sarif", str(outside / "bad.yaml"), "near.yaml"])
    run = json.loads(result.stdout)["runs"][0]
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    locations += [a["location"] for a in run["artifacts"]]
    absolute = [loc for loc in locations if loc["uri"].startswith("file:///")]
    relative = [loc for loc in locations if loc["uri"] == "near.yaml"]
    assert absolute and relative and len(absolute) + len(relative) == len(locations)
    assert all("uriBaseId" not in loc for loc in absolute)
    assert all(loc["uriBaseId"] == "%SRCROOT%" for loc in relative)
