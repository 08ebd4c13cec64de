"""SARIF 2.1.0 for GitHub code scanning: one run, every rule's metadata, one result per diagnostic.

GitHub requires a ``physicalLocation`` with ``startLine`` >= 1 and ``uri``s relative to the
repository root (``%SRCROOT%``), whatever folder the tool ran in (`paths.repo_relative`); a file
outside any repository and the current folder gets an absolute ``file://`` URI without a
``uriBaseId``. Unknown lines become line 1. ``info`` maps to SARIF ``note``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..diagnostics import Results, RuleInfo, Severity
from ..printable import json_text
from .paths import STDIN, repo_relative

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/vr-quarantine/vr-quarantine"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> str:
    if path == STDIN:
        return "stdin"
    relative = repo_relative(path)
    try:
        raw = os.fsencode(relative)  # a file name that is not UTF-8 keeps its bytes, as %XX
    except UnicodeEncodeError:
        raw = relative.encode("utf-8", "surrogatepass")  # any other lone surrogate, as is
    if PurePosixPath(relative).is_absolute():
        return "file://" + quote(raw)  # what PurePosixPath.as_uri() gives
    return quote(raw)


def _artifact_location(path: str) -> dict[str, str]:
    """A file's ``artifactLocation``: relative to ``%SRCROOT%``, or an absolute ``file://`` URI
    on its own (SARIF 2.1.0 §3.4.4: ``uriBaseId`` only goes with a relative reference)."""
    uri = _uri(path)
    if uri.startswith("file://"):
        return {"uri": uri}
    return {"uri": uri, "uriBaseId": "%SRCROOT%"}


def _rule_descriptor(rule_id: str, rules: Mapping[str, RuleInfo]) -> dict[str, Any]:
    rule = rules.get(rule_id)
    if rule is None:
        return {"id": rule_id, "name": rule_id, "shortDescription": {"text": rule_id}}
    doc = rule.doc or rule.summary
    return {
        "id": rule_id,
        "name": rule_id,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": doc},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }


def render_sarif(results: Results, tool: str) -> str:
    diagnostics = results.sorted()
    # Every rule the run could report (the results carry their documentation), then any other.
    ids = list(results.rules)
    ids += sorted({d.rule for d in diagnostics} - set(ids))
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    sarif_results: list[dict[str, Any]] = []
    for d in diagnostics:
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        region = {"startLine": max(d.location.line, 1)}
        if d.location.column > 0:
            region["startColumn"] = d.location.column
        sarif_results.append(
            {
                "ruleId": d.rule,
                "ruleIndex": index[d.rule],
                "level": LEVELS[d.severity],
                "message": {"text": message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": _artifact_location(d.location.path),
                            "region": region,
                        }
                    }
                ],
            }
        )
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "vr-quarantine",
                        "semanticVersion": __version__,
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(rule_id, results.rules) for rule_id in ids],
                    }
                },
                "automationDetails": {"id": f"vr-quarantine/{tool}/"},
                "columnKind": "unicodeCodePoints",
                "artifacts": [{"location": _artifact_location(f)} for f in results.files],
                "results": sarif_results,
            }
        ],
    }
    return json_text(document)
