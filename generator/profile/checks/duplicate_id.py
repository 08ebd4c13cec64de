"""Two profiles checked together share a profile id.

The id names the profile in the quarantine's state on the host and in reports; two profiles
with one id cannot be told apart. Checked across the files of one ``validate`` run.
"""

from __future__ import annotations

from typing import Any

from ...diagnostics import Severity

ID = "duplicate-id"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}
REPORTED_BY = "the loader"
