"""``lint --list-rules`` and ``validate --list-rules`` list every rule id the tool can report,
load failures included, each with a one-line summary of its own.

A CI author writes ``ignore:`` entries, SARIF rule filters and suppressions from this list: an id
the tool reports but does not list cannot be looked up, and the loader's ids (io-error, yaml-*,
not-an-artifact, not-a-profile) are the ones a broken file gets.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from vr_quarantine.cli import main

from tests.clirunner import CliRunner

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator"
_ID = re.compile(r"^[a-z][a-z0-9]*([-_][a-z0-9]+)+$")
_REPORTS = re.compile(r"(?i)diag|finding|refuse|error")
"""Callees that take a rule id: Diagnostic, Finding, _diag, _refuse, io_error, LimitError..."""
_DECLARED = {"ID", "ALSO", "IO_ERROR", "_KIND_RULE"}

# What each command reads: the input layer and the loader, the artifact model, its own package.
SHARED = [PACKAGE / "inputs.py", PACKAGE / "yamlsource.py", PACKAGE / "diagnostics.py"]
SOURCES = {
    "lint": [*SHARED, *(PACKAGE / "artifact").glob("*.py"), *(PACKAGE / "lint").rglob("*.py")],
    "validate": [*SHARED, *(PACKAGE / "profile").rglob("*.py")],
}


def producible_ids(files: list[Path]) -> set[str]:
    """Every rule id a literal in `files` reports under: the ids passed to the calls that build a
    finding, and the ``ID``/``ALSO`` declarations of rule modules."""
    found: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            values: list[ast.expr] = []
            if isinstance(node, ast.Call):
                callee = node.func
                name = (
                    callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
                )
                if _REPORTS.search(name):
                    values = [*node.args, *(k.value for k in node.keywords if k.arg == "rule")]
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in _DECLARED for t in node.targets
            ):
                values = [c for c in ast.walk(node.value) if isinstance(c, ast.expr)]
            found |= {
                v.value
                for v in values
                if isinstance(v, ast.Constant) and isinstance(v.value, str) and _ID.match(v.value)
            }
    return found


def listed(command: str) -> dict[str, str]:
    result = CliRunner().invoke(main, [command, "--list-rules"])
    assert result.exit_code == 0, result.output
    rows = [line.split(None, 2) for line in result.stdout.splitlines()]
    assert all(len(row) == 3 for row in rows), rows
    ids = [row[0] for row in rows]
    assert len(ids) == len(set(ids)), "an id is listed twice"
    return {row[0]: row[2] for row in rows}


@pytest.mark.parametrize("command", sorted(SOURCES))
def test_every_id_the_code_can_report_is_listed(command: str) -> None:
    produced = producible_ids(SOURCES[command])
    assert {"io-error", "yaml-syntax", "yaml-encoding", "yaml-too-large"} <= produced
    assert sorted(produced - set(listed(command))) == []


@pytest.mark.parametrize("command", sorted(SOURCES))
def test_each_load_failure_id_has_a_summary_of_its_own(command: str) -> None:
    rules = listed(command)
    loader = {i: s for i, s in rules.items() if i.startswith("yaml-") or i == "io-error"}
    assert len(loader) >= 9
    assert len(set(loader.values())) == len(loader), loader
    assert all(s.strip() and "\n" not in s for s in rules.values())


def test_validate_and_lint_word_the_loader_ids_for_what_they_read() -> None:
    lint, validate = listed("lint"), listed("validate")
    assert set(lint) & set(validate) >= {
        "io-error",
        "yaml-syntax",
        "yaml-duplicate-key",
        "yaml-empty",
        "yaml-not-mapping",
        "yaml-multiple-documents",
        "yaml-merge-key",
        "yaml-encoding",
        "yaml-too-large",
    }
    # Different meanings: a profile versus an artifact Velociraptor must load.
    for rule_id in ("yaml-syntax", "yaml-duplicate-key", "yaml-empty", "yaml-not-mapping"):
        assert lint[rule_id] != validate[rule_id], rule_id
        assert "profile" in validate[rule_id] and "artifact" in lint[rule_id], rule_id
    # The same meaning (the file was not read): the same words.
    assert lint["yaml-too-large"] == validate["yaml-too-large"]
    assert lint["io-error"] == validate["io-error"]


def test_a_load_failure_message_speaks_of_what_was_read(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n")
    twice = tmp_path / "twice.yaml"
    twice.write_text("name: Custom.A\nname: Custom.B\n")
    runner = CliRunner()
    lint = runner.invoke(main, ["lint", str(empty), str(twice)]).output
    validate = runner.invoke(main, ["validate", str(empty), str(twice)]).output
    assert "vr-quarantine init" not in lint and "`name:` and `sources:`" in lint
    assert "vr-quarantine init" in validate
    assert "Velociraptor's loader (yaml.UnmarshalStrict) refuses the artifact" in lint
    assert "YAML keeps only one of them" in validate


@pytest.mark.parametrize("command", sorted(SOURCES))
def test_the_ids_a_broken_file_gets_are_listed(command: str, tmp_path: Path) -> None:
    files = {
        "missing.yaml": None,
        "latin1.yaml": b"name: Caf\xe9\n",
        "big.yaml": b"#" * (1024 * 1024 + 1),
        "syntax.yaml": b"name: [\n",
        "empty.yaml": b"",
        "list.yaml": b"- a\n",
        "two.yaml": b"a: 1\n---\nb: 2\n",
        "merge.yaml": b"b: &b {x: 1}\n<<: *b\n",
        "dup.yaml": b"a: 1\na: 2\n",
        "other.yaml": b"format_version: 1\nid: t\n" if command == "lint" else b"name: Custom.A\n",
    }
    for name, content in files.items():
        if content is not None:
            (tmp_path / name).write_bytes(content)
    out = CliRunner().invoke(main, [command, *(str(tmp_path / n) for n in files)]).output
    reported = set(re.findall(r"\[([a-z0-9_-]+)\]$", out, re.MULTILINE))
    assert len(reported) == len(files), reported
    assert reported <= set(listed(command))
