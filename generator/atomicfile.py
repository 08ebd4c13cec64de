"""Writing a whole file or nothing: a temporary file in the same folder, fsync, then rename.

Used by `render` (artifacts) and `init` (the starter profile), so an interrupted run never leaves
a partly written file behind. `write_all_atomic` writes many files as one step: every temporary
file is written and synced before the first rename, so a failure while writing leaves the
targets untouched; the syncs run side by side (the file system commits them together).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path


def write_atomic(path: Path, text: str | bytes, *, replace: bool = True) -> None:
    """Write `text` (UTF-8, LF; bytes as they are) to `path` atomically, mode as open() gives.

    With ``replace=False`` an existing file is never replaced, even one that appeared while the
    temporary file was being written: FileExistsError is raised instead. Other failures raise
    OSError; the temporary file is always removed.
    """
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8") if isinstance(text, str) else text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates the file 0600; give it what the user's umask would have.
        os.chmod(temp_name, 0o666 & ~_umask())
        if replace:
            os.replace(temp_name, path)
        else:
            _link_no_clobber(temp_name, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
    _fsync_folder(path.parent)


_BATCH = 64
"""Temporary files open at a time (well under the usual limit of 1024 open files)."""


def write_all_atomic(files: Sequence[tuple[Path, str]]) -> None:
    """Write every ``(path, text)`` atomically: all temporary files first, then the renames."""
    from concurrent.futures import ThreadPoolExecutor  # render alone writes many files

    mode = 0o666 & ~_umask()
    written: list[tuple[str, Path]] = []
    try:
        for start in range(0, len(files), _BATCH):
            opened: list[int] = []
            try:
                for path, text in files[start : start + _BATCH]:
                    fd, temp_name = tempfile.mkstemp(
                        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
                    )
                    opened.append(fd)
                    written.append((temp_name, path))
                    _write_all(fd, text.encode("utf-8"))
                    # mkstemp creates the file 0600; give it what the user's umask would have.
                    os.fchmod(fd, mode)
                with ThreadPoolExecutor(max_workers=min(16, len(opened))) as pool:
                    list(pool.map(os.fsync, opened))
            finally:
                for fd in opened:
                    os.close(fd)
        for temp_name, path in written:
            os.replace(temp_name, path)
    finally:
        for temp_name, _ in written:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
    for folder in dict.fromkeys(path.parent for path, _ in files):
        _fsync_folder(folder)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _link_no_clobber(temp_name: str, path: Path) -> None:
    try:
        os.link(temp_name, path)
    except FileExistsError:
        raise
    except OSError:
        # A file system without hard links: fall back to a check and a rename.
        if path.exists():
            raise FileExistsError(path) from None
        os.replace(temp_name, path)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
