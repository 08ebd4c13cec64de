"""What `simulate` accepts: a rendered artifact, or a profile that is rendered in memory first.

The file is read by the input layer and loaded once into the artifact model; a profile's
rendered artifact is the model render already loaded and checked, so no text is parsed twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..artifact import ArtifactFile, load_artifact
from ..diagnostics import Diagnostic
from ..errors import VrqError
from ..inputs import read_text


@dataclass(frozen=True)
class ArtifactInput:
    artifact: ArtifactFile
    text: str
    source: str
    from_profile: bool


def _problems(diagnostics: list[Diagnostic]) -> str:
    return "\n  ".join(f"{d.location}: {d.message}" for d in diagnostics)


def _is_artifact(artifact: ArtifactFile) -> bool:
    return "sources" in artifact.data and "name" in artifact.data


def read_input(path: Path) -> ArtifactInput:
    """An artifact file as is; anything else is loaded as a profile and rendered."""
    got = read_text(str(path))
    if isinstance(got, Diagnostic):
        raise VrqError(f"{got.location}: {got.message}", hint=got.hint)
    artifact = load_artifact(got.name, got.text)
    if artifact.document is None:
        raise VrqError(f"{got.name}: not valid YAML:\n  " + _problems(artifact.load_diagnostics))
    if _is_artifact(artifact):
        return ArtifactInput(artifact, got.text, got.name, from_profile=False)
    from ..profile import check_profile, load_profile_text
    from ..render import render_profile

    # The fix-ups rarely change a profile's text; when they leave it alone, its one load serves.
    same_text = artifact.text == got.text
    loaded = (
        check_profile(artifact.document) if same_text else load_profile_text(got.name, got.text)
    )
    if loaded.profile is None:
        raise VrqError(
            f"{got.name}: neither an artifact nor a valid profile:\n  "
            + _problems(loaded.diagnostics),
            hint="run `vr-quarantine validate` on the profile",
        )
    rendered = render_profile(loaded.profile, source=got.name)
    if rendered.text is None or rendered.file is None:
        raise VrqError(
            f"{got.name}: the profile does not render:\n  " + _problems(rendered.diagnostics)
        )
    return ArtifactInput(
        rendered.file, rendered.text, f"{got.name} (rendered {rendered.name})", from_profile=True
    )
