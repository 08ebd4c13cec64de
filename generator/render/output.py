"""Writing rendered artifacts: atomically, only inside the output folder, or comparing (--check).

Nothing is written unless every artifact of the run rendered cleanly: a run either writes all
its files or none.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..atomicfile import write_all_atomic
from ..errors import VrqError
from .renderer import RenderedArtifact


def target_path(out_dir: Path, filename: str) -> Path:
    """`out_dir/filename`, refusing any name that would land outside `out_dir`."""
    base = out_dir.resolve()
    target = (base / filename).resolve()
    if target.parent != base or filename in ("", ".", ".."):
        raise VrqError(
            f"refusing to write {filename!r}: it would leave the output folder {out_dir}",
            hint="artifact names may only hold letters, digits, _ and dots",
        )
    return target


def write_artifacts(artifacts: Iterable[RenderedArtifact], out_dir: Path) -> list[Path]:
    """Write every artifact into `out_dir` (created if missing); returns the paths written."""
    ready = list(artifacts)
    if any(a.text is None for a in ready):
        raise VrqError("internal: an artifact with problems reached the writer")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_all_atomic([(target_path(out_dir, a.filename), a.text or "") for a in ready])
    except OSError as error:
        raise VrqError(f"cannot write to {out_dir}: {error.strerror or error}") from error
    return [out_dir / a.filename for a in ready]


def stale_files(artifacts: Iterable[RenderedArtifact], out_dir: Path) -> list[tuple[Path, str]]:
    """The files in `out_dir` that are missing or differ from a fresh render, with the reason."""
    stale: list[tuple[Path, str]] = []
    for artifact in artifacts:
        path = target_path(out_dir, artifact.filename)
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            stale.append((path, "missing"))
            continue
        except OSError as exc:
            stale.append((path, f"unreadable ({exc.strerror})"))
            continue
        if current != (artifact.text or "").encode("utf-8"):
            stale.append((path, "differs from a fresh render"))
    return stale
