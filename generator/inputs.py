"""The one input layer: which files a command reads, how it reads them, and what it says when it
cannot.

`validate`, `lint`, `render` and `simulate` all go through here, so they share one meaning:

- a file is read as given; a folder contributes every ``*.yaml``/``*.yml`` below it, in sorted
  order, hidden folders (``.git``, ``.venv``) and symbolic links to folders skipped; ``-`` reads
  standard input, shown as ``<stdin>``; a file named twice (or through two paths) is read once;
- only a regular file or standard input is read (never a device, pipe or socket), at most
  `MAX_BYTES` of it, decoded as UTF-8 (a byte-order mark is dropped);
- a path that cannot be read becomes an ``io-error`` diagnostic and the run goes on with the
  others; a file that is too large or not UTF-8 becomes ``yaml-too-large``/``yaml-encoding``.

`require_text` makes a read that fails an error, for a command that reads one file it cannot do
without (an API config, a scenario, a ``--with`` artifact). `input_kind` tells a profile from an
artifact, so that a command given the other kind can say so.
"""

from __future__ import annotations

import fnmatch
import os
import stat
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from .diagnostics import IO_ERROR, Diagnostic, Location, Severity
from .errors import VrqError

STDIN = "-"
STDIN_NAME = "<stdin>"
MAX_BYTES = 1024 * 1024
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class TextInput:
    """A file's text, and the name diagnostics give it (the path as given, or ``<stdin>``)."""

    name: str
    text: str


def io_error(name: str, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(Location(name), IO_ERROR, Severity.ERROR, message, hint)


def display_name(path: str) -> str:
    return STDIN_NAME if path == STDIN else path


def _files_below(folder: str) -> list[str]:
    found: list[str] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(os.path.join(root, name) for name in files if name.endswith(SUFFIXES))
    return sorted(found)


def _ignored(file: str, folder: str, patterns: Sequence[str]) -> bool:
    relative = Path(os.path.relpath(file, folder)).as_posix()
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(file, p) for p in patterns)


def expand_paths(
    paths: Iterable[str], *, ignore: Sequence[str] = ()
) -> tuple[list[str], list[Diagnostic]]:
    """The files to read (``-`` kept as is), in order, without repeats; and the path problems.

    `ignore` holds glob patterns matched against the files found below a folder (relative to
    it, or as found); files named directly are never ignored.
    """
    files: list[str] = []
    problems: list[Diagnostic] = []
    seen: set[str] = set()

    def take(name: str) -> None:
        key = name if name == STDIN else os.path.realpath(name)
        if key not in seen:
            seen.add(key)
            files.append(name)

    for given in paths:
        if given == STDIN:
            take(STDIN)
        elif os.path.isdir(given):
            below = _files_below(given)
            if not below:
                problems.append(io_error(given, "the folder holds no *.yaml or *.yml file"))
            for file in below:
                if not _ignored(file, given, ignore):
                    take(file)
        elif os.path.lexists(given):
            take(given)
        else:
            problems.append(io_error(given, "no such file or folder"))
    return files, problems


def _too_large(name: str, size: str) -> Diagnostic:
    return Diagnostic(
        Location(name, 1, 1),
        "yaml-too-large",
        Severity.ERROR,
        f"{size}; the limit is {MAX_BYTES} bytes (1 MiB)",
        "a profile or artifact this large is almost certainly not what you meant to load",
    )


def _kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in the words `ls -l` users know."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _not_a_file(path: str, mode: int) -> Diagnostic | None:
    if stat.S_ISDIR(mode):
        return io_error(path, "is a folder, not a file")
    if not stat.S_ISREG(mode):
        return io_error(
            path,
            f"is {_kind_of(mode)}, not a regular file: only files and - are read",
            "save it to a file first, or pipe it in as - (standard input)",
        )
    return None


def _read_file(path: str) -> bytes | Diagnostic:
    """A regular file's bytes, at most `MAX_BYTES` of them.

    The kind of file is checked before it is opened (opening a device can act on it: rewind a
    tape, arm a watchdog) and again on the open descriptor, in case the path changed between the
    two; the descriptor is non-blocking, so a FIFO swapped in cannot hang the open.
    """
    try:
        refused = _not_a_file(path, os.stat(path).st_mode)
        if refused is not None:
            return refused
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return io_error(path, "no such file or folder")
    except PermissionError:
        return io_error(path, "permission denied")
    except OSError as exc:
        return io_error(path, f"cannot read: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        refused = _not_a_file(path, info.st_mode)
        if refused is not None:
            return refused
        if info.st_size > MAX_BYTES:
            return _too_large(path, f"file is {info.st_size} bytes")
        raw = _read_limited(fd, info.st_size)  # stops at the limit, whatever the file claims
    except OSError as exc:
        return io_error(path, f"cannot read: {exc.strerror or exc}")
    finally:
        os.close(fd)
    if len(raw) > MAX_BYTES:  # grew while we read it
        return _too_large(path, f"file is more than {MAX_BYTES} bytes")
    return raw


def _read_limited(fd: int, size: int) -> bytes:
    """At most `MAX_BYTES` + 1 bytes from `fd` (`size`: what the file claims, a first guess)."""
    chunks: list[bytes] = []
    left = MAX_BYTES + 1
    while left > 0:
        chunk = os.read(fd, min(left, max(size + 1, 65536)))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_bytes(path: str, *, stdin: BinaryIO | bytes | None = None) -> bytes | Diagnostic:
    """The bytes of `path` (``-``: `stdin`, default the process's standard input), bounded."""
    if path != STDIN:
        return _read_file(path)
    if isinstance(stdin, bytes):
        raw = stdin[: MAX_BYTES + 1]
    else:
        try:
            raw = (stdin or sys.stdin.buffer).read(MAX_BYTES + 1)
        except OSError as exc:
            return io_error(STDIN_NAME, f"cannot read standard input: {exc.strerror or exc}")
    if len(raw) > MAX_BYTES:
        return _too_large(STDIN_NAME, f"standard input holds more than {MAX_BYTES} bytes")
    return raw


def decode(name: str, raw: bytes) -> TextInput | Diagnostic:
    """UTF-8 text (without a byte-order mark), or a ``yaml-encoding`` diagnostic at the bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        return Diagnostic(
            Location(name, line, column),
            "yaml-encoding",
            Severity.ERROR,
            f"invalid UTF-8 (byte 0x{raw[exc.start]:02x})",
            "save the file as UTF-8",
        )
    return TextInput(name, text.removeprefix("\ufeff"))


def read_text(path: str, *, stdin: BinaryIO | bytes | None = None) -> TextInput | Diagnostic:
    """`read_bytes` then `decode`: the text of one input, or the one diagnostic that stops it."""
    raw = read_bytes(path, stdin=stdin)
    if isinstance(raw, Diagnostic):
        return raw
    return decode(display_name(path), raw)


def require_text(got: TextInput | Diagnostic, what: str | None = None) -> TextInput:
    """What `read_text` returned, for a command that cannot go on without the file: its text,
    or the diagnostic as a `VrqError` (``FILE: cannot read WHAT: PROBLEM``; without `what`,
    ``FILE: PROBLEM``) with the diagnostic's hint."""
    if isinstance(got, TextInput):
        return got
    cannot = f"cannot read {what}: " if what else ""
    raise VrqError(f"{got.location}: {cannot}{got.message}", hint=got.hint)


Kind = Literal["profile", "artifact", "unknown"]

PROFILE_KEYS = frozenset(
    {
        "format_version",
        "id",
        "artifact",
        "platforms",
        "policy_name",
        "linux",
        "macos",
        "servers",
        "allow",
        "block_all",
        "rules",
        "message",
        "rollback",
    }
)
"""The top-level keys of a quarantine profile (schema/quarantine-profile.schema.json)."""
ARTIFACT_MARKERS = frozenset({"name", "sources", "parameters", "precondition", "export"})
"""Top-level keys that only a Velociraptor artifact has (artifacts/proto/artifact.proto)."""


def input_kind(data: object) -> Kind:
    """What a loaded document clearly is: the two kinds share no top-level key.

    An artifact has ``name`` and no profile key; a profile has ``format_version`` and no key
    that only artifacts have. Anything else is ``unknown`` and is checked as what the command
    expects, so its problems are reported in full.
    """
    if not isinstance(data, dict):
        return "unknown"
    keys = set(data)
    if "name" in keys and not keys & PROFILE_KEYS:
        return "artifact"
    if "format_version" in keys and not keys & ARTIFACT_MARKERS:
        return "profile"
    return "unknown"
