"""One exit code per kind of outcome, whatever the command: a file that cannot be read as text
(missing, a FIFO, not UTF-8, over the size limit) is 2 (usage/I/O), a file with findings is 1.

A CI job that tells "the input is broken" from "the input has problems" by the exit code must get
the same answer from validate, lint, render, simulate and pack.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from vr_quarantine.cli import main
from vr_quarantine.inputs import MAX_BYTES

from tests.clirunner import CliRunner

ROOT = Path(__file__).resolve().parent.parent
LOCKOUT = ROOT / "tests" / "fixtures" / "profiles" / "invalid" / "lockout-no-server.yaml"


def _missing(folder: Path) -> Path:
    return folder / "missing.yaml"


def _fifo(folder: Path) -> Path:
    path = folder / "fifo.yaml"
    os.mkfifo(path)
    return path


def _not_utf8(folder: Path) -> Path:
    path = folder / "latin1.yaml"
    path.write_bytes(b"name: Custom.Caf\xe9\nsources:\n  - query: SELECT 1 FROM scope()\n")
    return path


def _oversize(folder: Path) -> Path:
    path = folder / "big.yaml"
    path.write_bytes(b"name: Custom.Big\n" + b"#" * MAX_BYTES)
    return path


BAD_INPUTS: dict[str, Callable[[Path], Path]] = {
    "missing": _missing,
    "fifo": _fifo,
    "invalid-utf8": _not_utf8,
    "oversize": _oversize,
}


def _command(name: str, path: Path, folder: Path) -> list[str]:
    extra = {
        "render": ["-o", str(folder / "out")],
        "pack": ["-o", str(folder / "out.zip")],
    }
    return [name, str(path), *extra.get(name, [])]


COMMANDS = ("validate", "lint", "render", "simulate", "pack")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("bad", sorted(BAD_INPUTS))
@pytest.mark.parametrize("command", COMMANDS)
def test_an_input_that_cannot_be_read_exits_2(command: str, bad: str, tmp_path: Path) -> None:
    path = BAD_INPUTS[bad](tmp_path)
    result = CliRunner().invoke(main, _command(command, path, tmp_path))
    assert result.exit_code == 2, result.output
    assert path.name in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.zip").exists()


def _lint_error_artifact(folder: Path) -> Path:
    path = folder / "broken.yaml"
    path.write_text("name: Custom.Broken\nsources:\n  - query: SELECT FROM WHERE\n")
    return path


@pytest.mark.parametrize(
    ("command", "make"),
    [
        ("validate", lambda folder: LOCKOUT),
        ("render", lambda folder: LOCKOUT),
        ("pack", lambda folder: LOCKOUT),
        ("lint", _lint_error_artifact),
        ("pack", _lint_error_artifact),
    ],
)
def test_findings_exit_1(command: str, make: Callable[[Path], Path], tmp_path: Path) -> None:
    path = make(tmp_path)
    result = CliRunner().invoke(main, _command(command, path, tmp_path))
    assert result.exit_code == 1, result.output
    assert "error" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.zip").exists()
