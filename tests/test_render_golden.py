"""Golden files for the default profile and every example, and artifacts/ kept current.

Set VRQ_UPDATE_GOLDEN=1 to rewrite the golden files after an intended template change (then
review the diff: it is the change every user's artifact will see).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from vr_quarantine.profile import default_profile, load_profile_file
from vr_quarantine.render import render_profile, render_run, stale_files

from tests.test_render_support import run_cli

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
UPDATE = os.environ.get("VRQ_UPDATE_GOLDEN") == "1"


def _compare(text: str, golden: Path) -> None:
    if UPDATE:
        golden.write_text(text, encoding="utf-8", newline="\n")
    assert golden.is_file(), f"{golden.name} is missing: run with VRQ_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8"), (
        f"the rendered artifact differs from {golden}: if intended, rerun with "
        "VRQ_UPDATE_GOLDEN=1 and review the diff"
    )


def test_default_profile_matches_golden() -> None:
    rendered = render_profile(default_profile())
    assert rendered.text is not None, rendered.diagnostics
    _compare(rendered.text, GOLDEN / "default.yaml")


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_matches_golden(example: Path) -> None:
    loaded = load_profile_file(example)
    assert loaded.profile is not None, loaded.diagnostics
    rendered = render_profile(loaded.profile, source=str(example))
    assert rendered.text is not None, rendered.diagnostics
    _compare(rendered.text, GOLDEN / f"{example.stem}.yaml")


def test_committed_artifacts_are_current() -> None:
    """What `make artifacts` writes is committed: the default and every example."""
    run = render_run(EXAMPLES, include_default=True)
    assert run.ok, run.results.diagnostics
    assert stale_files(run.artifacts, ROOT / "artifacts") == [], "run `make artifacts`"
    committed = {p.name for p in (ROOT / "artifacts").glob("*.yaml")}
    assert committed == {a.filename for a in run.artifacts}, (
        "artifacts/ holds files no profile renders"
    )


def test_check_passes_when_current_and_names_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "artifacts"
    written = run_cli("render", "-o", str(out), cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    artifact = out / "Custom.Windows.Remediation.Quarantine.yaml"
    before = artifact.read_bytes()

    current = run_cli("render", "--check", "-o", str(out), cwd=tmp_path)
    assert current.returncode == 0, current.stderr

    artifact.write_bytes(before.replace(b"assign=y", b"assign=n"))
    stale = run_cli("render", "--check", "-o", str(out), cwd=tmp_path)
    assert stale.returncode == 1
    assert f"{artifact.name}: differs from a fresh render" in stale.stderr
    assert artifact.read_bytes() != before, "--check must not write"

    artifact.unlink()
    missing = run_cli("render", "--check", "-o", str(out), cwd=tmp_path)
    assert missing.returncode == 1
    assert f"{artifact.name}: missing" in missing.stderr
    assert not artifact.exists()


def test_output_is_byte_identical_across_processes(tmp_path: Path) -> None:
    """Another interpreter, hash seed, locale and working folder give the same bytes."""
    first = run_cli("render", "-o", "-", cwd=tmp_path)
    env_dir = tmp_path / "elsewhere"
    env_dir.mkdir()
    second = subprocess.run(
        [sys.executable, "-m", "vr_quarantine", "render", "-o", "-"],
        cwd=env_dir,
        capture_output=True,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHONHASHSEED": "12345",
            "LC_ALL": "C",
            "LANG": "C",
        },
        check=False,
    )
    assert first.returncode == 0 and second.returncode == 0
    assert first.stdout.encode() == second.stdout
    assert render_profile(default_profile()).text == render_profile(default_profile()).text
