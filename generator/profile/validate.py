"""`vr-quarantine validate`: expand the given paths into profile files and check every one.

Files are checked as given; folders contribute every ``*.yaml`` and ``*.yml`` below them (hidden
folders such as ``.git`` are skipped); ``-`` reads standard input. A path that cannot be read
becomes an ``io-error`` diagnostic, so one bad path never hides the findings of the others.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from generator.diagnostics import Diagnostic, Results
from generator.profile.loader import io_error, load_profile, load_profile_file

STDIN_NAME = "<stdin>"
SUFFIXES = (".yaml", ".yml")


def _files_below(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root) / name for name in files if name.endswith(SUFFIXES))
    return sorted(found)


def expand_paths(paths: list[str]) -> tuple[list[str], list[Diagnostic]]:
    """The files to check (``-`` kept as is), in order, without repeats; and path problems."""
    files: list[str] = []
    problems: list[Diagnostic] = []
    seen: set[str] = set()

    def take(name: str) -> None:
        key = name if name == "-" else os.path.realpath(name)
        if key not in seen:
            seen.add(key)
            files.append(name)

    for given in paths:
        if given == "-":
            take("-")
            continue
        path = Path(given)
        if path.is_dir():
            below = _files_below(path)
            if not below:
                problems.append(io_error(given, "the folder holds no *.yaml or *.yml file"))
            for file in below:
                take(str(file))
        elif path.exists() or path.is_symlink():
            take(given)
        else:
            problems.append(io_error(given, "no such file or folder"))
    return files, problems


def validate_paths(paths: list[str], *, stdin: bytes | None = None) -> Results:
    """Check every profile named by `paths`; `stdin` is read for ``-`` (sys.stdin if None)."""
    results = Results()
    files, problems = expand_paths(paths)
    results.extend(problems)
    for name in files:
        if name == "-":
            raw = stdin if stdin is not None else sys.stdin.buffer.read()
            result = load_profile(STDIN_NAME, raw)
            results.files.append(STDIN_NAME)
        else:
            result = load_profile_file(Path(name))
            results.files.append(name)
        results.extend(result.diagnostics)
    return results


def has_io_error(results: Results) -> bool:
    return any(d.rule == "io-error" for d in results.diagnostics)
