"""Many profiles render side by side in worker processes: the run is the one a profile-after-
profile run gives (same artifacts, diagnostics, order, files written or none, exit codes)."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import pytest
from vr_quarantine import atomicfile, cli
from vr_quarantine.errors import VrqError
from vr_quarantine.profile import Profile
from vr_quarantine.render import render_into, workers
from vr_quarantine.render import run as render_run_module
from vr_quarantine.render.renderer import RenderedArtifact
from vr_quarantine.render.run import RenderRun, render_run

from tests.bench.bench_peers import profile_text
from tests.clirunner import CliRunner, Result
from tests.test_render_support import run_cli

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")
R = TypeVar("R")


def _profiles(folder: Path, count: int) -> list[str]:
    folder.mkdir(exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"p{index:03d}.yaml"
        path.write_text(profile_text(index), encoding="utf-8")
        paths.append(str(path))
    return paths


def _mixed(folder: Path) -> list[str]:
    """Valid profiles (three platforms among them) with every kind of problem in between."""
    paths = _profiles(folder, 12)
    broken = folder / "schema.yaml"
    broken.write_text(profile_text(40).replace("block_all: true", "block_all: maybe"))
    syntax = folder / "syntax.yaml"
    syntax.write_text("format_version: 1\nid: [unclosed\n")
    duplicate = folder / "duplicate.yaml"
    duplicate.write_text(profile_text(3).replace("id: bench-0003", "id: bench-other"))
    examples = sorted(str(p) for p in (ROOT / "examples").glob("*.yaml"))
    return [
        *paths[:4],
        str(broken),
        *examples,
        *paths[4:8],
        str(folder / "missing.yaml"),
        str(syntax),
        str(duplicate),
        *paths[8:],
    ]


def _run(paths: list[str], count: int) -> tuple[RenderRun, list[str]]:
    ready: list[str] = []
    run = render_run(
        paths, include_default=True, workers=count, on_ready=lambda a: ready.append(a.name)
    )
    return run, ready


def test_workers_give_the_same_run_as_one_process(tmp_path: Path) -> None:
    paths = _mixed(tmp_path)
    serial, serial_ready = _run(paths, 1)
    parallel, parallel_ready = _run(paths, 2)
    assert not serial.ok
    rules = {d.rule for d in serial.results.diagnostics}
    assert {"io-error", "yaml-syntax", "render-duplicate-name"} <= rules
    for run in (serial, parallel):
        assert len(run.artifacts) > 40
    assert parallel.results == serial.results
    assert [(a.name, a.filename, a.text) for a in parallel.artifacts] == [
        (a.name, a.filename, a.text) for a in serial.artifacts
    ]
    assert parallel_ready == serial_ready


def ready_names(into: list[str]) -> Callable[[RenderedArtifact], None]:
    return lambda artifact: into.append(artifact.name)


def _fail_at(monkeypatch: pytest.MonkeyPatch, stem: str) -> None:
    """Rendering the profile file `stem`.yaml raises ``RuntimeError("boom in <stem>")``."""
    original = render_run_module.render_artifacts

    def failing(profile: Profile, *, source: str) -> list[RenderedArtifact]:
        if source.endswith(f"{stem}.yaml"):
            raise RuntimeError(f"boom in {stem}")
        return original(profile, source=source)

    monkeypatch.setattr(render_run_module, "render_artifacts", failing)


def test_an_error_in_a_worker_is_raised_at_its_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _profiles(tmp_path, 10)
    _fail_at(monkeypatch, "p006")
    for count in (1, 2):
        ready: list[str] = []
        with pytest.raises(RuntimeError, match="boom in p006"):
            render_run(paths, include_default=False, workers=count, on_ready=ready_names(ready))
        assert [n.removesuffix("Monitor").removesuffix("Status") for n in ready[::3]] == [
            f"Custom.Bench.Quarantine.P{i:04d}" for i in range(6)
        ]


def _cli(args: list[str], monkeypatch: pytest.MonkeyPatch, *, parallel: bool) -> Result:
    """The command line in this process, its run rendered by 2 workers or by none."""
    used: list[int] = []
    original = render_run_module.in_order

    def spy(work: Callable[[T], R], items: Sequence[T], count: int) -> Iterator[Iterator[R]]:
        used.append(count)
        return original(work, items, count)

    monkeypatch.setattr(render_run_module, "default_workers", lambda count: 2 if parallel else 1)
    monkeypatch.setattr(render_run_module, "in_order", spy)
    try:
        result = CliRunner().invoke(cli.main, args)
    finally:
        monkeypatch.undo()
    assert used == [2 if parallel else 1]
    return result


@pytest.mark.skipif(
    workers.default_workers(workers.PARALLEL_MIN_PROFILES) < 2,
    reason="one CPU, or a platform without fork: render never starts workers here",
)
def test_a_long_run_starts_workers_by_itself() -> None:
    assert workers.default_workers(workers.PARALLEL_MIN_PROFILES - 1) == 1
    assert workers.default_workers(1000) >= 2


def test_the_command_writes_the_same_files_and_messages_with_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _profiles(tmp_path / "profiles", 20)
    outputs = []
    for parallel in (False, True):
        out = tmp_path / f"out-{parallel}"
        got = _cli(["render", *paths, "-o", str(out)], monkeypatch, parallel=parallel)
        assert got.exit_code == 0, got.stderr
        written = {p.name: p.read_bytes() for p in out.iterdir()}
        assert len(written) == 60
        outputs.append((got.stdout.replace(str(out), "OUT"), got.stderr, written))
    assert outputs[0] == outputs[1]


def test_one_bad_profile_among_many_writes_nothing_with_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _profiles(tmp_path / "profiles", 20)
    Path(paths[13]).write_text(
        profile_text(13).replace("timeout_seconds: 30", "timeout_seconds: -1")
    )
    results = []
    for parallel in (False, True):
        out = tmp_path / f"out-{parallel}"
        got = _cli(["render", *paths, "-o", str(out)], monkeypatch, parallel=parallel)
        assert got.exit_code == 1
        assert "p013.yaml" in got.stderr
        assert not out.exists()
        results.append((got.stdout, got.stderr))
    assert results[0] == results[1]


def test_the_console_command_renders_a_long_run_with_workers(tmp_path: Path) -> None:
    """The installed command as a user runs it (it leaves through os._exit): a run long enough
    to start workers by itself writes every file, in order."""
    paths = _profiles(tmp_path / "profiles", workers.PARALLEL_MIN_PROFILES + 4)
    out = tmp_path / "out"
    got = run_cli("render", *paths, "-o", str(out), cwd=tmp_path)
    assert got.returncode == 0, got.stderr
    names = [f"Custom.Bench.Quarantine.P{i:04d}" for i in range(len(paths))]
    expected = [f"wrote {out / n}{kind}.yaml" for n in names for kind in ("", "Monitor", "Status")]
    assert got.stdout.splitlines() == expected
    assert len(list(out.iterdir())) == len(expected)


def _into(
    paths: list[str], out: Path, monkeypatch: pytest.MonkeyPatch, count: int
) -> tuple[RenderRun, list[Path]]:
    """`render_into` with its run rendered by `count` workers (1: none)."""
    monkeypatch.setattr(render_run_module, "default_workers", lambda _: count)
    return render_into(paths, include_default=False, out_dir=out)


def test_workers_write_the_files_they_render_and_the_run_commits_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _profiles(tmp_path / "profiles", 20)
    expected = {a.filename: a.text for a in render_run(paths, include_default=False).artifacts}
    for count in (1, 2):
        out = tmp_path / f"out-{count}"
        run, written = _into(paths, out, monkeypatch, count)
        assert run.ok and [p.name for p in written] == list(expected)
        assert {p.name: p.read_text() for p in out.iterdir()} == expected


def test_an_error_in_a_worker_leaves_no_file_of_the_run_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers had staged the files of the profiles before the failing one (and may have
    gone on with those after it): the run removes every one of them."""
    paths = _profiles(tmp_path / "profiles", 40)
    _fail_at(monkeypatch, "p030")
    out = tmp_path / "out"
    out.mkdir()
    (out / "Custom.Bench.Quarantine.P0001.yaml").write_text("old\n")
    with pytest.raises(RuntimeError, match="boom in p030"):
        _into(paths, out, monkeypatch, 2)
    assert [p.name for p in out.iterdir()] == ["Custom.Bench.Quarantine.P0001.yaml"]
    assert (out / "Custom.Bench.Quarantine.P0001.yaml").read_text() == "old\n"


def test_a_worker_that_cannot_write_fails_the_run_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _profiles(tmp_path / "profiles", 40)
    original = atomicfile._write_all

    def disk_full(fd: int, data: bytes) -> None:
        if b"Custom.Bench.Quarantine.P0025Status" in data:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        original(fd, data)

    monkeypatch.setattr(atomicfile, "_write_all", disk_full)
    for count in (1, 2):
        out = tmp_path / f"out-{count}"
        with pytest.raises(VrqError, match="No space left on device"):
            _into(paths, out, monkeypatch, count)
        assert not out.exists()  # the folder the run made, left empty, is gone again


def test_ctrl_c_during_a_long_run_leaves_no_file_behind(tmp_path: Path) -> None:
    """Ctrl-C reaches every process of the command's group, as a terminal sends it: the run
    says it was interrupted, exits 2, and the files its workers had staged are gone with the
    folder it made."""
    paths = _profiles(tmp_path / "profiles", 1000)  # seconds of work: the signal lands mid-run
    out = tmp_path / "out"
    command = subprocess.Popen(
        [sys.executable, "-m", "vr_quarantine", "render", *paths, "-o", str(out)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and command.poll() is None:
        if out.is_dir() and len(list(out.iterdir())) >= 6:
            break
        time.sleep(0.01)
    assert command.poll() is None, "the run ended before it could be interrupted"
    os.killpg(command.pid, signal.SIGINT)
    stdout, stderr = command.communicate(timeout=60)
    assert command.returncode == 2
    assert "interrupted" in stderr and stdout == ""
    assert not out.exists()


def test_a_worker_killed_mid_run_fails_the_run_instead_of_hanging_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that dies without a word (the kernel's out-of-memory killer, a ``kill -9``):
    the run says so and writes nothing, where waiting for its results would wait forever."""
    paths = _profiles(tmp_path / "profiles", 40)
    original = render_run_module.render_artifacts
    calling_process = os.getpid()

    def killed(profile: Profile, *, source: str) -> list[RenderedArtifact]:
        if source.endswith("p020.yaml") and os.getpid() != calling_process:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(profile, source=source)

    monkeypatch.setattr(render_run_module, "render_artifacts", killed)
    out = tmp_path / "out"
    with pytest.raises(VrqError, match="render worker process ended unexpectedly") as raised:
        _into(paths, out, monkeypatch, 2)
    assert "killed by signal 9 (SIGKILL)" in str(raised.value)
    assert not out.exists()
    got = CliRunner().invoke(cli.main, ["render", *paths, "-o", str(out)])
    assert got.exit_code == 2 and got.stdout == ""
    assert "render worker process ended unexpectedly" in got.stderr
    assert "Traceback" not in got.stderr
    assert not out.exists()


def test_an_exception_that_does_not_pickle_still_comes_back_named() -> None:
    class Local(Exception):
        """A class defined in a function: pickle cannot name it."""

    def work(item: int) -> int:
        if item == 12:
            raise Local("twelve")
        return item * 2

    items = list(range(30))
    with workers.in_order(work, items, 2) as results:
        got = []
        with pytest.raises(RuntimeError, match="Local: twelve"):
            for result in results:
                got.append(result)
    assert got == [i * 2 for i in range(12)]
