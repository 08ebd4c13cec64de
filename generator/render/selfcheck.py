"""Reads a freshly rendered artifact back and checks it before anything is written.

The rendered text is loaded once, as Velociraptor's loader reads it (`generator.artifact`); the
same model is then linted (`lint_artifact`), which checks the YAML, the artifact format and the
VQL. This module keeps only the round-trip checks that lint cannot know: the text holds exactly
the keys and parameters we emit, every value reads back as the profile gave it, the query reads
back as the VQL the template produced, and the loader's fix-ups (which Velociraptor applies before
it parses) change no data. Problems are diagnostics with rule ids ``render-*``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from ..artifact import ArtifactFile
from ..diagnostics import Diagnostic, Location, Severity
from ..yamlsource import load_data

ARTIFACT_KEYS = (
    "name",
    "author",
    "description",
    "type",
    "resources",
    "required_permissions",
    "precondition",
    "parameters",
    "sources",
)
OPTIONAL_KEYS = ("references",)
PARAMETER_NAMES = (
    "PolicyName",
    "RuleLookupTable",
    "MessageBox",
    "RemovePolicy",
    "VelociraptorURL",
    "UseClientServerURLs",
    "ExtraServerURLs",
    "CheckTimeout",
    "NegativeCheckURL",
    "CurlPath",
    "Reason",
    "Ticket",
    "RequireReason",
    "Expiry",
    "ReplaceOtherProfile",
    "MonitorMode",
    "ProbeWhenInForce",
    "ReleaseDelay",
    "ProfileId",
    "ProfileSHA256",
    "ToolVersion",
    "QuarantineArtifact",
)
COMPANION_KEYS = tuple(k for k in ARTIFACT_KEYS if k != "resources")
"""The keys of an artifact that runs without a resources section (every monitor, and the
Linux and macOS status artifacts)."""
MONITOR_PARAMETER_NAMES = (
    *(n for n in PARAMETER_NAMES if n not in ("MonitorMode", "ProbeWhenInForce", "ReleaseDelay")),
    "ReloadPeriod",
    "StartDelay",
    "ReleaseDelay",
    "ReleaseAfterUnreachableMinutes",
)
STATUS_PARAMETER_NAMES = (
    "PolicyName",
    "VelociraptorURL",
    "UseClientServerURLs",
    "ExtraServerURLs",
    "CheckTimeout",
    "CurlPath",
)


def _problem(path: str, message: str, rule: str = "render-self-check") -> Diagnostic:
    return Diagnostic(
        Location(path),
        rule,
        Severity.ERROR,
        message,
        "this is a bug in vr-quarantine or in an edited template: please report it",
    )


def _fixup_problems(path: str, text: str, artifact: ArtifactFile) -> list[Diagnostic]:
    """The loader's fix-ups must leave the data alone (they would otherwise change a value)."""
    if artifact.text == text:
        return []
    try:
        written: Any = load_data(text)
    except yaml.YAMLError as error:
        written = error
    if written == artifact.data:
        return []
    return [
        _problem(
            path,
            "Velociraptor's loader would rewrite the rendered artifact before parsing it "
            "(a bare 'query:'/'precondition:' line or a '- SELECT'/'- LET'/'- //' item) "
            "and read different data",
            "render-loader-fixup",
        )
    ]


def check_artifact(
    artifact: ArtifactFile,
    text: str,
    *,
    name: str,
    references: list[str],
    defaults: Mapping[str, str],
    vql: str,
    keys: Sequence[str] = ARTIFACT_KEYS,
    parameter_names: Sequence[str] = PARAMETER_NAMES,
) -> list[Diagnostic]:
    """Every round-trip problem of `artifact`, loaded from the rendered `text`; none: it may be
    written (once lint finds no error either)."""
    path = artifact.path
    if artifact.document is None:
        first = artifact.load_diagnostics[0]
        return [_problem(path, f"the rendered artifact is not valid YAML: {first.message}")]
    fixups = _fixup_problems(path, text, artifact)
    if fixups:
        return fixups
    data = artifact.data
    problems: list[Diagnostic] = []
    expected = list(keys) + (["references"] if references else [])
    if sorted(data) != sorted(expected):
        problems.append(_problem(path, f"keys {sorted(data)} differ from {sorted(expected)}"))
    if data.get("name") != name:
        problems.append(_problem(path, f"name reads back as {data.get('name')!r}, not {name!r}"))
    if references and data.get("references") != references:
        problems.append(_problem(path, "references do not read back unchanged"))
    params = data.get("parameters")
    if not isinstance(params, list) or not all(isinstance(p, dict) for p in params):
        return [*problems, _problem(path, "parameters is not a list of mappings")]
    names = tuple(p.get("name") for p in params)
    if names != tuple(parameter_names):
        problems.append(_problem(path, f"parameters {names} differ from {tuple(parameter_names)}"))
    for param in params:
        key = param.get("name")
        if key in defaults and param.get("default") != defaults[key]:
            problems.append(_problem(path, f"the default of {key} does not read back unchanged"))
    sources = data.get("sources")
    first_source = sources[0] if isinstance(sources, list) and sources else None
    query = first_source.get("query") if isinstance(first_source, dict) else None
    if query != vql:
        problems.append(_problem(path, "the query does not read back as the rendered VQL"))
    return problems
