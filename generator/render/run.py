"""One `render` run: load the profiles, render each, refuse duplicates; no terminal, no files.

The CLI calls `render_run`, then writes (`output.write_artifacts`) or compares
(`output.stale_files`) only when the run has no errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, Location, Results, Severity
from ..profile import default_profile, load_profile_file
from .renderer import RenderedArtifact, render_profile

DEFAULT_SOURCE = "<built-in default profile>"


@dataclass
class RenderRun:
    artifacts: list[RenderedArtifact] = field(default_factory=list)
    results: Results = field(default_factory=Results)

    @property
    def ok(self) -> bool:
        return not self.results.fails(Severity.ERROR)


def _duplicate(source: str, name: str, first: str) -> Diagnostic:
    return Diagnostic(
        Location(source),
        "render-duplicate-name",
        Severity.ERROR,
        f"artifact name {name!r} is also rendered from {first}: both would write {name}.yaml",
        "give each profile its own artifact.name",
    )


def render_run(paths: Sequence[Path], *, include_default: bool) -> RenderRun:
    """Render the built-in default (when asked) and every profile file, collecting all problems."""
    run = RenderRun()
    seen: dict[str, str] = {}
    sources: list[tuple[str, Path | None]] = []
    if include_default:
        sources.append((DEFAULT_SOURCE, None))
    sources.extend((str(p), p) for p in paths)
    for source, path in sources:
        run.results.files.append(source)
        if path is None:
            profile = default_profile()
        else:
            loaded = load_profile_file(path)
            run.results.extend(loaded.diagnostics)
            if loaded.profile is None:
                continue
            profile = loaded.profile
        artifact = render_profile(profile, source=source)
        run.results.extend(artifact.diagnostics)
        if not artifact.ok:
            continue
        if artifact.name in seen:
            run.results.extend([_duplicate(source, artifact.name, seen[artifact.name])])
            continue
        seen[artifact.name] = source
        run.artifacts.append(artifact)
    return run
