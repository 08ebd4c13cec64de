"""Two profiles checked together share an artifact name.

Both would write ``<name>.yaml``, and on the Velociraptor server the second upload replaces
the first: one engagement's quarantine would silently replace another's. Checked across the
files of one ``validate`` run (and ``render`` refuses the second profile).
"""

from __future__ import annotations

from typing import Any

from ...diagnostics import Severity

ID = "duplicate-artifact-name"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}
REPORTED_BY = "the loader"
