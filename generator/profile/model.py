"""The typed model of a validated quarantine profile.

Built only from a profile that passed the schema and the semantic checks; every value is already
in the form the artifact needs (netsh spellings for addresses, masks and protocols), so the
renderer never re-interprets user text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DEFAULT_ARTIFACT_NAME = "Custom.Windows.Remediation.Quarantine"
DEFAULT_POLICY_NAME = "VelociraptorQuarantine"
DEFAULT_CHECK_TIMEOUT = 30
PLATFORMS = ("windows", "linux", "macos")

Action = Literal["permit", "block"]


@dataclass(frozen=True)
class ArtifactInfo:
    name: str
    author: str
    description: str
    references: tuple[str, ...]
    engagement: str | None
    """Engagement name or ticket id, e.g. ``IR-2026-042``."""
    reason: str | None
    """Why hosts are quarantined with this profile."""


@dataclass(frozen=True)
class ServerUrl:
    """An extra Velociraptor server URL (https or wss), normalised."""

    url: str
    """As written in the profile."""
    scheme: Literal["https", "wss"]
    host: str
    """Without brackets for IPv6 literals."""
    port: int
    """The explicit port, or 443."""
    host_kind: Literal["ipv4", "ipv6", "dns"]


@dataclass(frozen=True)
class Rule:
    """One row of the artifact's rule table, with netsh's meaning.

    Addresses are netsh spellings: ``me``, ``any``, an IPv4/IPv6 address, ``a-b`` ranges, a DNS
    name, or a server keyword (``DNS``, ``WINS``, ``DHCP``, ``GATEWAY``). A mask is a dotted mask
    or a prefix length 1-32, empty when none. ``None`` ports and protocol are left out of the
    netsh command line (netsh's defaults apply).
    """

    action: Action
    src_addr: str
    src_mask: str
    src_port: int | None
    dst_addr: str
    dst_mask: str
    dst_port: int | None
    protocol: str | None
    """``any``, ``icmp``, ``tcp``, ``udp``, ``raw`` or a number 0-255 as text."""
    mirrored: bool
    description: str


@dataclass(frozen=True)
class Rollback:
    connectivity_check: bool
    timeout_seconds: int
    negative_check_url: str | None
    """A URL that must be unreachable once the policy is in force."""


@dataclass(frozen=True)
class LinuxOptions:
    """The Linux (nftables) artifacts' options; upstream Linux.Remediation.Quarantine's defaults."""

    nft_path: str = "/usr/sbin/nft"
    table_name: str = "vrr_quarantine_table"


@dataclass(frozen=True)
class MacOptions:
    """The macOS (pf) artifacts' options; upstream MacOS.Remediation.Quarantine's defaults."""

    pfctl_path: str = "/sbin/pfctl"
    anchor: str = "com.apple/velociraptor.quarantine"
    token_file: str = "/var/run/velociraptor-quarantine.pf-token"


@dataclass(frozen=True)
class Lifecycle:
    """How a quarantine lives on: its maximum duration, the monitor, the reason it needs."""

    expiry: str | None = None
    """A duration such as ``72h``, ``90m`` or ``3d``; None: no limit (validate says so)."""
    require_reason: bool = False
    """Refuse to quarantine without a Reason."""
    monitor_period_seconds: int = 600
    """How often the monitor companion checks the quarantine."""
    release_delay_seconds: int = 600
    """When the monitor stops, the quarantine ends this much later unless it starts again."""
    release_after_unreachable_minutes: int = 0
    """The monitor ends the quarantine when the server has been unreachable this long (0: never)."""


@dataclass(frozen=True)
class Profile:
    format_version: int
    id: str
    artifact: ArtifactInfo
    policy_name: str
    use_client_server_urls: bool
    """Permit the client config's own ``server_urls`` (resolved on the endpoint)."""
    server_urls: tuple[ServerUrl, ...]
    allow_dns: bool
    allow_dhcp: bool
    block_all: bool
    rules: tuple[Rule, ...]
    """The profile's extra rules only; DNS, DHCP and block-all are added by the renderer."""
    message: str
    rollback: Rollback
    platforms: tuple[str, ...] = ("windows",)
    """The platforms the profile renders artifacts for, in the order written."""
    linux: LinuxOptions = LinuxOptions()
    macos: MacOptions = MacOptions()
    lifecycle: Lifecycle = Lifecycle()
