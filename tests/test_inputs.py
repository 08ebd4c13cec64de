"""The one input layer: the same paths mean the same files, read the same way, for every command."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from vr_quarantine.diagnostics import Diagnostic
from vr_quarantine.errors import VrqError
from vr_quarantine.inputs import (
    MAX_BYTES,
    TextInput,
    expand_paths,
    input_kind,
    read_bytes,
    read_text,
    require_text,
)
from vr_quarantine.lint import lint_paths
from vr_quarantine.profile import validate_paths
from vr_quarantine.render import render_run

PROFILE = "format_version: 1\nid: p\n"
ARTIFACT = "name: Custom.A\nsources:\n  - query: SELECT * FROM info()\n"


def _tree(root: Path) -> None:
    (root / "sub").mkdir()
    (root / ".git").mkdir()
    (root / "a.yaml").write_text(PROFILE)
    (root / "b.yml").write_text(PROFILE)
    (root / "notes.txt").write_text("x")
    (root / "sub" / "c.yaml").write_text(PROFILE)
    (root / ".git" / "d.yaml").write_text(PROFILE)


def test_folders_give_their_yaml_files_sorted_hidden_folders_skipped(tmp_path: Path) -> None:
    _tree(tmp_path)
    files, problems = expand_paths([str(tmp_path)])
    assert problems == []
    assert [Path(f).relative_to(tmp_path).as_posix() for f in files] == [
        "a.yaml",
        "b.yml",
        "sub/c.yaml",
    ]


def test_a_file_named_twice_is_read_once_and_stdin_is_kept(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / "link.yaml").symlink_to(tmp_path / "a.yaml")
    given = [str(tmp_path / "a.yaml"), "-", str(tmp_path / "link.yaml"), str(tmp_path), "-"]
    files, _ = expand_paths(given)
    assert files[:2] == [str(tmp_path / "a.yaml"), "-"]
    assert files.count("-") == 1
    assert sum(os.path.realpath(f) == str((tmp_path / "a.yaml").resolve()) for f in files) == 1


def test_ignore_patterns_apply_below_folders_only(tmp_path: Path) -> None:
    _tree(tmp_path)
    files, _ = expand_paths([str(tmp_path), str(tmp_path / "sub" / "c.yaml")], ignore=["sub/*"])
    assert [Path(f).name for f in files] == ["a.yaml", "b.yml", "c.yaml"]


def test_missing_paths_and_empty_folders_are_io_errors(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    _, problems = expand_paths([str(tmp_path / "missing.yaml"), str(tmp_path / "empty")])
    assert [(d.rule, d.message) for d in problems] == [
        ("io-error", "no such file or folder"),
        ("io-error", "the folder holds no *.yaml or *.yml file"),
    ]


def test_only_regular_files_and_stdin_are_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    got = read_bytes(str(fifo))  # would block forever if it were opened for a plain read
    assert isinstance(got, Diagnostic) and got.rule == "io-error"
    assert "not a regular file" in got.message
    folder = read_bytes(str(tmp_path))
    assert isinstance(folder, Diagnostic) and folder.message == "is a folder, not a file"
    assert read_bytes("-", stdin=io.BytesIO(b"a: 1\n")) == b"a: 1\n"


def test_reads_are_bounded(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: the size alone refuses it
    got = read_bytes(str(big))
    assert isinstance(got, Diagnostic) and got.rule == "yaml-too-large"
    piped = read_bytes("-", stdin=io.BytesIO(b"#" * (MAX_BYTES + 10)))
    assert isinstance(piped, Diagnostic) and piped.rule == "yaml-too-large"
    assert piped.location.path == "<stdin>"


def test_text_is_utf8_without_a_byte_order_mark(tmp_path: Path) -> None:
    good = tmp_path / "bom.yaml"
    good.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert read_text(str(good)) == TextInput(str(good), "a: 1\n")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"a: 1\nb: caf\xe9\n")
    got = read_text(str(bad))
    assert isinstance(got, Diagnostic) and got.rule == "yaml-encoding"
    assert (got.location.line, got.location.column) == (2, 7)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ({"format_version": 1, "id": "x"}, "profile"),
        ({"format_version": 1}, "profile"),
        ({"name": "Custom.X", "sources": []}, "artifact"),
        ({"name": "Custom.X"}, "artifact"),
        ({"name": "Custom.X", "format_version": 1}, "unknown"),
        ({"format_version": 1, "sources": []}, "unknown"),
        ({"id": "x"}, "unknown"),
        (["name"], "unknown"),
        ("name", "unknown"),
    ],
)
def test_input_kind(data: object, kind: str) -> None:
    assert input_kind(data) == kind


def test_every_command_reads_the_same_way(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / "a.yaml").write_text(ARTIFACT)  # an artifact among profiles
    given = [str(tmp_path), str(tmp_path / "missing.yaml")]
    validated = validate_paths(given)
    linted = lint_paths(given)
    rendered = render_run(given, include_default=False)
    for results in (validated, linted, rendered.results):
        assert results.files == [str(tmp_path / n) for n in ("a.yaml", "b.yml", "sub/c.yaml")]
        assert results.has_io_error()
    wrong_kind = {d.rule for d in validated.diagnostics if d.location.path.endswith("a.yaml")}
    assert wrong_kind == {"not-a-profile"}
    assert {d.rule for d in rendered.results.diagnostics if "a.yaml" in d.location.path} == {
        "not-a-profile"
    }
    profiles = {d.rule for d in linted.diagnostics if not d.location.path.endswith("a.yaml")}
    assert profiles == {"not-an-artifact", "io-error"}


def test_require_text_gives_the_text_or_the_problem_as_an_error(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("a: 1\n")
    assert require_text(read_text(str(good)), "scenario") == TextInput(str(good), "a: 1\n")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(b"a: caf\xe9\n")
    with pytest.raises(VrqError) as caught:
        require_text(read_text(str(latin1)), "scenario")
    assert str(caught.value) == f"{latin1}:1:7: cannot read scenario: invalid UTF-8 (byte 0xe9)"
    assert caught.value.hint == "save the file as UTF-8"
    with pytest.raises(VrqError) as caught:
        require_text(read_text(str(tmp_path)))
    assert str(caught.value) == f"{tmp_path}: is a folder, not a file"
