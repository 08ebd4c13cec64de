"""Running the rules over one text or over files, folders and stdin (the linted set)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import BinaryIO

from ..artifact import ArtifactFile, load_artifact
from ..diagnostics import IO_ERROR, Diagnostic, Results
from ..inputs import display_name, expand_paths, input_kind, read_text
from .analysis import definitions_of
from .config import LintConfig
from .context import LintContext
from .model import ArtifactSummary, Finding
from .rules import RULE_OF_ID, RULES
from .suppress import gather

_LOAD_RULES = frozenset(RULES["yaml-syntax"].also) | {"yaml-syntax", "yaml-duplicate-key"}
_KIND_RULE = "not-an-artifact"


def summarize(artifact: ArtifactFile) -> ArtifactSummary | None:
    """What other artifacts of the linted set may use: parameters and exported LETs."""
    name = artifact.name
    if name is None:
        return None
    params = artifact.data.get("parameters")
    names = frozenset(
        str(p["name"])
        for p in (params if isinstance(params, list) else [])
        if isinstance(p, dict) and p.get("name") is not None
    )
    exports = artifact.sections_of("export")
    definitions = definitions_of(exports[0].program) if exports and exports[0].program else {}
    return ArtifactSummary(name, names, definitions, bool(exports))


def _run(
    artifact: ArtifactFile, known: Mapping[str, ArtifactSummary], config: LintConfig
) -> list[Diagnostic]:
    ctx = LintContext(artifact, known)
    loaded = artifact.document is not None
    profile = loaded and input_kind(artifact.data) == "profile"
    suppressions = gather(artifact) if loaded and not profile else None
    out: list[Diagnostic] = []
    for rule in RULES.values():
        settings = config.rule(rule.id)
        if not settings.enabled or (not loaded and rule.id not in _LOAD_RULES):
            continue
        if profile != (rule.id == _KIND_RULE):
            continue
        options = {**rule.options, **settings.options}
        for finding in rule.check(ctx, options):
            diagnostic = _diagnostic(finding, config)
            if diagnostic is None or (suppressions and suppressions.match(finding)):
                continue
            out.append(diagnostic)
    return sorted(out, key=Diagnostic.sort_key)


def _diagnostic(finding: Finding, config: LintConfig) -> Diagnostic | None:
    rule = RULE_OF_ID[finding.rule]
    specific = config.rule(finding.rule)
    general = config.rule(rule.id)
    if not specific.enabled or not general.enabled:
        return None
    level = specific.level or general.level or rule.severity
    return Diagnostic(finding.location, finding.rule, level, finding.message, finding.hint)


def lint_artifact(
    artifact: ArtifactFile,
    *,
    config: LintConfig | None = None,
    known_artifacts: Mapping[str, ArtifactSummary] | None = None,
) -> list[Diagnostic]:
    """Lint one loaded artifact; `known_artifacts` completes the linted set."""
    known = dict(known_artifacts or {})
    summary = summarize(artifact)
    if summary is not None:
        known.setdefault(summary.name, summary)
    return _run(artifact, known, config or LintConfig())


def lint_text(
    path: str,
    text: str,
    *,
    config: LintConfig | None = None,
    known_artifacts: Mapping[str, ArtifactSummary] | None = None,
) -> list[Diagnostic]:
    """Lint one artifact given as text (`lint_artifact` of `load_artifact(path, text)`)."""
    return lint_artifact(load_artifact(path, text), config=config, known_artifacts=known_artifacts)


def lint_paths(
    paths: list[str],
    *,
    config: LintConfig | None = None,
    stdin: BinaryIO | bytes | None = None,
) -> Results:
    """Lint files, folders (``*.yaml``/``*.yml`` below them) and ``-`` (stdin) as one linted set.

    Paths are expanded and read by the input layer (`generator.inputs`): a missing path or an
    unreadable file becomes an ``io-error`` entry (see `Results.has_io_error`) and every other
    file is still linted; bad content becomes diagnostics.
    """
    config = config or LintConfig()
    results = Results()
    files, problems = expand_paths(paths, ignore=config.ignore)
    results.extend(problems)
    loaded: list[ArtifactFile] = []
    for name in files:
        results.files.append(display_name(name))
        got = read_text(name, stdin=stdin)
        if isinstance(got, Diagnostic):
            if got.rule == IO_ERROR:
                results.extend([got])
            elif diagnostic := _diagnostic(_finding(got), config):
                results.extend([diagnostic])
            continue
        loaded.append(load_artifact(got.name, got.text))
    results.extend(lint_set(loaded, config=config))
    return results


def lint_set(
    artifacts: Sequence[ArtifactFile], *, config: LintConfig | None = None
) -> list[Diagnostic]:
    """Lint loaded artifacts as one linted set: ``Artifact.X()`` and ``imports`` resolve among
    them."""
    config = config or LintConfig()
    known: dict[str, ArtifactSummary] = {}
    for artifact in artifacts:
        summary = summarize(artifact)
        if summary is not None:
            known.setdefault(summary.name, summary)
    found: list[Diagnostic] = []
    for artifact in artifacts:
        found.extend(_run(artifact, known, config))
    return found


def _finding(d: Diagnostic) -> Finding:
    return Finding(d.rule, d.location, d.message, d.hint)
