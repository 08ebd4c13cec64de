"""The file or folder cannot be read (``io-error``).

A path that does not exist, a folder without ``*.yaml``/``*.yml`` files, or a file that is not
a regular file, cannot be opened or is being changed while it is read. Every other file is
still checked; the run exits 2. Reported by the input layer (`generator.inputs`).
"""

from __future__ import annotations

from typing import Any

from ...diagnostics import IO_ERROR_RULE, Severity

ID = "io-error"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}
REPORTED_BY = "the loader"
SUMMARIES = {ID: IO_ERROR_RULE.summary}  # the words lint and render list it with
