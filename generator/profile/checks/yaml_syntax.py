"""The file is not one readable YAML mapping.

Reported by the YAML loader under its own ids: ``yaml-syntax`` (a syntax error, at the line and
column where the parser stopped; also a tab where YAML expects spaces, and a value of an odd
tag), ``yaml-duplicate-key`` (YAML would keep only one of the two), ``yaml-empty``,
``yaml-not-mapping``, ``yaml-multiple-documents``, ``yaml-merge-key`` (``<<``: write the keys
out), ``yaml-encoding`` (not UTF-8) and ``yaml-too-large`` (over 1 MiB, too many nodes, too
deep, or a number too long to read). No other check runs on such a file.
"""

from __future__ import annotations

from typing import Any

from ...diagnostics import Severity
from ...yamlsource import TOO_LARGE_SUMMARY

ID = "yaml-syntax"
ALSO = (
    "yaml-duplicate-key",
    "yaml-empty",
    "yaml-not-mapping",
    "yaml-multiple-documents",
    "yaml-merge-key",
    "yaml-encoding",
    "yaml-too-large",
)
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}
REPORTED_BY = "the loader"
SUMMARIES = {
    "yaml-syntax": "The profile is not valid YAML (a syntax error, a tab in the indentation, an "
    "odd tag).",
    "yaml-duplicate-key": "A key appears twice in one mapping of the profile: YAML would keep "
    "only one of the two.",
    "yaml-empty": "The profile file holds no YAML document.",
    "yaml-not-mapping": "The profile is not a mapping of settings (`key: value` lines).",
    "yaml-multiple-documents": "The profile file holds more than one YAML document.",
    "yaml-merge-key": "The profile uses a merge key (`<<`): write the keys out.",
    "yaml-encoding": "The file is not UTF-8 (exit 2: it was not read).",
    "yaml-too-large": TOO_LARGE_SUMMARY,
}
"""What ``--list-rules`` says of each loader id: each is a different problem with the file."""
