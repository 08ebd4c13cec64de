"""Profile -> artifact text: the render pipeline up to (not including) writing files.

context (plain data) -> Jinja (one sandboxed environment) -> YAML text -> one load into the
artifact model -> self-check (round trip) -> lint (the same model). A profile whose artifact
fails any check yields diagnostics and no text.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from ..artifact import ArtifactFile, ParsedVql, load_artifact, name_problem, parse_vql_renamed
from ..diagnostics import Diagnostic, Location, Severity
from ..lint import lint_artifact, summarize
from ..profile import Profile
from .context import build_context, switches
from .selfcheck import (
    ARTIFACT_KEYS,
    COMPANION_KEYS,
    MONITOR_PARAMETER_NAMES,
    STATUS_PARAMETER_NAMES,
    check_artifact,
)
from .templates import make_environment

ARTIFACT_TEMPLATE = "artifact.yaml.j2"
DESCRIPTION_TEMPLATE = "description.md.j2"
VQL_TEMPLATE = "vql/quarantine.vql.j2"


@dataclass(frozen=True)
class RenderedArtifact:
    """One profile's artifact, or the reasons it could not be rendered (then `text` is None)."""

    name: str
    filename: str
    text: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    file: ArtifactFile | None = field(default=None, compare=False, repr=False)
    """The text as loaded (and checked): what `simulate` runs without parsing it again."""
    staged: str | None = None
    """The temporary file that holds the text instead (`render_into`: the process that rendered
    the artifact wrote it there, and the text did not travel back)."""

    @property
    def ok(self) -> bool:
        return self.text is not None or self.staged is not None


@functools.cache
def environment() -> SandboxedEnvironment:
    return make_environment()


def render_vql(switch_values: dict[str, bool]) -> str:
    """The artifact's query for a set of feature switches (the only input the VQL may depend on)."""
    return _render_vql(tuple(sorted(switch_values.items())))


@functools.lru_cache(maxsize=64)
def _render_vql(switch_items: tuple[tuple[str, bool], ...]) -> str:
    return environment().get_template(VQL_TEMPLATE).render(switches=dict(switch_items))


def artifact_filename(name: str) -> str:
    return f"{name}.yaml"


def name_diagnostic(source: str, name: str) -> Diagnostic:
    return Diagnostic(
        Location(source),
        "render-artifact-name",
        Severity.ERROR,
        f"artifact name {name!r} is not a valid Velociraptor artifact name",
        "use letters, digits and _ in dot-separated parts that do not start with a digit, "
        "e.g. Custom.Windows.Remediation.Quarantine",
    )


def render_profile(profile: Profile, *, source: str = "<profile>") -> RenderedArtifact:
    """Render one profile; `source` names it in diagnostics (its file, usually)."""
    return _render_quarantine(profile, source, build_context(profile))


def _render_quarantine(profile: Profile, source: str, context: dict[str, Any]) -> RenderedArtifact:
    name = profile.artifact.name
    filename = artifact_filename(name)
    if name_problem(name) is not None:
        return RenderedArtifact(name, filename, None, [name_diagnostic(source, name)])
    env = environment()
    vql = render_vql(switches(profile))
    description = env.get_template(DESCRIPTION_TEMPLATE).render(context)
    text = env.get_template(ARTIFACT_TEMPLATE).render(context, vql=vql, description=description)
    return checked_artifact(
        name,
        filename,
        text,
        references=context["artifact"]["references"],
        defaults=context["defaults"],
        vql=vql,
    )


def checked_artifact(
    name: str,
    filename: str,
    text: str,
    *,
    parsed: Sequence[ParsedVql] = (),
    quarantine: RenderedArtifact | None = None,
    **expected: Any,
) -> RenderedArtifact:
    """The rendered `text` once it reads back as intended (`check_artifact` with `expected`)
    and lints without error, with the `quarantine` artifact it goes with in the linted set (a
    monitor's call is checked against its parameters); else its problems and no text.
    `parsed`: parses of its VQL already at hand (`monitor_vql`)."""
    artifact = load_artifact(filename, text, parsed=parsed, shared_sources=True)
    problems = check_artifact(artifact, text, name=name, **expected)
    if not problems:
        known = {}
        if quarantine is not None and quarantine.file is not None:
            summary = summarize(quarantine.file)
            if summary is not None:
                known[summary.name] = summary
        linted = lint_artifact(artifact, known_artifacts=known)
        problems = [d for d in linted if d.severity is Severity.ERROR]
    if problems:
        return RenderedArtifact(name, filename, None, problems)
    return RenderedArtifact(name, filename, text, file=artifact)


def companion_names(name: str) -> tuple[str, str]:
    """The monitor's and the status artifact's names: ``Monitor`` and ``Status`` added to the
    last part, as for Linux and macOS (``Custom.Windows.Remediation.Quarantine`` gives
    ``Custom.Windows.Remediation.QuarantineMonitor``, the natural replacement for upstream's
    ``Windows.Remediation.QuarantineMonitor``)."""
    return name + "Monitor", name + "Status"


_COMPANIONS = {
    "monitor": (
        "monitor.yaml.j2",
        "monitor_description.md.j2",
        "vql/monitor.vql.j2",
        COMPANION_KEYS,
        MONITOR_PARAMETER_NAMES,
    ),
    "status": (
        "status.yaml.j2",
        "status_description.md.j2",
        "vql/status.vql.j2",
        ARTIFACT_KEYS,
        STATUS_PARAMETER_NAMES,
    ),
}


MONITOR_PLACEHOLDER = "VrqQuarantinePlaceholder"
"""The quarantine name a monitor's query is also rendered with: its parse and lint verdict
serve every monitor of the same switches (`monitor_vql`)."""


@functools.lru_cache(maxsize=64)
def _vql_text(template: str, switch_items: tuple[tuple[str, bool], ...], quarantine: str) -> str:
    return (
        environment()
        .get_template(template)
        .render(switches=dict(switch_items), quarantine_name=quarantine)
    )


def monitor_vql(
    template: str, switch_values: dict[str, bool], quarantine: str
) -> tuple[str, ParsedVql]:
    """A monitor's query for `quarantine` (a name that passed `name_problem`), and its parse:
    derived from the parse of the same query rendered for `MONITOR_PLACEHOLDER` when only that
    name differs between the two (`parse_vql_renamed`), so it is parsed and linted once per
    set of switches, not once per profile."""
    switch_items = tuple(sorted(switch_values.items()))
    vql = _vql_text(template, switch_items, quarantine)
    shared = _vql_text(template, switch_items, MONITOR_PLACEHOLDER)
    return vql, parse_vql_renamed(vql, shared, MONITOR_PLACEHOLDER, quarantine)


def render_companion(
    profile: Profile,
    role: str,
    *,
    source: str = "<profile>",
    quarantine: RenderedArtifact | None = None,
) -> RenderedArtifact:
    """The monitor (CLIENT_EVENT) or status (CLIENT) artifact that goes with a profile's
    quarantine artifact (`quarantine`, when rendered: linted beside it). The monitor's query
    names the quarantine artifact, whose name passed `name_problem` first, so it is a dotted
    identifier and cannot carry VQL."""
    return _render_companion(profile, role, source, build_context(profile), quarantine)


def _render_companion(
    profile: Profile,
    role: str,
    source: str,
    base: dict[str, Any],
    rendered_quarantine: RenderedArtifact | None,
) -> RenderedArtifact:
    quarantine = profile.artifact.name
    monitor, status = companion_names(quarantine)
    name = monitor if role == "monitor" else status
    filename = artifact_filename(name)
    if name_problem(quarantine) is not None or name_problem(name) is not None:
        return RenderedArtifact(name, filename, None, [name_diagnostic(source, name)])
    template, description_template, vql_template, keys, parameter_names = _COMPANIONS[role]
    defaults = dict(base["defaults"])
    if role == "monitor":
        # The quarantine's ReleaseDelay is 0 (a removal by hand is immediate); the monitor
        # passes the profile's on when its event query ends.
        defaults["ReleaseDelay"] = str(profile.lifecycle.release_delay_seconds)
    context = {
        **base,
        "defaults": defaults,
        "role": role,
        "companion": {"name": name, "quarantine": quarantine, "monitor": monitor, "status": status},
    }
    env = environment()
    parsed: tuple[ParsedVql, ...] = ()
    if role == "monitor":
        vql, monitor_parse = monitor_vql(vql_template, switches(profile), quarantine)
        parsed = (monitor_parse,)
    else:
        vql = _vql_text(vql_template, tuple(sorted(switches(profile).items())), quarantine)
    description = env.get_template(description_template).render(context)
    text = env.get_template(template).render(context, vql=vql, description=description)
    return checked_artifact(
        name,
        filename,
        text,
        parsed=parsed,
        quarantine=rendered_quarantine,
        references=[],
        defaults=context["defaults"],
        vql=vql,
        keys=keys,
        parameter_names=parameter_names,
    )


def render_artifacts(profile: Profile, *, source: str = "<profile>") -> list[RenderedArtifact]:
    """Every artifact one profile renders into, in order: for each platform of `platforms`, its
    artifact set: the quarantine artifact, its monitor (CLIENT_EVENT) and its status artifact
    (CLIENT, read-only)."""
    from .platforms import render_platform

    out: list[RenderedArtifact] = []
    for platform in profile.platforms:
        out.extend(render_platform(profile, platform, source=source))
    return out


def render_windows(profile: Profile, *, source: str = "<profile>") -> list[RenderedArtifact]:
    """The Windows artifact set: the quarantine artifact, its monitor and its status artifact."""
    context = build_context(profile)  # once for the three artifacts
    quarantine = _render_quarantine(profile, source, context)
    return [
        quarantine,
        _render_companion(profile, "monitor", source, context, quarantine),
        _render_companion(profile, "status", source, context, quarantine),
    ]
