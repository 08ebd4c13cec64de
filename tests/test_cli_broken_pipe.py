"""An output pipe closed early (``vr-quarantine validate --list-rules | head``) ends every
command quietly: no "internal error", no traceback, exit 2 (the report was not delivered)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "generator" / "profile" / "default.yaml"
ARTIFACTS = ROOT / "artifacts"

COMMANDS = [
    ["validate", "--list-rules"],
    ["lint", "--list-rules"],
    ["validate", str(ROOT / "examples")],
    ["lint", "-f", "sarif", str(ARTIFACTS)],
    ["render", "-o", "-"],
    ["simulate", str(PROFILE), "-f", "json"],
    ["schema"],
    ["init", "-"],
    ["--show-completion", "bash"],
]


def run_into_closed_pipe(args: list[str], *, stderr_too: bool = False) -> tuple[int, str]:
    """Run the command with its output into a pipe whose reader has already gone."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "vr_quarantine", *args],
            stdout=write,
            stderr=write if stderr_too else subprocess.PIPE,
            cwd=ROOT,
            timeout=60,
        )
    finally:
        os.close(write)
    return done.returncode, (done.stderr or b"").decode("utf-8", "replace")


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_closed_output_pipe_ends_the_command_quietly(args: list[str]) -> None:
    code, err = run_into_closed_pipe(args)
    assert code == 2
    assert err == ""


def test_stdout_and_stderr_into_the_same_closed_pipe() -> None:
    code, _ = run_into_closed_pipe(["lint", "--list-rules"], stderr_too=True)
    assert code == 2
