"""A lint config cannot hide a file that was never linted.

A finding that means "this file was not linted" (it could not be read or loaded, or it is a
profile) cannot be disabled or lowered by the config: otherwise ``rules: {yaml-syntax: disable}``
turns a file that does not even parse into "0 error(s)", exit 0, a CI gate bypass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from vr_quarantine.cli import main
from vr_quarantine.diagnostics import UNREADABLE, Severity
from vr_quarantine.inputs import MAX_BYTES
from vr_quarantine.lint import LintConfig, RuleConfig, lint_paths
from vr_quarantine.lint.rules import LOAD_FAILURES

from tests.clirunner import CliRunner

# One file per load failure (None: a path that does not exist).
FILES: dict[str, bytes | None] = {
    "yaml-syntax": b"name: [\n",
    "yaml-empty": b"# nothing\n",
    "yaml-not-mapping": b"- name: A\n",
    "yaml-multiple-documents": b"name: A\n---\nname: B\n",
    "yaml-encoding": b"name: Custom.\xff\n",
    "yaml-too-large": b"#" * (MAX_BYTES + 1),
    "yaml-merge-key": b"base: &b {type: CLIENT}\nname: Custom.A\n<<: *b\n",
    "yaml-duplicate-key": b"name: Custom.A\nname: Custom.B\n",
    "not-an-artifact": b"format_version: 1\nid: t\n",
    "io-error": None,
}


def test_every_load_failure_has_a_case() -> None:
    assert set(FILES) == LOAD_FAILURES


def lint(tmp_path: Path, rule: str, config: Path | None = None) -> tuple[int, str]:
    content = FILES[rule]
    target = tmp_path / "a.yaml"
    if content is not None:
        target.write_bytes(content)
    args = ["lint", str(target)] + (["--config", str(config)] if config else [])
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize("rule", sorted(FILES))
@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("disable", "cannot be disabled"),
        ("false", "cannot be disabled"),
        ("{enabled: false}", "cannot be disabled"),
        ("{enabled: true, level: warning}", "cannot be lowered to warning"),
        ("{level: warning}", "cannot be lowered to warning"),
        ("{level: info}", "cannot be lowered to info"),
    ],
)
def test_a_config_that_switches_a_load_failure_off_is_refused(
    tmp_path: Path, rule: str, setting: str, said: str
) -> None:
    config = tmp_path / "cfg.yaml"
    name = rule.replace("-", "_") if setting == "false" else rule  # either spelling
    config.write_text(f"rules:\n  vql-syntax: enable\n  {name}: {setting}\n", encoding="utf-8")
    code, out = lint(tmp_path, rule, config)
    assert code == 2
    assert f"{config}:3:3: rule {rule} {said}: it means the file was not linted at all" in out
    assert "ignore:" in out  # the hint says how to leave a file out on purpose
    assert "internal error" not in out


@pytest.mark.parametrize("rule", sorted(FILES))
def test_enabling_or_keeping_a_load_failure_an_error_is_fine(tmp_path: Path, rule: str) -> None:
    config = tmp_path / "cfg.yaml"
    config.write_text(f"rules:\n  {rule}: {{level: error}}\n", encoding="utf-8")
    code, out = lint(tmp_path, rule, config)
    assert code == (2 if rule in UNREADABLE else 1)
    assert f"[{rule}]" in out


@pytest.mark.parametrize("rule", sorted(FILES))
def test_a_config_built_in_code_cannot_hide_a_load_failure_either(
    tmp_path: Path, rule: str
) -> None:
    content = FILES[rule]
    target = tmp_path / "a.yaml"
    if content is not None:
        target.write_bytes(content)
    hiding = LintConfig(
        {r: RuleConfig(enabled=False) for r in LOAD_FAILURES}
        | {"yaml-syntax": RuleConfig(level=Severity.INFO)}
    )
    results = lint_paths([str(target)], config=hiding)
    assert [(d.rule, d.severity) for d in results.diagnostics] == [(rule, Severity.ERROR)]
