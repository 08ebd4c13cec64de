"""The file system of a golden run: a temporary folder that VQL sees as ``/``.

Velociraptor's golden tests (``bin/golden.go``, ``make golden``) run on a real file system, with
``srcDir`` pointing at the source tree. Here a golden run gets a fresh temporary folder instead:
VQL sees it as the root of an ordinary POSIX file system, the fixture folder is copied to
``/src`` (the ``srcDir`` variable), and these act inside it as Velociraptor's own do:

- functions ``tempfile``, ``tempdir`` (``vql/filesystem/tempfile.go``): a new file (with
  ``data``) or folder under ``/tmp``, removed when the query ends, which is logged;
- ``stat`` (``vql/filesystem/filesystem.go``, ``StatFunction``): the file's information, NULL
  when it does not exist; ``read_file`` (``ReadFileFunction``): its content (``length``, default
  4 MiB, from ``offset``), "" and a log line when it cannot be read;
- ``copy`` (``vql/filesystem/copy.go``): copies ``filename`` to ``dest`` (``append``,
  ``create_directories``), logs the copy, returns ``dest``; ``rm`` (``vql/filesystem/rm.go``):
  TRUE when the file existed and was removed, FALSE when it did not exist;
- plugins ``glob`` (``GlobPlugin``: ``globs`` with ``*``, ``?``, ``[...]``, ``**`` and braces,
  under ``root``), ``stat`` (``StatPlugin``: one row, none when missing) and ``read_file``
  (``ReadFilePlugin``: ``filenames`` in ``chunk``-sized rows of Data, Offset, Filename).

Nothing outside the folder can be named: a relative path, a Windows path, or a path whose link
leads out of the folder is refused with its name (the run stops). File times are the session's
clock, so that a golden output does not depend on when the test ran. Other calls go to the
`fallback` endpoint (by default: nothing answers them). The ``data`` accessor reads the path
itself as content, as Velociraptor's does.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import stat as stat_module
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from ..gostring import from_go_bytes, go_bytes
from .engine import VqlRuntimeError
from .scope import SideEffects
from .values import NULL, Timestamp, is_null

_FILE_ACCESSORS = frozenset({"", "file", "auto"})
_WINDOWS_PATH = re.compile(r"^(?:[A-Za-z]:|\\\\|\\)")
READ_FILE_LENGTH = 4 * 1024 * 1024
"""``read_file()``'s default length, and ``read_file`` plugin's default chunk (4 MiB)."""


class SandboxRefusal(VqlRuntimeError):
    """A path the golden run's file system cannot name."""


def _text(value: Any) -> str:
    if isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    if value is None or is_null(value):
        return ""
    return value if isinstance(value, str) else str(value)


def _mode_string(mode: int) -> str:
    """Go's ``os.FileMode.String()`` for a directory or a regular file."""
    kind = "d" if stat_module.S_ISDIR(mode) else "L" if stat_module.S_ISLNK(mode) else "-"
    bits = "".join(
        letter if mode & (1 << (8 - index)) else "-" for index, letter in enumerate("rwxrwxrwx")
    )
    return kind + bits


def _expand_braces(pattern: str) -> list[str]:
    match = re.search(r"\{([^{}]*)\}", pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    return [
        expanded
        for choice in match.group(1).split(",")
        for expanded in _expand_braces(head + choice + tail)
    ]


class SandboxFileSystem(SideEffects):
    """A golden run's files, in `root` (which VQL sees as ``/``)."""

    def __init__(
        self, root: Path, *, clock: float = 1_700_000_000.0, fallback: SideEffects | None = None
    ) -> None:
        self.root = root.resolve()
        self.clock = clock
        self.fallback = fallback or SideEffects()
        self._counter = 0
        self._temporary: list[tuple[str, str]] = []
        """(kind, VQL path) of tempfile()/tempdir() results, removed when the query ends."""
        self.log: Callable[[str], None] = lambda line: None
        """Where the functions log (the golden runner connects it to the session's log)."""

    # ------------------------------------------------------------ paths

    def real(self, path: str, call: str) -> Path:
        """The real path of VQL path `path`, or a refusal naming it."""
        if not path.startswith("/") or _WINDOWS_PATH.match(path):
            raise SandboxRefusal(
                f"{call}(): {path!r} is not a path inside the golden test's file system "
                "(an absolute POSIX path under its root, /)",
                hint="golden tests see a temporary folder as /: use srcDir or tempfile()",
            )
        relative = PurePosixPath(os.path.normpath(path)).relative_to("/")
        real = self.root / relative
        resolved = real.resolve()
        if resolved != self.root and self.root not in resolved.parents:
            raise SandboxRefusal(
                f"{call}(): {path!r} leads outside the golden test's file system "
                f"(it resolves to {resolved})"
            )
        return real

    def vql_path(self, real: Path) -> str:
        return "/" + real.relative_to(self.root).as_posix() if real != self.root else "/"

    def _touch(self, real: Path) -> None:
        os.utime(real, (self.clock, self.clock))

    def place(self, source: Path, vql_path: str) -> None:
        """Copy a folder of fixture files into the file system at `vql_path`."""
        target = self.real(vql_path, "place")
        shutil.copytree(source, target, dirs_exist_ok=True)
        for folder, _, files in os.walk(target):
            for name in files:
                # The same modes and times whatever the checkout's umask and age.
                os.chmod(Path(folder) / name, 0o644)
                self._touch(Path(folder) / name)

    def file_info(self, real: Path) -> dict[str, Any]:
        """Velociraptor's FileInfo row for a file (``accessors/file``)."""
        info = real.lstat()
        moment = Timestamp.from_epoch(self.clock)
        return {
            "OSPath": self.vql_path(real),
            "Name": real.name,
            "Size": info.st_size,
            "Mode": _mode_string(info.st_mode),
            "ModTime": moment,
            "ATime": moment,
            "MTime": moment,
            "CTime": moment,
            "IsDir": stat_module.S_ISDIR(info.st_mode),
            "IsLink": stat_module.S_ISLNK(info.st_mode),
            "Data": {},
        }

    def _accessor(self, args: dict[str, Any], call: str) -> str:
        accessor = _text(args.get("accessor"))
        if accessor not in _FILE_ACCESSORS and accessor != "data":
            raise SandboxRefusal(
                f"{call}(): accessor {accessor!r} is not available in a golden test's file "
                "system (file and data are)"
            )
        return accessor

    # ------------------------------------------------------------ query end

    def end_query(self) -> None:
        """Remove what tempfile()/tempdir() created, as the query's destructors do."""
        pending, self._temporary = self._temporary, []
        for kind, path in reversed(pending):
            self.log(f"{kind}: removing {kind} {path}")
            real = self.real(path, kind)
            if real.is_dir():
                shutil.rmtree(real, ignore_errors=True)
            elif real.exists():
                real.unlink()

    # ------------------------------------------------------------ functions

    def function(self, name: str, args: dict[str, Any]) -> tuple[bool, Any]:
        """The functions above (``vql/filesystem/*.go``); others go to the fallback endpoint."""
        handler = getattr(self, f"_fn_{name}", None)
        if handler is None:
            return self.fallback.function(name, args)
        return True, handler(args)

    def _new_temporary(self, prefix: str, extension: str) -> tuple[Path, str]:
        tmp = self.real("/tmp", prefix)
        tmp.mkdir(parents=True, exist_ok=True)
        self._counter += 1
        real = tmp / f"tmp{self._counter:06d}{extension}"
        return real, self.vql_path(real)

    def _fn_tempfile(self, args: dict[str, Any]) -> Any:
        """``tempfile()`` (``vql/filesystem/tempfile.go``): /tmp/tmpNNNNNN+extension, 0600."""
        data = args.get("data", [])
        chunks = data if isinstance(data, list | tuple) else [data]
        real, path = self._new_temporary("tempfile", _text(args.get("extension")))
        real.write_bytes(b"".join(go_bytes(_text(c)) for c in chunks if not is_null(c)))
        os.chmod(real, 0o600)  # tempfile.go's default permissions
        self._touch(real)
        self._temporary.append(("tempfile", path))
        return path

    def _fn_tempdir(self, args: dict[str, Any]) -> Any:
        """``tempdir()`` (``vql/filesystem/tempfile.go``): a new folder under /tmp."""
        real, path = self._new_temporary("tempdir", "")
        real.mkdir()
        self._temporary.append(("tempdir", path))
        return path

    def _fn_stat(self, args: dict[str, Any]) -> Any:
        """``stat()`` (``vql/filesystem/filesystem.go``, ``StatFunction``): FileInfo or NULL."""
        self._accessor(args, "stat")
        real = self.real(_text(args.get("filename")), "stat")
        if not real.exists() and not real.is_symlink():
            return NULL
        return self.file_info(real)

    def _fn_read_file(self, args: dict[str, Any]) -> Any:
        """``read_file()`` (``vql/filesystem/filesystem.go``, ``ReadFileFunction``)."""
        filename = _text(args.get("filename"))
        length = args.get("length") or READ_FILE_LENGTH
        offset = args.get("offset") or 0
        if self._accessor(args, "read_file") == "data":
            data = go_bytes(filename)
        else:
            real = self.real(filename, "read_file")
            try:
                data = real.read_bytes()
            except OSError as exc:
                self.log(f"read_file: {filename}: open {filename}: {_go_error(exc)}")
                return ""
        return from_go_bytes(data[int(offset) : int(offset) + int(length)])

    def _fn_copy(self, args: dict[str, Any]) -> Any:
        """``copy()`` (``vql/filesystem/copy.go``): ``dest``, or NULL and a log line."""
        filename = _text(args.get("filename"))
        dest = _text(args.get("dest"))
        accessor = self._accessor(args, "copy")
        if accessor == "data":
            data = go_bytes(filename)
        else:
            source = self.real(filename, "copy")
            try:
                data = source.read_bytes()
            except OSError as exc:
                self.log(f"copy: Failed to open {filename}: {_go_error(exc)}")
                return NULL
            self.log(f"copy: Copying file from {filename} into {dest}")
        target = self.real(dest, "copy")
        if args.get("create_directories") is True:
            target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with target.open("ab" if args.get("append") is True else "wb") as handle:
                handle.write(data)
        except OSError as exc:
            self.log(f"copy: Failed to open {dest} for writing: {_go_error(exc)}")
            return NULL
        self._touch(target)
        return dest

    def _fn_rm(self, args: dict[str, Any]) -> Any:
        """``rm()`` (``vql/filesystem/rm.go``): TRUE when removed, FALSE when missing."""
        real = self.real(_text(args.get("filename")), "rm")
        if not real.exists() and not real.is_symlink():
            return False
        try:
            real.unlink()
        except OSError as exc:
            self.log(f"rm: Failed to remove {self.vql_path(real)}: {_go_error(exc)}")
        return True

    # ------------------------------------------------------------ plugins

    def plugin(self, name: str, args: dict[str, Any]) -> list[Any] | None:
        """The plugins above (``vql/filesystem/filesystem.go``); others go to the fallback."""
        handler = getattr(self, f"_plugin_{name}", None)
        if handler is None:
            return self.fallback.plugin(name, args)
        rows: list[Any] = handler(args)
        return rows

    def _plugin_stat(self, args: dict[str, Any]) -> list[Any]:
        """``stat`` plugin (``vql/filesystem/filesystem.go``, ``StatPlugin``)."""
        info = self._fn_stat(args)
        return [] if is_null(info) else [info]

    def _plugin_read_file(self, args: dict[str, Any]) -> list[Any]:
        """``read_file`` plugin (``vql/filesystem/filesystem.go``, ``ReadFilePlugin``)."""
        accessor = self._accessor(args, "read_file")
        names = args.get("filenames", [])
        chunk = int(args.get("chunk") or READ_FILE_LENGTH)
        rows: list[Any] = []
        for filename in names if isinstance(names, list | tuple) else [names]:
            path = _text(filename)
            if accessor == "data":
                data = go_bytes(path)
            else:
                try:
                    data = self.real(path, "read_file").read_bytes()
                except OSError:
                    continue  # the plugin skips a file it cannot open, silently
            for offset in range(0, len(data), chunk):
                rows.append(
                    {
                        "Data": from_go_bytes(data[offset : offset + chunk]),
                        "Offset": offset,
                        "Filename": path,
                    }
                )
        return rows

    def _plugin_glob(self, args: dict[str, Any]) -> list[Any]:
        """``glob`` plugin (``vql/filesystem/filesystem.go``, ``GlobPlugin``)."""
        self._accessor(args, "glob")
        globs = args.get("globs", [])
        patterns = [_text(g) for g in (globs if isinstance(globs, list | tuple) else [globs])]
        root = _text(args.get("root")) or "/"
        base = self.real(root, "glob")
        found: dict[str, Path] = {}
        for pattern in (p for g in patterns for p in _expand_braces(g)):
            relative = pattern.lstrip("/") if pattern.startswith("/") else pattern
            start = self.root if pattern.startswith("/") else base
            for real in self._glob(start, relative.split("/")):
                self.real(self.vql_path(real), "glob")
                found.setdefault(self.vql_path(real), real)
        return [self.file_info(real) for real in found.values()]

    def _glob(self, folder: Path, parts: list[str]) -> list[Path]:
        if not parts:
            return [folder]
        head, rest = parts[0], parts[1:]
        if not folder.is_dir():
            return []
        if head == "**":
            results = self._glob(folder, rest)
            for child in sorted(folder.iterdir()):
                if child.is_dir() and not child.is_symlink():
                    results.extend(self._glob(child, parts))
            return results
        if head in ("", "."):
            return self._glob(folder, rest)
        children = sorted(folder.iterdir())
        matched = [c for c in children if fnmatch.fnmatchcase(c.name, head)]
        return [path for child in matched for path in self._glob(child, rest)]


def _go_error(exc: OSError) -> str:
    """Go's wording of a file error (``syscall.Errno`` strings)."""
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or str(exc)).lower()
