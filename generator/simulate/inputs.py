"""What `simulate` accepts: a rendered artifact, or a profile that is rendered in memory first."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..diagnostics import Diagnostic
from ..errors import VrqError


@dataclass(frozen=True)
class ArtifactInput:
    text: str
    source: str
    from_profile: bool


def _problems(diagnostics: list[Diagnostic]) -> str:
    return "\n  ".join(f"{d.location}: {d.message}" for d in diagnostics)


def read_input(path: Path) -> ArtifactInput:
    """An artifact file as is; anything else is loaded as a profile and rendered."""
    try:
        text = path.read_text(encoding="utf-8")
    except IsADirectoryError:
        raise VrqError(f"{path}: is a folder, not a file") from None
    except FileNotFoundError:
        raise VrqError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise VrqError(f"{path}: cannot read: {exc}") from None
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise VrqError(f"{path}: not valid YAML: {exc}") from None
    if isinstance(data, dict) and "sources" in data and "name" in data:
        return ArtifactInput(text, str(path), from_profile=False)
    from ..profile import load_profile_file
    from ..render.renderer import render_profile

    loaded = load_profile_file(path)
    if loaded.profile is None:
        raise VrqError(
            f"{path}: neither an artifact nor a valid profile:\n  " + _problems(loaded.diagnostics),
            hint="run `vr-quarantine validate` on the profile",
        )
    rendered = render_profile(loaded.profile, source=str(path))
    if rendered.text is None:
        raise VrqError(
            f"{path}: the profile does not render:\n  " + _problems(rendered.diagnostics)
        )
    return ArtifactInput(rendered.text, f"{path} (rendered {rendered.name})", from_profile=True)
