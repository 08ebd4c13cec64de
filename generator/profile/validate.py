"""`vr-quarantine validate`: expand the given paths into profile files and check every one.

Files are checked as given; folders contribute every ``*.yaml`` and ``*.yml`` below them (hidden
folders such as ``.git`` are skipped); ``-`` reads standard input. A path that cannot be read
becomes an ``io-error`` diagnostic, so one bad path never hides the findings of the others.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..diagnostics import Diagnostic, Location, Results, Severity
from .loader import ProfileResult, io_error, load_profile, load_profile_file

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


class _SameNames:
    """Profiles checked together must not share an artifact name or an id.

    Two artifacts with one name overwrite each other on the Velociraptor server (and in
    ``artifacts/``), so one engagement's quarantine would silently replace another's.
    """

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], Location] = {}

    def check(self, result: ProfileResult) -> list[Diagnostic]:
        profile, doc = result.profile, result.document
        if profile is None or doc is None:
            return []
        found = []
        for what, value, node in (
            ("artifact name", profile.artifact.name, ("artifact", "name")),
            ("profile id", profile.id, ("id",)),
        ):
            here = doc.location(node)
            first = self.seen.setdefault((what, value), here)
            if first is not here:
                rule = "duplicate-artifact-name" if what == "artifact name" else "duplicate-id"
                found.append(
                    Diagnostic(
                        here,
                        rule,
                        Severity.ERROR,
                        f"{what} {value!r} is also used by {first}",
                        f"give every profile its own {what}",
                    )
                )
        return found


def validate_paths(paths: list[str], *, stdin: bytes | None = None) -> Results:
    """Check every profile named by `paths`; `stdin` is read for ``-`` (sys.stdin if None)."""
    results = Results()
    files, problems = expand_paths(paths)
    results.extend(problems)
    same_names = _SameNames()
    for name in files:
        if name == "-":
            raw = stdin if stdin is not None else sys.stdin.buffer.read()
            result = load_profile(STDIN_NAME, raw)
            results.files.append(STDIN_NAME)
        else:
            result = load_profile_file(Path(name))
            results.files.append(name)
        results.extend(result.diagnostics)
        results.extend(same_names.check(result))
    return results
