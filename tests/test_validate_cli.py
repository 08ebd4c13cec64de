"""`validate`, `init` and `schema` as a user drives them: paths, stdin, formats, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from vr_quarantine.cli import main
from vr_quarantine.profile import load_profile, load_profile_file, validate_paths
from vr_quarantine.profile.starter import starter_profile_text

from tests.clirunner import CliRunner

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = ROOT / "tests" / "fixtures" / "profiles"
DEFAULT = ROOT / "generator" / "profile" / "default.yaml"
runner = CliRunner()

EXPIRY = b"lifecycle:\n  expiry: 72h\n"
CLEAN = b"format_version: 1\nid: clean\n" + EXPIRY
WARNS = b"format_version: 1\nid: warns\nallow:\n  dhcp: false\n"
BROKEN = b"format_version: 1\nid: broken\nblock_all: maybe\n"


def _json(args: list[str], stdin: bytes | None = None) -> tuple[int, dict[str, object]]:
    result = runner.invoke(main, ["validate", "-f", "json", *args], input=stdin)
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_examples_validate_clean_even_strict(path: Path) -> None:
    result = runner.invoke(main, ["validate", "--strict", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.stdout


def test_examples_cover_the_issue() -> None:
    names = {p.name for p in EXAMPLES.glob("*.yaml")}
    assert {
        "upstream-defaults.yaml",
        "engagement-jumphost-share-ipv6.yaml",
        "site-proxy.yaml",
    } <= names


def test_built_in_default_validates_clean() -> None:
    assert runner.invoke(main, ["validate", "--strict", str(DEFAULT)]).exit_code == 0


def test_json_output_shape() -> None:
    code, doc = _json([str(FIXTURES / "invalid" / "range-order.yaml")])
    assert code == 1
    assert doc["tool"] == "validate"
    assert doc["summary"] == {"info": 0, "warning": 0, "error": 1}
    [diag] = doc["diagnostics"]  # type: ignore[misc]
    assert diag == {
        "path": str(FIXTURES / "invalid" / "range-order.yaml"),
        "line": 7,
        "column": 18,
        "rule": "range-order",
        "severity": "error",
        "message": "rules[0].destination: range '192.0.2.20-192.0.2.10' starts after it ends",
        "hint": "write it as 192.0.2.10-192.0.2.20",
    }


def test_stdin_is_dash() -> None:
    code, doc = _json(["-"], stdin=BROKEN)
    assert code == 1
    assert doc["files"] == ["<stdin>"]
    [diag] = doc["diagnostics"]  # type: ignore[misc]
    assert (diag["path"], diag["line"], diag["rule"]) == ("<stdin>", 3, "schema")
    assert runner.invoke(main, ["validate", "-"], input=CLEAN).exit_code == 0


def test_folder_is_searched_recursively_for_yaml_and_yml(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(CLEAN)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.yml").write_bytes(BROKEN)
    (tmp_path / "sub" / "notes.txt").write_bytes(BROKEN)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "c.yaml").write_bytes(BROKEN)
    code, doc = _json([str(tmp_path)])
    assert code == 1
    assert doc["files"] == [str(tmp_path / "a.yaml"), str(tmp_path / "sub" / "b.yml")]
    assert {d["path"] for d in doc["diagnostics"]} == {str(tmp_path / "sub" / "b.yml")}  # type: ignore[union-attr]


def test_every_file_is_reported_in_one_run_sorted(tmp_path: Path) -> None:
    for name in ("z.yaml", "a.yaml"):
        (tmp_path / name).write_bytes(b"format_version: 2\nid: Bad Id\nblok: 1\n")
    code, doc = _json([str(tmp_path / "z.yaml"), str(tmp_path / "a.yaml")])
    assert code == 1
    found = [(Path(d["path"]).name, d["line"]) for d in doc["diagnostics"]]  # type: ignore[union-attr]
    assert found == [(name, line) for name in ("a.yaml", "z.yaml") for line in (1, 2, 3)]


def test_strict_turns_warnings_into_findings() -> None:
    assert runner.invoke(main, ["validate", "-"], input=WARNS).exit_code == 0
    assert runner.invoke(main, ["validate", "--strict", "-"], input=WARNS).exit_code == 1


def test_missing_path_is_exit_2_and_other_files_still_checked(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_bytes(BROKEN)
    result = runner.invoke(main, ["validate", str(tmp_path / "nope.yaml"), str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'nope.yaml'}: error: no such file or folder [io-error]" in result.stdout
    assert "[schema]" in result.stdout


def test_empty_folder_and_no_path_are_usage_errors(tmp_path: Path) -> None:
    assert runner.invoke(main, ["validate", str(tmp_path)]).exit_code == 2
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 2
    assert "no PATH given" in result.output


def test_unknown_output_format_is_usage_error() -> None:
    result = runner.invoke(main, ["validate", "-f", "xml", str(DEFAULT)])
    assert result.exit_code == 2
    assert "unknown output format" in result.output


def test_oversized_file(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(CLEAN + b"#" * (1024 * 1024))
    code, doc = _json([str(big)])
    assert code == 2
    assert [d["rule"] for d in doc["diagnostics"]] == ["yaml-too-large"]  # type: ignore[union-attr]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_io_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked.yaml"
    locked.write_bytes(CLEAN)
    locked.chmod(0)
    results = validate_paths([str(locked)])
    assert [d.rule for d in results.diagnostics] == ["io-error"]


def test_subprocess_missing_path_no_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vr_quarantine", "validate", "/nonexistent/x.yaml", "-f", "json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert json.loads(done.stdout)["diagnostics"][0]["rule"] == "io-error"


# --- init ---------------------------------------------------------------------------------


def test_init_writes_a_profile_that_validates_strictly(tmp_path: Path) -> None:
    target = tmp_path / "profile.yaml"
    result = runner.invoke(main, ["init", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=https://")
    assert runner.invoke(main, ["validate", "--strict", str(target)]).exit_code == 0
    assert list(tmp_path.iterdir()) == [target], "no temporary file left behind"


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "profile.yaml"
    target.write_text("precious: true\n")
    result = runner.invoke(main, ["init", str(target)])
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert target.read_text() == "precious: true\n"
    assert runner.invoke(main, ["init", "--force", str(target)]).exit_code == 0
    assert target.read_text().startswith("# yaml-language-server: $schema=")


def test_init_points_at_a_schema_copy_above_it(tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "quarantine-profile.schema.json").write_text("{}")
    (tmp_path / "profiles" / "site").mkdir(parents=True)
    target = tmp_path / "profiles" / "site" / "hq.yaml"
    assert runner.invoke(main, ["init", str(target)]).exit_code == 0
    first = target.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schema/quarantine-profile.schema.json"


def test_init_in_this_repository_points_at_the_real_schema() -> None:
    ref_line = starter_profile_text("../schema/quarantine-profile.schema.json").splitlines()[0]
    schema = (EXAMPLES / ref_line.split("=", 1)[1]).resolve()
    assert schema == ROOT / "schema" / "quarantine-profile.schema.json"


def test_init_dash_prints_and_missing_folders_are_created(tmp_path: Path) -> None:
    result = runner.invoke(main, ["init", "-"])
    assert result.exit_code == 0
    assert load_profile("<stdout>", result.stdout.encode()).profile is not None
    nested = tmp_path / "profiles" / "site" / "p.yaml"
    made = runner.invoke(main, ["init", str(nested)])
    assert made.exit_code == 0, made.output
    assert load_profile_file(nested).profile is not None
    assert runner.invoke(main, ["init", str(tmp_path)]).exit_code == 2
    (tmp_path / "afile").write_text("x")
    blocked = runner.invoke(main, ["init", str(tmp_path / "afile" / "p.yaml")])
    assert blocked.exit_code == 2 and "is a file, not a folder" in blocked.output


def test_init_schema_url_option(tmp_path: Path) -> None:
    target = tmp_path / "p.yaml"
    url = "https://schemas.example.org/q.json"
    assert runner.invoke(main, ["init", "--schema-url", url, str(target)]).exit_code == 0
    assert target.read_text().splitlines()[0] == f"# yaml-language-server: $schema={url}"


# --- schema -------------------------------------------------------------------------------


def test_schema_command_prints_the_published_schema() -> None:
    result = runner.invoke(main, ["schema"])
    assert result.exit_code == 0
    on_disk = (ROOT / "schema" / "quarantine-profile.schema.json").read_text(encoding="utf-8")
    assert result.stdout == on_disk
    assert json.loads(result.stdout)["$schema"] == "http://json-schema.org/draft-07/schema#"


@pytest.mark.parametrize("command", ["validate", "init", "schema"])
def test_help(command: str) -> None:
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_list_rules() -> None:
    result = runner.invoke(main, ["validate", "--list-rules"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert "lockout-no-server" in listed and "yaml-duplicate-key" in listed
    assert len(listed) == len(set(listed)) >= 40


def test_init_refuses_a_nul_byte_in_the_path(tmp_path: Path) -> None:
    result = runner.invoke(main, ["init", str(tmp_path / "a\x00b.yaml")])
    assert result.exit_code == 2
    assert "NUL" in result.output


def test_stdin_through_the_real_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vr_quarantine", "validate", "-"],
        input=BROKEN,
        capture_output=True,
    )
    assert done.returncode == 1
    assert b"<stdin>:3:12: error: block_all: expected true or false" in done.stdout


def test_profiles_checked_together_need_their_own_names(tmp_path: Path) -> None:
    one = b"format_version: 1\nid: site-a\nartifact:\n  name: Custom.Site.Quarantine\n"
    (tmp_path / "a.yaml").write_bytes(one + EXPIRY)
    (tmp_path / "b.yaml").write_bytes(one.replace(b"site-a", b"site-b") + EXPIRY)
    (tmp_path / "c.yaml").write_bytes(b"format_version: 1\nid: site-a\n" + EXPIRY)
    code, doc = _json([str(tmp_path)])
    assert code == 1
    found = [(Path(d["path"]).name, d["line"], d["rule"]) for d in doc["diagnostics"]]  # type: ignore[union-attr]
    assert found == [("b.yaml", 4, "duplicate-artifact-name"), ("c.yaml", 2, "duplicate-id")]
    message = doc["diagnostics"][0]["message"]  # type: ignore[index]
    assert (
        message
        == f"artifact name 'Custom.Site.Quarantine' is also used by {tmp_path / 'a.yaml'}:4:9"
    )


def test_examples_and_built_in_default_checked_together_are_clean() -> None:
    result = runner.invoke(main, ["validate", "--strict", str(EXAMPLES), str(DEFAULT)])
    assert result.exit_code == 0, result.output
