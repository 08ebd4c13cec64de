"""The README's promises: it opens with the two set-up commands and its sample profile is valid."""

from __future__ import annotations

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
