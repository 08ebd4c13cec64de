"""What `simulate` accepts: a rendered artifact, or a profile that is rendered in memory first.

The file is read by the input layer and loaded once into the artifact model; a profile's
rendered artifact is the model render already loaded and checked, so no text is parsed twice.

Nothing is simulated that Velociraptor would not load: `lint_gate` lints every artifact of a
run (the simulated one and those ``--with`` adds) with lint's public entry point, on the model
already loaded, and refuses the run on any lint error (`Refused`); warnings go on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..artifact import ArtifactFile, load_artifact
from ..diagnostics import Diagnostic, Results, RuleInfo, Severity
from ..errors import Refused, VrqError
from ..inputs import read_text, require_text


@dataclass(frozen=True)
class ArtifactInput:
    artifact: ArtifactFile
    text: str
    source: str
    from_profile: bool
    companions: tuple[ArtifactFile, ...] = ()
    """A profile's other rendered artifacts (its monitor and status)."""


def _refused(
    message: str,
    diagnostics: Iterable[Diagnostic],
    files: list[str],
    hint: str,
    rules: Iterable[RuleInfo] = (),
) -> Refused:
    results = Results(files=files)
    results.extend(diagnostics)
    results.describe(rules)
    return Refused(message, results, hint)


def load_extra(path: Path) -> ArtifactFile:
    """An artifact given with ``--with``: read by the input layer, loaded into the model."""
    got = require_text(read_text(str(path)))
    return load_artifact(got.name, got.text)


def lint_gate(
    artifacts: Sequence[ArtifactFile], *, known: Sequence[ArtifactFile] = ()
) -> list[Diagnostic]:
    """Lint `artifacts` as one set (with `known`, e.g. a profile's companion artifacts, as the
    rest of the set); raise `Refused` with every finding when one is an error, else return the
    warnings and notes."""
    from ..lint import RULES, ArtifactSummary, lint_artifact, summarize

    summaries: dict[str, ArtifactSummary] = {}
    for artifact in (*artifacts, *known):
        summary = summarize(artifact)
        if summary is not None:
            summaries.setdefault(summary.name, summary)
    found = [d for a in artifacts for d in lint_artifact(a, known_artifacts=summaries)]
    errors = [d for d in found if d.severity is Severity.ERROR]
    if errors:
        paths = sorted({d.location.path for d in errors})
        raise _refused(
            f"{', '.join(paths)}: {len(errors)} lint error(s): Velociraptor would not load "
            + ("this artifact" if len(paths) == 1 else "these artifacts")
            + ", so it is not simulated",
            found,
            [a.path for a in artifacts],
            "fix what lint reports (`vr-quarantine lint FILE` says the same)",
            RULES.infos,
        )
    return found


def _is_artifact(artifact: ArtifactFile) -> bool:
    return "sources" in artifact.data and "name" in artifact.data


def read_input(path: Path, *, platform: str | None = None) -> ArtifactInput:
    """An artifact file as is; anything else is loaded as a profile and rendered (the quarantine
    artifact of `platform`, or of the profile's first platform)."""
    got = require_text(read_text(str(path)))
    artifact = load_artifact(got.name, got.text)
    if artifact.document is None:
        raise _refused(
            f"{got.name}: not valid YAML",
            artifact.load_diagnostics,
            [got.name],
            "fix what the findings say (`vr-quarantine lint FILE` says the same)",
        )
    if _is_artifact(artifact):
        if platform is not None:
            raise VrqError(f"{got.name}: --platform applies to a profile, not to an artifact")
        return ArtifactInput(artifact, got.text, got.name, from_profile=False)
    from ..lint import RULES as LINT_RULES
    from ..profile import RULES, check_profile, load_profile_text
    from ..render import render_platform

    # The fix-ups rarely change a profile's text; when they leave it alone, its one load serves.
    same_text = artifact.text == got.text
    loaded = (
        check_profile(artifact.document) if same_text else load_profile_text(got.name, got.text)
    )
    if loaded.profile is None:
        raise _refused(
            f"{got.name}: neither an artifact nor a valid profile",
            loaded.diagnostics,
            [got.name],
            "fix what the findings say (`vr-quarantine validate FILE` says the same)",
            RULES.infos,
        )
    profile = loaded.profile
    wanted = platform or profile.platforms[0]
    if wanted not in profile.platforms:
        raise VrqError(
            f"{got.name}: the profile does not render for {wanted!r}",
            hint="its platforms: " + ", ".join(profile.platforms),
        )
    # The platform's whole set: the quarantine artifact, then its monitor and status artifacts.
    rendered, *others = render_platform(profile, wanted, source=got.name)
    for item in (rendered, *others):
        if item.text is None or item.file is None:
            raise _refused(
                f"{got.name}: the profile does not render",
                item.diagnostics,
                [got.name],
                "`vr-quarantine render FILE` says the same",
                LINT_RULES.infos,
            )
    assert rendered.text is not None and rendered.file is not None
    return ArtifactInput(
        rendered.file,
        rendered.text,
        f"{got.name} (rendered {rendered.name})",
        from_profile=True,
        companions=tuple(o.file for o in others if o.file is not None),
    )
