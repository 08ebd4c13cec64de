"""The profile sets no ``lifecycle.expiry``: a quarantine lasts until someone removes it (info).

A forgotten host stays cut off, and if the Velociraptor client dies nothing but a person at the
console can lift the quarantine (Velociraptor issue #1141 asked to "time it out after a while in
case the user forgets"). With e.g. ``expiry: 72h`` the quarantine artifact registers a Windows
scheduled task, running as SYSTEM, whose one netsh command ends the quarantine at that time,
even with the client dead or after a reboot (on Linux a transient systemd timer or an at job,
on macOS a launchd job, each with one nft or pfctl command).

Reported only for a profile without errors (advice about a usable profile; a broken one gets
its errors).
"""

from __future__ import annotations

from typing import Any

from ...diagnostics import Diagnostic, Location, Severity
from ...yamlsource import YamlDocument

ID = "no-expiry"
SEVERITY = Severity.INFO
OPTIONS: dict[str, Any] = {}
REPORTED_BY = "the loader, for a profile without errors"

_MECHANISMS = {
    "windows": "a scheduled task running as SYSTEM",
    "linux": "a systemd timer or an at job",
    "macos": "a launchd job",
}


def advise(doc: YamlDocument) -> list[Diagnostic]:
    data: Any = doc.data if isinstance(doc.data, dict) else {}
    lifecycle = data.get("lifecycle")
    if isinstance(lifecycle, dict) and lifecycle.get("expiry"):
        return []
    where = (
        doc.location(("lifecycle",), key=True)
        if isinstance(lifecycle, dict)
        else Location(doc.path, 1, 1)
    )
    platforms = data.get("platforms")
    named = [p for p in platforms if p in _MECHANISMS] if isinstance(platforms, list) else []
    mechanisms = [_MECHANISMS[p] for p in dict.fromkeys(named or ["windows"])]
    return [
        Diagnostic(
            where,
            ID,
            SEVERITY,
            "no lifecycle.expiry: a quarantine made with this profile lasts until someone removes "
            "it, even if the Velociraptor client dies",
            f"set lifecycle.expiry (e.g. 72h): {' / '.join(mechanisms)} then ends it",
        )
    ]
