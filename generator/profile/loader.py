"""Load a profile: YAML with positions → JSON Schema → semantic checks → typed model.

Every stage reports all it finds; the model is built only when no stage found an error (warnings
keep it).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, Location, Severity
from ..errors import VrqError
from ..inputs import decode, input_kind, read_text
from ..resources import DEFAULT_PROFILE
from ..yamlsource import YamlDocument, load_yaml_text
from .build import build_profile
from .checks import run_checks
from .checks.no_expiry import advise as advise_expiry
from .model import Profile


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
    text = decode(path, raw)
    if isinstance(text, Diagnostic):
        return ProfileResult(None, [text])
    return load_profile_text(path, text.text)


def load_profile_text(path: str, text: str) -> ProfileResult:
    """Check the profile held in `text`; `path` names it in diagnostics."""
    loaded = load_yaml_text(path, text)
    if loaded.document is None:
        return ProfileResult(None, sorted(loaded.diagnostics, key=Diagnostic.sort_key))
    return check_profile(loaded.document)


def check_profile(doc: YamlDocument) -> ProfileResult:
    """Schema, semantic checks and model of a loaded document."""
    if input_kind(doc.data) == "artifact":
        return ProfileResult(None, [_not_a_profile(doc)], doc)
    try:
        return _check(doc)
    except RecursionError:
        return ProfileResult(
            None,
            [
                Diagnostic(
                    Location(doc.path, 1, 1),
                    "yaml-too-large",
                    Severity.ERROR,
                    "the document is nested too deeply to check",
                    "a profile is a few levels deep; look for runaway brackets",
                )
            ],
        )


def _not_a_profile(doc: YamlDocument) -> Diagnostic:
    return Diagnostic(
        doc.location(("name",), key=True),
        "not-a-profile",
        Severity.ERROR,
        "this is a Velociraptor artifact, not a quarantine profile",
        "lint artifacts with `vr-quarantine lint`, or run one with `vr-quarantine simulate`",
    )


def _check(doc: YamlDocument) -> ProfileResult:
    checked = run_checks(doc)
    diagnostics = list(checked.diagnostics)
    diagnostics.sort(key=Diagnostic.sort_key)
    if _has_error(diagnostics) or not isinstance(doc.data, dict):
        return ProfileResult(None, diagnostics, doc)
    # Advice about a usable profile only: a broken one gets its errors, not this.
    diagnostics.extend(advise_expiry(doc))
    diagnostics.sort(key=Diagnostic.sort_key)
    return ProfileResult(build_profile(doc.data, checked), diagnostics, doc)


def load_profile_file(path: Path | str) -> ProfileResult:
    """Like `load_profile`, reading `path` (``-``: standard input) through the input layer."""
    got = read_text(str(path))
    if isinstance(got, Diagnostic):
        return ProfileResult(None, [got])
    return load_profile_text(got.name, got.text)


@functools.cache
def default_profile() -> Profile:
    """The built-in profile: the upstream artifact's defaults, as `Custom.Windows...Quarantine`."""
    result = load_profile_file(DEFAULT_PROFILE)
    if result.profile is None:
        problems = "; ".join(f"{d.location}: {d.message}" for d in result.diagnostics)
        raise VrqError(f"the built-in default profile is invalid: {problems}")
    return result.profile
