"""Resolving call sites the way ``services/launcher/verifier.go VerifyCallSite`` does.

``Artifact.X`` calls go to the artifact X; any other dotted name is skipped; a plugin or function
is looked up in the catalog of its kind, then among the LET definitions visible to its section.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..vql import CallSite, CallSpec
from .analysis import SectionAnalysis
from .context import VqlContext
from .model import ArtifactSummary, Definition

ARTIFACT_PREFIX = "Artifact."
KWARGS = "**"


@dataclass(frozen=True)
class Resolved:
    section: SectionAnalysis
    site: CallSite
    spec: CallSpec | None = None
    definition: Definition | None = None
    artifact: str | None = None
    """For ``Artifact.X(...)``: X."""
    summary: ArtifactSummary | None = None
    """For ``Artifact.X(...)`` when X is in the linted set."""

    @property
    def unknown(self) -> bool:
        return self.spec is None and self.definition is None and self.artifact is None


def resolved_calls(ctx: VqlContext) -> list[Resolved]:
    """Every plugin and function call site, resolved (symbols and other dotted names skipped);
    worked out once per context, for every rule that reads it."""
    if ctx.resolved is None:
        ctx.resolved = list(_resolve(ctx))
    return ctx.resolved


def _resolve(ctx: VqlContext) -> Iterator[Resolved]:
    catalog = ctx.catalog
    for section in ctx.analysis.sections:
        for site in section.calls:
            if site.kind == "symbol":
                continue
            if site.name.startswith(ARTIFACT_PREFIX):
                name = site.name[len(ARTIFACT_PREFIX) :]
                yield Resolved(section, site, artifact=name, summary=ctx.summary(name))
                continue
            if "." in site.name:
                continue
            table = catalog.plugins if site.kind == "plugin" else catalog.functions
            spec = table.get(site.name)
            if spec is not None:
                yield Resolved(section, site, spec=spec)
            else:
                yield Resolved(section, site, definition=section.definitions.get(site.name))


def kwargs_call(site: CallSite) -> bool:
    return KWARGS in site.arg_names


def kind_word(site: CallSite) -> str:
    return "plugin" if site.kind == "plugin" else "function"
