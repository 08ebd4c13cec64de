"""Load a profile: YAML with positions → JSON Schema → semantic checks → typed model.

Every stage reports all it finds; the model is built only when no stage found an error (warnings
keep it).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import IO_ERROR, Diagnostic, Location, Severity
from ..errors import VrqError
from ..yamlsource import MAX_BYTES, YamlDocument, load_yaml
from .build import build_profile
from .checks import ProfileChecker
from .model import Profile
from .schema import SchemaChecker

DEFAULT_PROFILE_FILE = Path(__file__).resolve().parent / "default.yaml"


@dataclass
class ProfileResult:
    """The model (None when any error was found) and every diagnostic, in file order."""

    profile: Profile | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    document: YamlDocument | None = None
    """The loaded YAML with node positions, when it could be loaded."""


def _has_error(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def load_profile(path: str, raw: bytes) -> ProfileResult:
    """Check the profile held in `raw`; `path` names it in diagnostics."""
    try:
        return _load_profile(path, raw)
    except RecursionError:
        return ProfileResult(
            None,
            [
                Diagnostic(
                    Location(path, 1, 1),
                    "yaml-too-large",
                    Severity.ERROR,
                    "the document is nested too deeply to check",
                    "a profile is a few levels deep; look for runaway brackets",
                )
            ],
        )


def _load_profile(path: str, raw: bytes) -> ProfileResult:
    loaded = load_yaml(path, raw)
    if loaded.document is None:
        return ProfileResult(None, sorted(loaded.diagnostics, key=Diagnostic.sort_key))
    doc = loaded.document
    diagnostics = list(loaded.diagnostics)
    diagnostics.extend(SchemaChecker(doc).run())
    checked = ProfileChecker(doc).run()
    diagnostics.extend(checked.diagnostics)
    diagnostics.sort(key=Diagnostic.sort_key)
    if _has_error(diagnostics) or not isinstance(doc.data, dict):
        return ProfileResult(None, diagnostics, doc)
    return ProfileResult(build_profile(doc.data, checked), diagnostics, doc)


def io_error(path: str, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(Location(path), IO_ERROR, Severity.ERROR, message, hint)


def read_limited(path: Path, shown: str) -> bytes | Diagnostic:
    """The file's bytes, or a diagnostic when it cannot be read or is over the size limit."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        return io_error(shown, "is a folder, not a file")
    except FileNotFoundError:
        return io_error(shown, "no such file or folder")
    except PermissionError:
        return io_error(shown, "permission denied")
    except OSError as exc:
        return io_error(shown, f"cannot read: {exc.strerror or exc}")
    if len(raw) > MAX_BYTES:
        return Diagnostic(
            Location(shown, 1, 1),
            "yaml-too-large",
            Severity.ERROR,
            f"file is larger than the limit of {MAX_BYTES} bytes (1 MiB)",
            "a profile this large is almost certainly not what you meant to load",
        )
    return raw


def load_profile_file(path: Path) -> ProfileResult:
    """Like `load_profile`, reading `path`; I/O problems become an ``io-error`` diagnostic."""
    raw = read_limited(path, str(path))
    if isinstance(raw, Diagnostic):
        return ProfileResult(None, [raw])
    return load_profile(str(path), raw)


@functools.cache
def default_profile() -> Profile:
    """The built-in profile: the upstream artifact's defaults, as `Custom.Windows...Quarantine`."""
    result = load_profile_file(DEFAULT_PROFILE_FILE)
    if result.profile is None:
        problems = "; ".join(f"{d.location}: {d.message}" for d in result.diagnostics)
        raise VrqError(f"the built-in default profile is invalid: {problems}")
    return result.profile
