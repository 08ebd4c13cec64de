"""Paths as code scanning and GitHub annotations want them: relative to the repository root.

GitHub maps a SARIF ``uri`` (with ``uriBaseId: %SRCROOT%``) and an annotation's ``file=`` against
the repository's top level, whatever folder the tool ran in. The top level is the nearest folder
above the file that holds ``.git`` (a folder, or a file in a worktree or submodule); no git
command is run. A file outside any repository keeps a path relative to the current folder when
it is below it, else its absolute path.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from ..inputs import STDIN_NAME

STDIN = STDIN_NAME


@functools.cache
def git_top_level(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` that holds ``.git``, or None."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _absolute(path: str) -> Path:
    return Path(os.path.normpath(Path.cwd() / path))


def repo_relative(path: str) -> str:
    """`path` (as the tool was given it) relative to its repository's top level, POSIX style."""
    if path == STDIN:
        return path
    absolute = _absolute(path)
    top = git_top_level(absolute.parent)
    if top is not None:
        return absolute.relative_to(top).as_posix()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()
