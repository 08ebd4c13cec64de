"""Writing artifacts: atomic, inside the output folder, all or nothing; the CLI contract."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import signal
import stat
from pathlib import Path
from typing import Any

import pytest
import vr_quarantine.render.templates as templates
import yaml
from vr_quarantine import atomicfile
from vr_quarantine.atomicfile import write_atomic
from vr_quarantine.errors import VrqError
from vr_quarantine.profile import load_profile_text
from vr_quarantine.render import render_profile, render_run, target_path
from vr_quarantine.render.context import build_context, profile_digest

from tests.test_render_support import plain_profile, run_cli

ROOT = Path(__file__).resolve().parent.parent


def test_atomic_write_leaves_old_file_and_no_temp_when_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "A.yaml"
    target.write_text("old\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomicfile.os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.yaml"]


def test_atomic_write_replaces_content(tmp_path: Path) -> None:
    target = tmp_path / "A.yaml"
    target.write_text("old\n")
    write_atomic(target, "new \u00e9\n")
    assert target.read_bytes() == "new \u00e9\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.yaml"]


def test_written_files_get_the_umask_permissions_not_the_temporary_files(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_atomic(tmp_path / "A.yaml", "x\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "A.yaml").stat().st_mode) == 0o644


def _write_all(files: list[tuple[Path, str]]) -> None:
    """Every ``(path, text)`` as one staged write: all temporary files, then the renames."""
    with atomicfile.StagedWrite() as staged:
        for path, text in files:
            staged.adopt(staged.area(path.parent).write(path.name, text), path)
        staged.commit()


def test_a_batch_writes_every_file_or_leaves_every_target_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "A.yaml").write_text("old A\n")
    (tmp_path / "B.yaml").write_text("old B\n")
    files = [(tmp_path / "A.yaml", "new A\n"), (tmp_path / "B.yaml", "new B \u00e9\n")]
    real_fsync = atomicfile.os.fsync
    synced: list[int] = []

    def failing_fsync(fd: int) -> None:
        synced.append(fd)
        if len(synced) == 2:
            raise OSError(5, "Input/output error")
        real_fsync(fd)

    monkeypatch.setattr(atomicfile.os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        _write_all(files)
    assert [p.read_text() for p, _ in files] == ["old A\n", "old B\n"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.yaml", "B.yaml"]
    monkeypatch.setattr(atomicfile.os, "fsync", real_fsync)
    previous = os.umask(0o022)
    try:
        _write_all(files)
    finally:
        os.umask(previous)
    assert [p.read_text() for p, _ in files] == ["new A\n", "new B \u00e9\n"]
    assert {stat.S_IMODE(p.stat().st_mode) for p, _ in files} == {0o644}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.yaml", "B.yaml"]


def test_files_written_into_a_staging_area_are_committed_only_when_adopted(
    tmp_path: Path,
) -> None:
    """Another process of the run (a render worker) writes into the area; the run adopts what
    it keeps: commit moves those into place and removes the rest, as abort removes all."""
    (tmp_path / "A.yaml").write_text("old A\n")
    previous = os.umask(0o027)
    try:
        with atomicfile.StagedWrite() as staged:
            area = staged.area(tmp_path)
            kept = area.write("A.yaml", "new A\n")
            area.write("B.yaml", "a duplicate the run refused\n")
            staged.adopt(kept, tmp_path / "A.yaml")
            assert (tmp_path / "A.yaml").read_text() == "old A\n"
            staged.commit()
    finally:
        os.umask(previous)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.yaml"]
    assert (tmp_path / "A.yaml").read_text() == "new A\n"
    assert stat.S_IMODE((tmp_path / "A.yaml").stat().st_mode) == 0o640
    with atomicfile.StagedWrite() as staged:
        staged.adopt(staged.area(tmp_path).write("A.yaml", "newer A\n"), tmp_path / "A.yaml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.yaml"]
    assert (tmp_path / "A.yaml").read_text() == "new A\n"
    with pytest.raises(ValueError, match="not a plain file name"):
        atomicfile.StagedWrite().area(tmp_path).write("../A.yaml", "x")


def test_no_clobber_write_never_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "A.yaml"
    target.write_text("mine\n")
    with pytest.raises(FileExistsError):
        write_atomic(target, "theirs\n", replace=False)
    assert target.read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.yaml"]


@pytest.mark.parametrize("name", ["../escape.yaml", "/etc/passwd", "sub/A.yaml", "..", ""])
def test_names_cannot_leave_the_output_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(VrqError, match="output folder"):
        target_path(tmp_path, name)


@pytest.mark.parametrize("name", ["..", "../../tmp/x", "a/b", "Custom..X", "1Custom.X", "A.1b", ""])
def test_invalid_artifact_names_are_refused_before_rendering(name: str) -> None:
    profile = plain_profile(artifact=dataclasses.replace(plain_profile().artifact, name=name))
    rendered = render_profile(profile)
    assert rendered.text is None
    assert [d.rule for d in rendered.diagnostics] == ["render-artifact-name"]


def _context_values(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [value, *(v for item in value.values() for v in _context_values(item))]
    if isinstance(value, list):
        return [value, *(v for item in value for v in _context_values(item))]
    return [value]


def test_templates_only_see_plain_data() -> None:
    profile = plain_profile(rules=(), message="hi")
    for value in _context_values(build_context(profile)):
        assert type(value) in (dict, list, str, int, bool), type(value)


def test_environment_is_sandboxed_and_strict() -> None:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = templates.make_environment()
    assert isinstance(env, SandboxedEnvironment)
    assert env.undefined is StrictUndefined
    assert env.keep_trailing_newline and not env.autoescape


def _profile_file(path: Path, name: str) -> Path:
    text = (ROOT / "examples" / "upstream-defaults.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["artifact"]["name"] = name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def example_available() -> None:
    if not (ROOT / "examples" / "upstream-defaults.yaml").is_file():
        pytest.skip("examples/upstream-defaults.yaml is not present")


@pytest.mark.usefixtures("example_available")
def test_cli_writes_one_file_per_profile_and_stdout(tmp_path: Path) -> None:
    one = _profile_file(tmp_path / "one.yaml", "Custom.One")
    two = _profile_file(tmp_path / "two.yaml", "Custom.Two")
    result = run_cli("render", str(one), str(two), "--default", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # Every platform's set is the quarantine, its monitor and its status artifact; the built-in
    # default renders the Windows, Linux and macOS sets.
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "Custom.Linux.Remediation.Quarantine.yaml",
        "Custom.Linux.Remediation.QuarantineMonitor.yaml",
        "Custom.Linux.Remediation.QuarantineStatus.yaml",
        "Custom.MacOS.Remediation.Quarantine.yaml",
        "Custom.MacOS.Remediation.QuarantineMonitor.yaml",
        "Custom.MacOS.Remediation.QuarantineStatus.yaml",
        "Custom.One.yaml",
        "Custom.OneMonitor.yaml",
        "Custom.OneStatus.yaml",
        "Custom.Two.yaml",
        "Custom.TwoMonitor.yaml",
        "Custom.TwoStatus.yaml",
        "Custom.Windows.Remediation.Quarantine.yaml",
        "Custom.Windows.Remediation.QuarantineMonitor.yaml",
        "Custom.Windows.Remediation.QuarantineStatus.yaml",
    ]
    printed = run_cli("render", str(one), "-o", "-", cwd=tmp_path)
    assert printed.returncode == 0
    assert printed.stdout == "---\n".join(
        (tmp_path / "out" / f"Custom.One{kind}.yaml").read_text(encoding="utf-8")
        for kind in ("", "Monitor", "Status")
    )


@pytest.mark.usefixtures("example_available")
def test_cli_duplicate_names_write_nothing(tmp_path: Path) -> None:
    one = _profile_file(tmp_path / "one.yaml", "Custom.Same")
    two = _profile_file(tmp_path / "two.yaml", "Custom.Same")
    result = run_cli("render", str(one), str(two), "-o", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert "render-duplicate-name" in result.stderr
    assert not (tmp_path / "out").exists()


def test_cli_invalid_profile_prints_diagnostics_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("format_version: 1\nartifact: [not, a, mapping]\n", encoding="utf-8")
    result = run_cli("render", str(bad), "--default", "-o", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert "bad.yaml" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_cli_missing_profile_and_usage_errors(tmp_path: Path) -> None:
    missing = run_cli("render", "nope.yaml", "-o", "out", cwd=tmp_path)
    assert missing.returncode == 2
    assert "nope.yaml" in missing.stderr
    usage = run_cli("render", "--check", "-o", "-", cwd=tmp_path)
    assert usage.returncode == 2
    assert not (tmp_path / "out").exists()


def test_cli_default_output_folder_is_artifacts_in_cwd(tmp_path: Path) -> None:
    result = run_cli("render", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "artifacts" / "Custom.Windows.Remediation.Quarantine.yaml").is_file()
    assert sorted(p.name for p in (tmp_path / "artifacts").iterdir()) == [
        f"Custom.{platform}.Remediation.Quarantine{kind}.yaml"
        for platform in ("Linux", "MacOS", "Windows")
        for kind in ("", "Monitor", "Status")
    ]


@pytest.mark.parametrize("block_all", [True, False])
def test_description_says_all_traffic_is_blocked_only_when_block_all_is_on(
    block_all: bool,
) -> None:
    rendered = render_profile(plain_profile(block_all=block_all))
    assert rendered.text is not None, rendered.diagnostics
    description = yaml.safe_load(rendered.text)["description"]
    claims_all = "all traffic is blocked except what is listed below" in description
    assert claims_all is block_all
    if not block_all:
        assert "other traffic still flows" in description


def test_description_states_the_one_path_is_enough_rule_and_what_is_unverified() -> None:
    rendered = render_profile(plain_profile())
    assert rendered.text is not None, rendered.diagnostics
    description = " ".join(yaml.safe_load(rendered.text)["description"].split())
    assert "One answering path is enough" in description
    assert "the server's name kept in the URL and the address pinned" in description
    assert "refusal names the proxy" in description
    assert "not documented by Microsoft and is unverified" in description
    assert "registered with `atexit()`" in description


def test_render_into_stages_while_rendering_and_writes_all_or_nothing(tmp_path: Path) -> None:
    from vr_quarantine.render import render_into

    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "out"
    out.mkdir()
    old = out / "Custom.Windows.Remediation.Quarantine.Springfield.yaml"
    old.write_text("old\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("format_version: 1\nid: bad\nblock_all: maybe\n")
    examples = sorted(str(p) for p in (root / "examples").glob("*.yaml"))
    run, written = render_into([*examples, str(bad)], include_default=False, out_dir=out)
    assert not run.ok and written == []
    assert [p.name for p in out.iterdir()] == [
        "Custom.Windows.Remediation.Quarantine.Springfield.yaml"
    ]
    assert (out / "Custom.Windows.Remediation.Quarantine.Springfield.yaml").read_text() == "old\n"
    fresh = tmp_path / "fresh"
    run, written = render_into([str(bad)], include_default=False, out_dir=fresh)
    assert not fresh.exists()  # the folder the failed run made is gone again
    run, written = render_into(examples, include_default=False, out_dir=out)
    assert run.ok and sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)
    fresh_texts = [a.text for a in render_run(examples, include_default=False).artifacts]
    assert [p.read_text() for p in written] == fresh_texts


def test_the_profile_digest_is_the_sha256_of_the_profiles_canonical_json() -> None:
    for path in sorted(Path(__file__).parents[1].joinpath("examples").glob("*.yaml")):
        profile = load_profile_text(path.name, path.read_text(encoding="utf-8")).profile
        assert profile is not None
        canonical = json.dumps(dataclasses.asdict(profile), sort_keys=True, separators=(",", ":"))
        assert profile_digest(profile) == hashlib.sha256(canonical.encode()).hexdigest()


class _Terminated(Exception):
    pass


def _terminated(number: int, frame: object) -> None:
    raise _Terminated


@pytest.mark.parametrize(
    ("number", "ends_with"),
    [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, _Terminated)],
    ids=["SIGINT", "SIGTERM"],
)
def test_a_signal_during_the_renames_ends_the_run_after_the_last_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int, ends_with: type[BaseException]
) -> None:
    """A batch is renamed into place whole: Ctrl-C (or SIGTERM) while the first files are
    being renamed takes effect once the last one is in place, never between two, through the
    handler the process had."""
    files = [(tmp_path / f"{name}.yaml", f"new {name}\n") for name in "ABCD"]
    for path, _ in files:
        path.write_text("old\n")
    real_replace = atomicfile.os.replace

    def interrupted_replace(source: str, target: Path) -> None:
        real_replace(source, target)
        if target.name == "A.yaml":
            os.kill(os.getpid(), number)

    monkeypatch.setattr(atomicfile.os, "replace", interrupted_replace)
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        with pytest.raises(ends_with):
            _write_all(files)
        assert signal.getsignal(signal.SIGTERM) is _terminated
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert [p.read_text() for p, _ in files] == [text for _, text in files]
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p, _ in files]
