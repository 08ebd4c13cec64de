"""`vr-quarantine lint` as a CI job uses it: formats, exit codes, stdin, folders, config."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vr_quarantine.cli import main
from vr_quarantine.report.github import escape_data, escape_property

from tests.clirunner import CliRunner

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "artifacts"
runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(main, ["lint", *args], input=stdin)
    return result.exit_code, result.output


def test_clean_file_exits_0() -> None:
    code, out = run(str(FIXTURES / "good.yaml"))
    assert code == 0, out
    assert out.strip().endswith("1 file checked, 0 error(s), 0 warning(s)")


def test_every_finding_of_every_file_sorted_in_one_run() -> None:
    code, out = run(str(FIXTURES))
    assert code == 1
    lines = [line for line in out.splitlines() if ": error: " in line or ": warning: " in line]
    paths = [line.split(":")[0] for line in lines]
    assert paths == sorted(paths)
    assert any("bad_vql.yaml:5:35: error:" in line and "[vql-syntax]" in line for line in lines)
    assert any("bad_structure.yaml" in line for line in lines)
    assert any("caller.yaml" in line and "[unknown_parameter_in_call]" in line for line in lines)
    assert "5 files checked" in out


def test_stdin_and_fail_on() -> None:
    text = (
        (FIXTURES / "good.yaml")
        .read_text(encoding="utf-8")
        .replace("required_permissions:\n  - EXECVE\n", "")
    )
    code, out = run("-", stdin=text)
    assert code == 0 and "<stdin>:" in out and "[required_permissions]" in out
    code, _ = run("--fail-on", "warning", "-", stdin=text)
    assert code == 1


def test_usage_errors_exit_2() -> None:
    assert run("--output-format", "xml", str(FIXTURES / "good.yaml"))[0] == 2
    assert run("--fail-on", "fatal", str(FIXTURES / "good.yaml"))[0] == 2
    assert run()[0] == 2
    code, out = run(str(FIXTURES / "missing.yaml"))
    assert code == 2 and "no such file or folder" in out


def test_a_folder_without_artifacts_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an artifact\n")
    code, out = run(str(tmp_path))
    assert code == 2 and "holds no *.yaml or *.yml file" in out


def test_json_output() -> None:
    code, out = run("--output-format", "json", str(FIXTURES / "bad_vql.yaml"))
    doc = json.loads(out)
    assert code == 1
    assert doc["summary"]["error"] == 1
    assert doc["diagnostics"][0]["rule"] == "vql-syntax"
    assert doc["diagnostics"][0]["line"] == 5


def test_sarif_output_is_what_code_scanning_accepts() -> None:
    code, out = run("--output-format", "sarif", str(FIXTURES / "bad_vql.yaml"))
    assert code == 1
    doc = json.loads(out)
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    assert doc["runs"][0]["columnKind"] == "unicodeCodePoints"
    (sarif_run,) = doc["runs"]
    driver = sarif_run["tool"]["driver"]
    rule_ids = [r["id"] for r in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    assert {"vql-syntax", "unknown_plugin", "yaml-duplicate-key"} <= set(rule_ids)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    (result,) = sarif_run["results"]
    assert rule_ids[result["ruleIndex"]] == result["ruleId"] == "vql-syntax"
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["region"] == {"startLine": 5, "startColumn": 35}
    uri = location["artifactLocation"]["uri"]
    assert uri.endswith("bad_vql.yaml") and not uri.startswith("/")


def test_github_annotations() -> None:
    code, out = run("--output-format", "github", str(FIXTURES / "bad_vql.yaml"))
    assert code == 1
    (line,) = out.splitlines()
    assert line.startswith("::error file=")
    assert ",line=5,col=35,title=lint%3A vql-syntax::VQL syntax error" in line
    assert "%0Ahint%3A" not in line and "%0Ahint: " in line


@settings(max_examples=80, deadline=None)
@given(st.text())
def test_github_escaping_round_trips(text: str) -> None:
    data = escape_data(text)
    prop = escape_property(text)
    assert "\n" not in data and "\r" not in data
    assert not {":", ",", "\n", "\r"} & set(prop)
    codes = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}

    def unescape(escaped: str) -> str:
        return re.sub("%25|%0D|%0A|%3A|%2C", lambda m: codes[m.group()], escaped)

    assert unescape(data) == text and unescape(prop) == text


def test_config_file_in_cwd_and_explicit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(FIXTURES / "bad_vql.yaml", tmp_path / "a.yaml")
    (tmp_path / ".vr-quarantine-lint.yaml").write_text("rules:\n  vql-syntax: {level: warning}\n")
    monkeypatch.chdir(tmp_path)
    code, out = run("a.yaml")
    assert code == 0 and "a.yaml:5:35: warning:" in out
    (tmp_path / "strict.yaml").write_text("rules:\n  vql_syntax: enable\n")
    assert run("--config", "strict.yaml", "a.yaml")[0] == 1
    (tmp_path / "broken.yaml").write_text("rules:\n  no-such-rule: disable\n")
    code, out = run("--config", "broken.yaml", "a.yaml")
    assert code == 2 and "unknown rule 'no-such-rule'" in out


def test_ignore_patterns_apply_to_folder_walks(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "vendor").mkdir(parents=True)
    shutil.copy(FIXTURES / "bad_vql.yaml", repo / "vendor" / "x.yaml")
    shutil.copy(FIXTURES / "good.yaml", repo / "good.yml")
    config = tmp_path / "c.yaml"
    config.write_text("ignore:\n  - 'vendor/*'\n")
    code, out = run("--config", str(config), str(repo))
    assert code == 0 and "1 file checked" in out


def test_list_rules() -> None:
    code, out = run("--list-rules")
    assert code == 0
    assert "unknown_plugin" in out and "vql-syntax" in out and "warning" in out


def test_unreadable_file_is_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "locked.yaml"
    target.write_text("name: X\n")
    target.chmod(0)
    if os.access(target, os.R_OK):
        pytest.skip("running as a user who can read anything")
    assert run(str(target))[0] == 2


def test_unclosed_paren_at_block_end_stays_inside_the_file(tmp_path: Path) -> None:
    path = tmp_path / "pre.yaml"
    path.write_text(
        "name: Custom.T\nsources:\n  - query: |\n      SELECT * FROM info(\n\n", encoding="utf-8"
    )
    code, out = run(str(path))
    assert code == 1
    assert f"{path}:4:25: error:" in out
    code, out = run("--output-format", "sarif", str(path))
    region = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (4, 25)


def test_unknown_rule_in_config_is_reported_at_its_own_line(tmp_path: Path) -> None:
    config = tmp_path / "cfg.yaml"
    config.write_text("rules:\n  vql-syntax: enable\n  made-up: disable\n", encoding="utf-8")
    artifact = tmp_path / "a.yaml"
    artifact.write_text("name: Custom.A\nsources:\n  - query: SELECT 1 FROM info()\n")
    code, out = run("--config", str(config), str(artifact))
    assert code == 2
    assert f"{config}:3:3: unknown rule 'made-up'" in out


def test_missing_path_is_an_io_error_entry_and_other_files_are_still_linted(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Custom.B\nsources:\n  - query: SELECT x-1 FROM info()\n")
    (tmp_path / "empty").mkdir()
    missing, empty = str(tmp_path / "missing.yaml"), str(tmp_path / "empty")
    code, out = run(str(bad), missing, empty)
    assert code == 2
    assert f"{missing}: error: no such file or folder [io-error]" in out
    assert f"{empty}: error: the folder holds no *.yaml or *.yml file [io-error]" in out
    assert f"{bad}:3:" in out and "[vql-syntax]" in out
    code, out = run("--output-format", "json", str(bad), missing)
    assert code == 2
    assert {d["rule"] for d in json.loads(out)["diagnostics"]} == {"io-error", "vql-syntax"}
