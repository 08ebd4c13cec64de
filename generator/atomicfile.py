"""Writing a whole file or nothing: a temporary file in the same folder, fsync, then rename.

Used by `render` (artifacts) and `init` (the starter profile), so an interrupted run never leaves
a partly written file behind. `StagedWrite` writes many files as one step: any process of the run
(render's forked workers too) writes temporary files into its `StagingArea`, the owner adopts
them and syncs them in the background, side by side (the file system commits them together),
while the run goes on; every one is on disk before the first rename, so a failure while writing
leaves the targets untouched.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import Future


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


_SYNC_THREADS = 16
"""Files synced side by side (the file system commits them together)."""


@dataclass(frozen=True)
class StagingArea:
    """Where a `StagedWrite` stages files, for any process of the run to write into (render's
    forked workers write the artifacts they render, so the texts never travel back to the
    process that commits). Every temporary file of the run carries the run's token in its
    name, so the owner finds them all, even one written by a worker that was ended before it
    could say so."""

    folder: str
    token: str
    mode: int

    def write(self, filename: str, text: str) -> str:
        """Write `text` (UTF-8) to a new temporary file in the folder, beside `filename`;
        returns its path. Not synced here: the `StagedWrite` that adopts it syncs it."""
        fd, temp_name = _create(Path(self.folder), filename, self.token)
        try:
            try:
                _write_all(fd, text.encode("utf-8"))
                os.fchmod(fd, self.mode)
            finally:
                os.close(fd)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        return temp_name


def _create(folder: Path, filename: str, token: str) -> tuple[int, str]:
    """A new temporary file in `folder` whose name holds `filename` and the run's `token`."""
    if os.path.basename(filename) != filename or filename in ("", ".", ".."):
        raise ValueError(f"not a plain file name: {filename!r}")
    return tempfile.mkstemp(prefix=f".{filename}.{token}.", suffix=".tmp", dir=folder)


def _is_staged(name: str, token: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp") and f".{token}." in name


class StagedWrite:
    """Many files written as one step: each goes to a temporary name as soon as it is ready and
    is synced in the background while the caller goes on working; `commit` renames them all
    into place once all are synced, `abort` (or leaving the ``with`` block without `commit`)
    removes them. Until `commit`, no target is touched: a failure leaves the old files as
    they were."""

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor  # only render writes many files

        self._mode = 0o666 & ~_umask()
        self._token = secrets.token_hex(8)
        self._pool = ThreadPoolExecutor(max_workers=_SYNC_THREADS)
        self._staged: list[tuple[str, Path]] = []
        self._syncs: list[Future[None]] = []
        self._areas: list[Path] = []

    def __enter__(self) -> StagedWrite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.abort()

    def area(self, folder: Path) -> StagingArea:
        """`folder` as a `StagingArea` of this run: files written there with
        `StagingArea.write` are handed over with `adopt`; any that is not by `commit` is
        removed, as every staged file is on `abort`."""
        if folder not in self._areas:
            self._areas.append(folder)
        return StagingArea(str(folder), self._token, self._mode)

    def adopt(self, temp_name: str, path: Path) -> None:
        """Stage `temp_name`, written into one of this run's areas, for `path`; it is synced
        meanwhile (by one of at most `_SYNC_THREADS` threads, each with one file open)."""
        self._staged.append((temp_name, path))
        self._syncs.append(self._pool.submit(_sync_named, temp_name))

    def _wait(self) -> None:
        self._pool.shutdown(wait=True)
        for sync in self._syncs:
            sync.result()  # the first sync that failed raises here

    def commit(self) -> None:
        """Rename every staged file into place, once every one of them is on disk. Ctrl-C
        (SIGINT) and SIGTERM wait until the last rename: they end the run after it, not
        between two files."""
        try:
            self._wait()
            with _signals_held():
                for temp_name, path in self._staged:
                    os.replace(temp_name, path)
        finally:
            self.abort()  # and the files of the areas that were never adopted
        for folder in dict.fromkeys(path.parent for _, path in self._staged):
            _fsync_folder(folder)

    def abort(self) -> None:
        """Remove every temporary file that is still there, adopted or not."""
        self._pool.shutdown(wait=True)
        for temp_name, _ in self._staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
        for folder in self._areas:
            with contextlib.suppress(OSError), os.scandir(folder) as entries:
                for entry in entries:
                    if _is_staged(entry.name, self._token):
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(entry.path)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM received while the block runs are delivered when it ends, to the
    handlers the process had (Python runs signal handlers in the main thread only, so this
    holds there; elsewhere the block runs unguarded)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(number: int, frame: object) -> None:
        caught.append(number)

    held = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, hold) for number in held}
    try:
        yield
    finally:
        for held_signal, handler in previous.items():
            signal.signal(held_signal, signal.SIG_DFL if handler is None else handler)
        for number in dict.fromkeys(caught):
            signal.raise_signal(number)


def _sync_named(temp_name: str) -> None:
    fd = os.open(temp_name, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
