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
    companions: tuple[ArtifactFile, ...] = ()
    """A profile's other rendered artifacts (its monitor and status)."""


def _problems(diagnostics: list[Diagnostic]) -> str:
    return "\n  ".join(f"{d.location}: {d.message}" for d in diagnostics)


def _is_artifact(artifact: ArtifactFile) -> bool:
    return "sources" in artifact.data and "name" in artifact.data


def read_input(path: Path, *, platform: str | None = None) -> ArtifactInput:
    """An artifact file as is; anything else is loaded as a profile and rendered (the quarantine
    artifact of `platform`, or of the profile's first platform)."""
    got = read_text(str(path))
    if isinstance(got, Diagnostic):
        raise VrqError(f"{got.location}: {got.message}", hint=got.hint)
    artifact = load_artifact(got.name, got.text)
    if artifact.document is None:
        raise VrqError(f"{got.name}: not valid YAML:\n  " + _problems(artifact.load_diagnostics))
    if _is_artifact(artifact):
        if platform is not None:
            raise VrqError(f"{got.name}: --platform applies to a profile, not to an artifact")
        return ArtifactInput(artifact, got.text, got.name, from_profile=False)
    from ..profile import check_profile, load_profile_text
    from ..render import render_companion, render_platform, render_profile

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
    profile = loaded.profile
    wanted = platform or profile.platforms[0]
    if wanted not in profile.platforms:
        raise VrqError(
            f"{got.name}: the profile does not render for {wanted!r}",
            hint="its platforms: " + ", ".join(profile.platforms),
        )
    # The platform's whole set: the quarantine artifact, then its monitor and status artifacts.
    rendered, *others = (
        [
            render_profile(profile, source=got.name),
            render_companion(profile, "monitor", source=got.name),
            render_companion(profile, "status", source=got.name),
        ]
        if wanted == "windows"
        else render_platform(profile, wanted, source=got.name)
    )
    for item in (rendered, *others):
        if item.text is None or item.file is None:
            raise VrqError(
                f"{got.name}: the profile does not render:\n  " + _problems(item.diagnostics)
            )
    assert rendered.text is not None and rendered.file is not None
    return ArtifactInput(
        rendered.file,
        rendered.text,
        f"{got.name} (rendered {rendered.name})",
        from_profile=True,
        companions=tuple(o.file for o in others if o.file is not None),
    )
