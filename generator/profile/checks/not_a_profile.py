"""The file is a Velociraptor artifact, not a quarantine profile.

An artifact (``name:`` and none of a profile's keys) is what ``render`` writes; lint it with
``vr-quarantine lint`` or run it with ``vr-quarantine simulate``. This is the only finding for
such a file: the schema would only list every artifact key as unknown.
"""

from __future__ import annotations

from typing import Any

from ...diagnostics import Severity

ID = "not-a-profile"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}
REPORTED_BY = "the loader"
