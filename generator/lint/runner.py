"""Running the rules over one text or over files, folders and stdin (the linted set)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from ..artifact import ArtifactFile, load_artifact
from ..diagnostics import IO_ERROR, IO_ERROR_RULE, Diagnostic, Results
from ..inputs import display_name, expand_paths, input_kind, read_text
from .analysis import definitions_of
from .config import LintConfig, RuleConfig
from .context import LintContext, VqlContext, resolve
from .model import ArtifactSummary, Finding, SectionPosition
from .rules import LOAD_FAILURES, RULES
from .suppress import Suppressions

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


@dataclass(frozen=True)
class _VqlVerdict:
    """The VQL rules' findings for one VQL context, and what they read of name and linted set."""

    reads: Mapping[str | tuple[str, str], object]
    findings: tuple[Finding, ...]
    suppressions: Suppressions


_VERDICTS: dict[tuple[object, ...], list[_VqlVerdict]] = {}
_VERDICT_LIMIT = 512


def _vql_verdict(
    artifact: ArtifactFile, known: Mapping[str, ArtifactSummary], config: LintConfig
) -> _VqlVerdict:
    """The VQL rules run once per distinct VQL context per process (see `VqlContext`). A query
    derived from a template by renaming the artifact it calls takes the template's verdict when
    no finding touches the renamed call: the rules read a called artifact's name only to look
    up its summary (the same one, filed under the template's name) and to write it into the
    finding, whose position is then on the call's line; nothing else differs between the two
    texts. Otherwise the rules run on the artifact's own (derived) program."""
    ctx = VqlContext.of(artifact, known)
    template = ctx.template_form()
    if template is not None:
        verdict = _verdict(template, config)
        if not any(_touches(finding, ctx.renames()) for finding in verdict.findings):
            return verdict
    return _verdict(ctx, config)


def _touches(finding: Finding, renames: list[tuple[int, str, int]]) -> bool:
    where = finding.location
    if not isinstance(where, SectionPosition):
        return True
    texts = (finding.message, finding.hint or "", finding.subject or "")
    return any(
        (where.section == index and where.line == line) or any(old in t for t in texts)
        for index, old, line in renames
    )


def _verdict(ctx: VqlContext, config: LintConfig) -> _VqlVerdict:
    key = (_config_key(config), ctx.key())
    for verdict in _VERDICTS.get(key, ()):
        if ctx.reads_agree(verdict.reads):
            return verdict
    findings: list[Finding] = []
    for rule in RULES.rules:
        settings = config.rule(rule.id)
        if rule.vql and settings.enabled:
            findings.extend(rule.check(ctx, {**rule.options, **settings.options}))
    verdict = _VqlVerdict(dict(ctx.reads), tuple(findings), ctx.suppressions())
    if sum(len(v) for v in _VERDICTS.values()) >= _VERDICT_LIMIT:
        _VERDICTS.clear()
    _VERDICTS.setdefault(key, []).append(verdict)
    return verdict


def _settings(config: LintConfig, rule_id: str) -> RuleConfig:
    """A rule's settings; a load failure's are fixed (`LOAD_FAILURES`: `parse_config` refuses
    to change them, and a config built in code cannot either)."""
    return RuleConfig() if rule_id in LOAD_FAILURES else config.rule(rule_id)


def _config_key(config: LintConfig) -> str:
    return repr(sorted(config.rules.items()))


def _run(
    artifact: ArtifactFile, known: Mapping[str, ArtifactSummary], config: LintConfig
) -> list[Diagnostic]:
    loaded = artifact.document is not None
    profile = loaded and input_kind(artifact.data) == "profile"
    findings: list[Finding] = []
    suppressions: Suppressions | None = None
    if loaded and not profile:
        verdict = _vql_verdict(artifact, known, config)
        findings.extend(verdict.findings)
        suppressions = verdict.suppressions
    ctx = LintContext(artifact, known)
    for rule in RULES.rules:
        settings = _settings(config, rule.id)
        if rule.vql or not settings.enabled:
            continue
        if (not loaded and rule.id not in _LOAD_RULES) or profile != (rule.id == _KIND_RULE):
            continue
        findings.extend(rule.check(ctx, {**rule.options, **settings.options}))
    name = artifact.name or ""
    out: list[Diagnostic] = []
    for finding in findings:
        if suppressions is not None and suppressions.match(finding, name):
            continue
        diagnostic = _diagnostic(finding, config, artifact)
        if diagnostic is not None:
            out.append(diagnostic)
    return sorted(out, key=Diagnostic.sort_key)


def _diagnostic(
    finding: Finding, config: LintConfig, artifact: ArtifactFile | None = None
) -> Diagnostic | None:
    rule = RULES[finding.rule]
    specific = _settings(config, finding.rule)
    general = _settings(config, rule.id)
    if not specific.enabled or not general.enabled:
        return None
    level = specific.level or general.level or rule.severity
    location = finding.location
    if isinstance(location, SectionPosition):
        assert artifact is not None
        location = resolve(location, artifact)
    return Diagnostic(location, finding.rule, level, finding.message, finding.hint)


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
    results.describe(RULES.infos)
    results.describe([IO_ERROR_RULE])
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
