"""One endpoint model per platform, chosen from the artifact's precondition.

Every endpoint answers the artifact's side effects (`SideEffects`), records the commands it ran,
and describes its final state with the same keys (`policy_assigned`, `isolated`,
`server_reachable`, `half_applied`, ...), so scenarios and expectations are platform-neutral.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .endpoint import WindowsEndpoint
from .host import Endpoint
from .linux import LinuxEndpoint
from .macos import MacEndpoint
from .scenario import Scenario

_OS = re.compile(r"""\bOS\s*=\s*['"](windows|linux|darwin)['"]""", re.IGNORECASE)

WINDOWS_ONLY_SCENARIOS = frozenset(
    {
        "domain-ipsec-policy",
        "previous-policy",
        "dual-stack-any-ipv4-only",
        "enforcement-lost",
        "rules-deleted-locally",
        "registry-inconsistent",
    }
)
"""Built-in scenarios about Windows alone: a GPO IPsec policy (assigned before, or during the
quarantine's life), the site's own local IPsec policy given back at removal (Linux and macOS
artifacts use a table and an anchor of their own, which replace nothing), a reading of netsh's
``any`` keyword, rules deleted with netsh, and an inconsistent local IPsec store: they are not
run against a Linux or macOS artifact. Kept by hand: what makes each one Windows-only is a
`Scenario` field only the Windows endpoint models or a ``local`` event only it knows (the Linux
and macOS endpoints take every name but ``reboot`` as a removal), and the code marks neither."""


def applies(scenario_name: str, os_name: str) -> bool:
    """Whether a built-in scenario means anything on `os_name` (windows, linux, darwin)."""
    return os_name == "windows" or scenario_name not in WINDOWS_ONLY_SCENARIOS


def artifact_os(precondition: str | None) -> str | None:
    """The OS an artifact's precondition asks for (``windows``, ``linux``, ``darwin``)."""
    match = _OS.search(precondition or "")
    return match.group(1).lower() if match else None


def for_artifact(scenario: Scenario, precondition: str | None) -> Scenario:
    """The scenario on the artifact's platform: built-in scenarios are platform-neutral, and a
    scenario left on the default (windows) follows the artifact."""
    wanted = artifact_os(precondition)
    if wanted is not None and scenario.os == "windows" and wanted != "windows":
        return replace(scenario, os=wanted)
    return scenario


def make_endpoint(scenario: Scenario) -> Endpoint:
    if scenario.os == "linux":
        return LinuxEndpoint(scenario)
    if scenario.os == "darwin":
        return MacEndpoint(scenario)
    return WindowsEndpoint(scenario)
