"""Running the rules over one text or over files, folders and stdin (the linted set)."""

from __future__ import annotations

import fnmatch
import sys
from collections.abc import Mapping
from pathlib import Path

from ..diagnostics import IO_ERROR, Diagnostic, Location, Results, Severity
from ..yamlsource import read_source
from .analysis import definitions_of
from .config import LintConfig
from .context import LintContext
from .model import ArtifactSummary, Finding
from .rules import RULE_OF_ID, RULES
from .source import ArtifactFile, load_artifact
from .suppress import gather

STDIN_NAME = "-"
_LOAD_RULES = frozenset(RULES["yaml-syntax"].also) | {"yaml-syntax", "yaml-duplicate-key"}


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
    suppressions = gather(artifact) if loaded else None
    out: list[Diagnostic] = []
    for rule in RULES.values():
        settings = config.rule(rule.id)
        if not settings.enabled or (not loaded and rule.id not in _LOAD_RULES):
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


def lint_text(
    path: str,
    text: str,
    *,
    config: LintConfig | None = None,
    known_artifacts: Mapping[str, ArtifactSummary] | None = None,
) -> list[Diagnostic]:
    """Lint one artifact given as text; `known_artifacts` completes the linted set."""
    artifact = load_artifact(path, text)
    known = dict(known_artifacts or {})
    summary = summarize(artifact)
    if summary is not None:
        known.setdefault(summary.name, summary)
    return _run(artifact, known, config or LintConfig())


def _io_error(path: str, message: str) -> Diagnostic:
    return Diagnostic(Location(path), IO_ERROR, Severity.ERROR, message, "check the path")


def _expand(paths: list[str], config: LintConfig, results: Results) -> list[str]:
    found: list[str] = []
    for raw in paths:
        if raw == STDIN_NAME:
            found.append(raw)
            continue
        path = Path(raw)
        if path.is_dir():
            children = [
                child
                for child in sorted(path.rglob("*"))
                if child.suffix in (".yaml", ".yml") and child.is_file()
            ]
            if not children:
                results.extend([_io_error(raw, f"the folder {raw} holds no *.yaml or *.yml file")])
            for child in children:
                relative = child.relative_to(path).as_posix()
                if not any(
                    fnmatch.fnmatch(relative, g) or fnmatch.fnmatch(str(child), g)
                    for g in config.ignore
                ):
                    found.append(str(child))
        elif path.is_file():
            found.append(raw)
        else:
            results.extend([_io_error(raw, f"no such file or folder: {raw}")])
    return list(dict.fromkeys(found))


def lint_paths(
    paths: list[str], *, config: LintConfig | None = None, stdin: bytes | None = None
) -> Results:
    """Lint files, folders (recursively, ``*.yaml``/``*.yml``) and ``-`` (stdin) as one linted set.

    A missing path or an unreadable file becomes an ``io-error`` entry (see
    `Results.has_io_error`) and every other file is still linted; bad content becomes diagnostics.
    """
    config = config or LintConfig()
    results = Results()
    loaded: list[ArtifactFile] = []
    for name in _expand(paths, config, results):
        try:
            if name == STDIN_NAME:
                raw = stdin if stdin is not None else sys.stdin.buffer.read()
            else:
                raw = Path(name).read_bytes()
        except OSError as exc:
            results.extend([_io_error(name, f"cannot read {name}: {exc.strerror}")])
            continue
        results.files.append(name)
        text, problems = read_source(name, raw)
        if text is None:
            results.extend(d for f in problems if (d := _diagnostic(_finding(f), config)))
            continue
        loaded.append(load_artifact(name, text))
    known: dict[str, ArtifactSummary] = {}
    for artifact in loaded:
        summary = summarize(artifact)
        if summary is not None:
            known.setdefault(summary.name, summary)
    for artifact in loaded:
        results.extend(_run(artifact, known, config))
    return results


def _finding(d: Diagnostic) -> Finding:
    return Finding(d.rule, d.location, d.message, d.hint)
