"""The golden runner's file system: a temporary folder seen as /, nothing outside it nameable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from vr_quarantine.vql.eval import Engine
from vr_quarantine.vql.eval.golden import run_golden
from vr_quarantine.vql.eval.sandbox import SandboxFileSystem, SandboxRefusal


def sandbox(tmp_path: Path) -> tuple[SandboxFileSystem, Engine]:
    files = SandboxFileSystem(tmp_path / "root")
    (tmp_path / "root").mkdir(exist_ok=True)
    engine = Engine(side_effects=files)
    files.log = engine.session.log
    return files, engine


@pytest.mark.parametrize(
    "path", ["relative.txt", "C:\\Windows\\System32\\netsh.exe", "\\\\server\\share\\x"]
)
def test_paths_that_are_not_inside_are_refused_by_name(tmp_path: Path, path: str) -> None:
    _, engine = sandbox(tmp_path)
    with pytest.raises(SandboxRefusal) as info:
        engine.query(f"SELECT read_file(filename={path!r}) FROM scope()")
    assert repr(path) in str(info.value)


def test_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    files, engine = sandbox(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("outside")
    os.symlink(secret, files.root / "link.txt")
    with pytest.raises(SandboxRefusal, match="leads outside"):
        engine.query("SELECT read_file(filename='/link.txt') AS X FROM scope()")
    (files.root / "x").write_text("inside")
    with pytest.raises(SandboxRefusal, match="leads outside"):
        engine.query("SELECT copy(filename='/x', dest='/link.txt') FROM scope()")
    assert secret.read_text() == "outside"


def test_dot_dot_stays_inside(tmp_path: Path) -> None:
    files, engine = sandbox(tmp_path)
    (files.root / "a.txt").write_text("inside")
    rows = engine.query("SELECT read_file(filename='/../../a.txt') AS X FROM scope()")
    assert rows == [{"X": "inside"}]


def test_tempfiles_are_removed_when_the_query_ends(tmp_path: Path) -> None:
    files, engine = sandbox(tmp_path)
    (path,) = [r["P"] for r in engine.query("SELECT tempfile(data='x') AS P FROM scope()")]
    assert (files.root / path.lstrip("/")).read_text() == "x"
    files.end_query()
    assert not (files.root / path.lstrip("/")).exists()
    assert engine.logs == [f"tempfile: removing tempfile {path}"]


def test_srcdir_is_the_fixture_folder_and_the_run_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "data.txt").write_text("fixture data")
    fixture = tmp_path / "t.in.yaml"
    fixture.write_text(
        "Queries:\n"
        "- SELECT srcDir, read_file(filename=srcDir + '/data.txt') AS D FROM scope()\n"
        "- SELECT tempfile(data='y') AS P FROM scope()\n"
    )
    result = run_golden(fixture, [])
    assert result.queries[0].actual == [{"srcDir": "/src", "D": "fixture data"}]
    assert not result.fatal_logs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.txt", "t.in.yaml"]


def test_other_accessors_are_refused(tmp_path: Path) -> None:
    _, engine = sandbox(tmp_path)
    with pytest.raises(SandboxRefusal, match="accessor 'ntfs'"):
        engine.query("SELECT stat(filename='/x', accessor='ntfs') FROM scope()")
    rows = engine.query("SELECT read_file(filename='abc', accessor='data') AS X FROM scope()")
    assert rows == [{"X": "abc"}]
