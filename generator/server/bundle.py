"""What `pack` and `push` ship: artifacts rendered from profiles or read from files, linted first.

A PATH is a file or a folder (every ``*.yaml``/``*.yml`` below it, sorted). A file whose top level
has ``format_version`` is a quarantine profile: it is rendered in memory with every artifact it
renders (the quarantine and its companions), each checked and linted by `render`. Any other file
is an artifact and is linted as is, all of them as one linted set (so that ``Artifact.X()`` calls
between them resolve). An error anywhere refuses the whole bundle; nothing is shipped in part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..artifact import ArtifactFile, load_artifact
from ..diagnostics import Diagnostic, Results, Severity
from ..errors import VrqError
from ..inputs import STDIN, expand_paths, input_kind, io_error, read_text
from ..lint import lint_set
from ..profile import check_profile, load_profile_text
from ..render import render_artifacts


@dataclass(frozen=True)
class BundledArtifact:
    """One artifact to ship: its name, its exact text and where it came from."""

    name: str
    text: str
    source: str


@dataclass
class Bundle:
    artifacts: list[BundledArtifact] = field(default_factory=list)
    results: Results = field(default_factory=Results)

    @property
    def ok(self) -> bool:
        return not self.results.fails(Severity.ERROR)


def gather(paths: Sequence[str]) -> Bundle:
    """Read, render and lint everything under `paths`; the bundle is shippable when `ok`.

    Paths are expanded and read by the input layer (`generator.inputs`), each file loaded once.
    """
    bundle = Bundle()
    if STDIN in paths:
        bundle.results.extend([io_error(STDIN, "artifacts to ship are read from files, not stdin")])
    files, problems = expand_paths(p for p in paths if p != STDIN)
    bundle.results.extend(problems)
    artifacts: list[tuple[ArtifactFile, str]] = []
    for path in files:
        bundle.results.files.append(path)
        got = read_text(path)
        if isinstance(got, Diagnostic):
            bundle.results.extend([got])
            continue
        loaded = load_artifact(got.name, got.text)
        if loaded.document is not None and input_kind(loaded.data) == "profile":
            _render(bundle, loaded, got.text)
        else:
            artifacts.append((loaded, got.text))
    bundle.results.extend(lint_set([artifact for artifact, _ in artifacts]))
    for artifact, text in artifacts:
        if artifact.name is not None:
            bundle.artifacts.append(BundledArtifact(artifact.name, text, artifact.path))
    bundle.artifacts = _deduplicate(bundle.artifacts)
    return bundle


def _render(bundle: Bundle, loaded: ArtifactFile, text: str) -> None:
    """A profile: rendered with every artifact it renders, each checked and linted by render."""
    assert loaded.document is not None
    same_text = loaded.text == text
    checked = check_profile(loaded.document) if same_text else load_profile_text(loaded.path, text)
    bundle.results.extend(checked.diagnostics)
    if checked.profile is None:
        return
    for rendered in render_artifacts(checked.profile, source=loaded.path):
        bundle.results.extend(rendered.diagnostics)
        if rendered.text is not None:
            source = f"{loaded.path} (rendered)"
            bundle.artifacts.append(BundledArtifact(rendered.name, rendered.text, source))


def _deduplicate(artifacts: list[BundledArtifact]) -> list[BundledArtifact]:
    """One entry per name; the same name with two different texts is a usage error."""
    seen: dict[str, BundledArtifact] = {}
    for artifact in artifacts:
        first = seen.get(artifact.name)
        if first is None:
            seen[artifact.name] = artifact
        elif first.text != artifact.text:
            raise VrqError(
                f"artifact {artifact.name!r} comes from {first.source} and from "
                f"{artifact.source} with different texts",
                hint="ship one of them (re-render with `vr-quarantine render` if one is stale)",
            )
    return sorted(seen.values(), key=lambda a: a.name)
