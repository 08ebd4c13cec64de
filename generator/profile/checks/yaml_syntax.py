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
