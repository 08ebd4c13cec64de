"""The README's promises: it opens with the two set-up commands and its sample profile is valid."""

from __future__ import annotations

import json
import re
from pathlib import Path

from vr_quarantine.profile import load_profile


def _readme(repo_root: Path) -> str:
    return (repo_root / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands(repo_root: Path) -> None:
    first_block = re.search(r"```sh\n(.*?)```", _readme(repo_root), re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make artifacts", "make test"]


def test_readme_sample_profile_validates(repo_root: Path) -> None:
    section = _readme(repo_root).split("## A profile", 1)[1]
    sample = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert sample is not None
    result = load_profile("README.md", sample.group(1).encode())
    assert result.profile is not None, [
        str(d.location) + " " + d.message for d in result.diagnostics
    ]


def test_ci_recipe_workflow_runs_on_this_repository(repo_root: Path, tmp_path: Path) -> None:
    """Every vr-quarantine step of the README's workflow passes here, and SARIF is uploaded."""
    import shlex

    import yaml
    from vr_quarantine.cli import main

    from tests.clirunner import CliRunner

    section = _readme(repo_root).split("### A CI recipe", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    workflow = yaml.safe_load(block.group(1))
    steps = workflow["jobs"]["check"]["steps"]
    assert workflow["permissions"]["security-events"] == "write"
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    commands = [s["run"] for s in steps if s.get("run", "").startswith("vr-quarantine ")]
    assert len(commands) == 3
    runner = CliRunner()
    for command in commands:
        line, _, redirect = command.partition(">")
        argv = shlex.split(line)[1:]
        argv = [str(repo_root / a) if (repo_root / a).exists() else a for a in argv]
        result = runner.invoke(main, argv)
        assert result.exit_code == 0, (command, result.output)
        if redirect:
            assert redirect.strip() == upload["with"]["sarif_file"]
            assert json.loads(result.stdout)["version"] == "2.1.0"
