"""One `render` run: load the profiles, render each, refuse duplicates; no terminal.

The CLI writes through `output.render_into` (which has the run stage each artifact as a
temporary file and commits them only when the run has no errors), or calls `render_run` and
prints the texts or compares them (`output.stale_files`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..atomicfile import StagingArea
from ..diagnostics import IO_ERROR_RULE, Diagnostic, Location, Results, RuleInfo, Severity
from ..inputs import STDIN, display_name, expand_paths, read_text
from ..profile import RULES as PROFILE_RULES
from ..profile import default_profile, load_profile_text
from .renderer import RenderedArtifact, render_artifacts
from .workers import default_workers, in_order

DEFAULT_SOURCE = "<built-in default profile>"
RENDER_RULES = (
    RuleInfo(
        "render-artifact-name",
        Severity.ERROR,
        "the artifact name is not a valid Velociraptor artifact name",
    ),
    RuleInfo(
        "render-duplicate-name",
        Severity.ERROR,
        "two profiles of one run render artifacts of the same name (one file would replace "
        "the other)",
    ),
    RuleInfo(
        "render-self-check",
        Severity.ERROR,
        "the rendered artifact does not read back as rendered (a bug or an edited template)",
    ),
    RuleInfo(
        "render-loader-fixup",
        Severity.ERROR,
        "Velociraptor's loader fix-ups would change the rendered artifact's data",
    ),
)
"""The ids `render` itself reports (lint's and the profile checks' besides)."""


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


@dataclass(frozen=True)
class _Outcome:
    """One profile's part of a run: its name, the problems of reading and loading it, and the
    artifacts it renders into (each with its own diagnostics)."""

    source: str
    diagnostics: list[Diagnostic]
    artifacts: list[RenderedArtifact]


def _render_source(path: str | None) -> _Outcome:
    """Read, load and render one profile (None: the built-in default)."""
    if path is None:
        source = DEFAULT_SOURCE
        return _Outcome(source, [], render_artifacts(default_profile(), source=source))
    source = display_name(path)
    got = read_text(path)
    if isinstance(got, Diagnostic):
        return _Outcome(source, [got], [])
    loaded = load_profile_text(got.name, got.text)
    if loaded.profile is None:
        return _Outcome(source, loaded.diagnostics, [])
    return _Outcome(source, loaded.diagnostics, render_artifacts(loaded.profile, source=source))


def _render_text_only(path: str | None) -> _Outcome:
    """`_render_source` in a worker process: the artifacts go back without their loaded model
    (a run keeps only the text it writes)."""
    outcome = _render_source(path)
    return replace(outcome, artifacts=[replace(a, file=None) for a in outcome.artifacts])


def _render_staged(area: StagingArea, path: str | None) -> _Outcome:
    """`_render_source`, each artifact that passed its checks written into `area` by the
    process that rendered it: it goes back naming its temporary file, without its text."""
    outcome = _render_source(path)
    return replace(outcome, artifacts=[_stage(area, a) for a in outcome.artifacts])


def _stage(area: StagingArea, artifact: RenderedArtifact) -> RenderedArtifact:
    if artifact.text is None:
        return artifact
    staged = area.write(artifact.filename, artifact.text)
    return replace(artifact, text=None, file=None, staged=staged)


def render_run(
    paths: Sequence[str | Path],
    *,
    include_default: bool,
    on_ready: Callable[[RenderedArtifact], None] | None = None,
    workers: int | None = None,
    stage: StagingArea | None = None,
) -> RenderRun:
    """Render the built-in default (when asked) and every profile the paths name (files, folders
    or ``-``, through the input layer), collecting all problems. `on_ready` receives each
    artifact that passed every check, as soon as it has. With `stage`, each such artifact is
    written into that area by the process that rendered it and comes back without its text,
    naming the file (`render_into` then moves them into place, or removes them).

    Many profiles render side by side in `workers` processes (by default one per CPU, for a
    run of at least `workers.PARALLEL_MIN_PROFILES`; see `in_order`): the run is the same in
    every respect and order as one that renders one profile after the other."""
    run = RenderRun()
    run.results.describe([IO_ERROR_RULE, *PROFILE_RULES.infos, *RENDER_RULES])
    seen: dict[str, str] = {}
    files, problems = expand_paths(str(p) for p in paths)
    run.results.extend(problems)
    sources: list[str | None] = [None] if include_default else []
    sources.extend(files)
    if workers is None:
        workers = default_workers(len(sources))
    if STDIN in files:
        workers = 1  # standard input is this process's to read
    work: Callable[[str | None], _Outcome] = _render_source
    if stage is not None:
        work = functools.partial(_render_staged, stage)
    elif workers > 1:
        work = _render_text_only
    with in_order(work, sources, workers) as outcomes:
        for outcome in outcomes:
            _add(run, outcome, seen, on_ready)
    return run


def _add(
    run: RenderRun,
    outcome: _Outcome,
    seen: dict[str, str],
    on_ready: Callable[[RenderedArtifact], None] | None,
) -> None:
    source = outcome.source
    run.results.files.append(source)
    run.results.extend(outcome.diagnostics)
    for artifact in outcome.artifacts:
        run.results.extend(artifact.diagnostics)
        if not artifact.ok:
            continue
        if artifact.name in seen:
            run.results.extend([_duplicate(source, artifact.name, seen[artifact.name])])
            continue
        seen[artifact.name] = source
        # The loaded model served the checks; a run keeps only the text it writes.
        run.artifacts.append(replace(artifact, file=None))
        if on_ready is not None:
            on_ready(artifact)
