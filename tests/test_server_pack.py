"""`pack`: a deterministic zip whose entries are exactly the linted artifacts."""

from __future__ import annotations

import zipfile
from pathlib import Path

from vr_quarantine.cli import main
from vr_quarantine.render import render_run

from tests.clirunner import CliRunner, Result

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def pack(*args: str | Path) -> Result:
    return runner.invoke(main, ["pack", *map(str, args)])


def test_pack_of_artifacts_holds_exactly_their_texts(tmp_path: Path) -> None:
    out = tmp_path / "pack.zip"
    result = pack(ROOT / "artifacts", "-o", out)
    assert result.exit_code == 0, result.output
    expected = {p.name: p.read_bytes() for p in (ROOT / "artifacts").glob("*.yaml")}
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert names == sorted(expected)
        assert {n: archive.read(n) for n in names} == expected
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert f"wrote {out}: {len(expected)} artifact(s)" in result.stdout


def test_pack_is_byte_for_byte_stable(tmp_path: Path) -> None:
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    assert pack(ROOT / "examples", "-o", first).exit_code == 0
    assert pack(ROOT / "examples", "-o", second).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_profiles_are_rendered_with_everything_they_render(tmp_path: Path) -> None:
    profiles = sorted((ROOT / "examples").glob("*.yaml"))
    rendered = render_run(profiles, include_default=False).artifacts
    out = tmp_path / "pack.zip"
    assert pack(*profiles, "-o", out).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        assert {n: archive.read(n).decode() for n in archive.namelist()} == {
            f"{a.name}.yaml": a.text for a in rendered
        }


def test_lint_errors_refuse_and_write_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Custom.Bad\nsources:\n  - query: SELECT FROM\n", encoding="utf-8")
    out = tmp_path / "pack.zip"
    result = pack(bad, "-o", out)
    assert result.exit_code == 1
    assert "vql-syntax" in result.stderr and "pack: refused" in result.stderr
    assert not out.exists()


def test_the_same_name_with_two_texts_is_refused(tmp_path: Path) -> None:
    source = ROOT / "artifacts" / "Custom.Windows.Remediation.Quarantine.yaml"
    other = tmp_path / "copy.yaml"
    other.write_text(source.read_text() + "# changed\n", encoding="utf-8")
    result = pack(source, other, "-o", tmp_path / "p.zip")
    assert result.exit_code == 2
    assert "comes from" in result.stderr and "with different texts" in result.stderr
    same = pack(source, source.parent, "-o", tmp_path / "p.zip")
    count = len(list(source.parent.glob("*.yaml")))
    assert same.exit_code == 0 and f"{count} artifact(s)" in same.stdout


def test_usage_errors(tmp_path: Path) -> None:
    assert "add -o FILE.zip" in pack(ROOT / "artifacts").stderr
    assert pack(ROOT / "artifacts", "-o", tmp_path).exit_code == 2
    missing = pack(tmp_path / "nope", "-o", tmp_path / "p.zip")
    assert missing.exit_code == 2 and "no such file or folder" in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert pack(empty, "-o", tmp_path / "p.zip").exit_code == 2
    assert pack("-o", tmp_path / "p.zip").exit_code == 2
