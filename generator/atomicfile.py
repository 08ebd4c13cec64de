"""Writing a whole file or nothing: a temporary file in the same folder, fsync, then rename.

Used by `render` (artifacts) and `init` (the starter profile), so an interrupted run never leaves
a partly written file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
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
