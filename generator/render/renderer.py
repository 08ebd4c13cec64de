"""Profile -> artifact text: the render pipeline up to (not including) writing files.

context (plain data) -> Jinja (one sandboxed environment) -> YAML text -> one load into the
artifact model -> self-check (round trip) -> lint (the same model). A profile whose artifact
fails any check yields diagnostics and no text.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from jinja2.sandbox import SandboxedEnvironment

from ..artifact import ArtifactFile, load_artifact, name_problem
from ..diagnostics import Diagnostic, Location, Severity
from ..lint import lint_artifact
from ..profile import Profile
from .context import build_context, switches
from .selfcheck import check_artifact
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

    @property
    def ok(self) -> bool:
        return self.text is not None


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


def _name_problem(source: str, name: str) -> Diagnostic:
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
    name = profile.artifact.name
    filename = artifact_filename(name)
    if name_problem(name) is not None:
        return RenderedArtifact(name, filename, None, [_name_problem(source, name)])
    context = build_context(profile)
    env = environment()
    vql = render_vql(switches(profile))
    description = env.get_template(DESCRIPTION_TEMPLATE).render(context)
    text = env.get_template(ARTIFACT_TEMPLATE).render(context, vql=vql, description=description)
    artifact = load_artifact(filename, text)
    problems = check_artifact(
        artifact,
        text,
        name=name,
        references=context["artifact"]["references"],
        defaults=context["defaults"],
        vql=vql,
    )
    if not problems:
        problems = [d for d in lint_artifact(artifact) if d.severity is Severity.ERROR]
    if problems:
        return RenderedArtifact(name, filename, None, problems)
    return RenderedArtifact(name, filename, text, file=artifact)


def render_artifacts(profile: Profile, *, source: str = "<profile>") -> list[RenderedArtifact]:
    """Every artifact one profile renders into, in order: for each platform of `platforms`, its
    artifact set (Windows: the quarantine; Linux and macOS: quarantine, monitor, status)."""
    from .platforms import render_platform

    out: list[RenderedArtifact] = []
    for platform in profile.platforms:
        if platform == "windows":
            out.append(render_profile(profile, source=source))
        else:
            out.extend(render_platform(profile, platform, source=source))
    return out
