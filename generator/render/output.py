"""Writing rendered artifacts: atomically, only inside the output folder, or comparing (--check).

Nothing is written unless every artifact of the run rendered cleanly: a run either writes all
its files or none.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..atomicfile import StagedWrite
from ..diagnostics import Diagnostic
from ..errors import VrqError
from ..inputs import read_bytes
from .renderer import RenderedArtifact
from .run import RenderRun, render_run

# A file name alone: no separator, nothing that resolves elsewhere unless it is a symbolic link.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def target_path(out_dir: Path, filename: str) -> Path:
    """`out_dir/filename`, refusing any name that would land outside `out_dir`."""
    return _target(out_dir, out_dir.resolve(), filename)


def _target(out_dir: Path, base: Path, filename: str) -> Path:
    """`target_path` with `out_dir` already resolved to `base` (once per run, not per file)."""
    target = base / filename
    plain = _PLAIN_NAME.fullmatch(filename) is not None and filename not in (".", "..")
    if not plain or target.is_symlink():
        target = target.resolve()
    if target.parent != base or filename in ("", ".", ".."):
        raise VrqError(
            f"refusing to write {filename!r}: it would leave the output folder {out_dir}",
            hint="artifact names may only hold letters, digits, _ and dots",
        )
    return target


def render_into(
    paths: Sequence[str | Path], *, include_default: bool, out_dir: Path
) -> tuple[RenderRun, list[Path]]:
    """Render and write in one pass: each artifact goes to a temporary file in the output folder
    as soon as it passed its checks, written by the process that rendered it (a worker's texts
    never travel back) and synced by this one while the rest render; only a run without errors
    renames them into place, so a run still writes all its files or none (the others, a
    refused duplicate's or those of a run that failed, are removed). Returns the run and the
    paths written."""
    created = not out_dir.exists()
    committed = False
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        base = out_dir.resolve()
        with StagedWrite() as staged:

            def adopt(artifact: RenderedArtifact) -> None:
                assert artifact.staged is not None
                staged.adopt(artifact.staged, _target(out_dir, base, artifact.filename))

            run = render_run(
                paths, include_default=include_default, on_ready=adopt, stage=staged.area(base)
            )
            if run.ok and not run.results.has_io_error():
                staged.commit()
                committed = True
    except OSError as error:
        raise VrqError(f"cannot write to {out_dir}: {error.strerror or error}") from error
    finally:
        if created and not committed:
            with contextlib.suppress(OSError):
                out_dir.rmdir()  # the folder this run made, left empty
    if not committed:
        return run, []
    return run, [out_dir / a.filename for a in run.artifacts]


def stale_files(artifacts: Iterable[RenderedArtifact], out_dir: Path) -> list[tuple[Path, str]]:
    """The files in `out_dir` that are missing or differ from a fresh render, with the reason."""
    stale: list[tuple[Path, str]] = []
    base = out_dir.resolve()
    for artifact in artifacts:
        path = _target(out_dir, base, artifact.filename)
        current = read_bytes(str(path))  # the input layer: a regular file, at most 1 MiB
        if isinstance(current, Diagnostic):
            missing = current.message == "no such file or folder"
            stale.append((path, "missing" if missing else f"unreadable ({current.message})"))
            continue
        if current != (artifact.text or "").encode("utf-8"):
            stale.append((path, "differs from a fresh render"))
    return stale
