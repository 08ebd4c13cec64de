"""The render context: a profile turned into plain data (dicts, lists, str, int, bool).

Templates only ever see what this module returns. The VQL template gets `switches` alone, so the
query text can depend on the profile's feature switches but never on its strings; everything else
(names, URLs, addresses, messages) becomes a parameter default or description text, written by the
YAML serializer.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .. import __version__
from ..profile import Profile, Rule, table_rules

RULE_TABLE_COLUMNS = (
    "Action",
    "SrcAddr",
    "SrcMask",
    "SrcPort",
    "DstAddr",
    "DstMask",
    "DstPort",
    "Protocol",
    "Mirrored",
    "Description",
)
SERVER_URL_COLUMNS = ("URL",)
DEFAULT_CURL_PATH = "C:\\Windows\\System32\\curl.exe"


def _port(port: int | None) -> str:
    return "" if port is None else str(port)


def rule_row(rule: Rule) -> list[str]:
    """One rule as the ten RuleLookupTable cells, in netsh's spellings."""
    return [
        rule.action.capitalize(),
        rule.src_addr,
        rule.src_mask,
        _port(rule.src_port),
        rule.dst_addr,
        rule.dst_mask,
        _port(rule.dst_port),
        rule.protocol or "",
        "yes" if rule.mirrored else "no",
        rule.description,
    ]


def _csv_field(value: str) -> str:
    # Python's csv writer leaves a lone "\r" unquoted when lines end in "\n"; a reader then splits
    # the row there. Quote every field that holds a separator, a quote, a line break or edge space.
    if value != value.strip(" \t") or any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_text(header: tuple[str, ...], rows: list[list[str]]) -> str:
    """CSV with ``\\n`` line ends and minimal quoting (upstream's table comes out unchanged)."""
    lines = [header, *rows]
    # A one-column row holding "" would be a blank line, which CSV readers skip: quote it.
    return "".join(
        (",".join(_csv_field(field) for field in line) if line != [""] else '""') + "\n"
        for line in lines
    )


def switches(profile: Profile) -> dict[str, bool]:
    """The feature switches: the only profile data the VQL template sees."""
    return {
        "connectivity_check": profile.rollback.connectivity_check,
        "block_all": profile.block_all,
        "allow_dns": profile.allow_dns,
        "allow_dhcp": profile.allow_dhcp,
        "use_client_server_urls": profile.use_client_server_urls,
        "negative_check": profile.rollback.negative_check_url is not None,
    }


def _plain(value: Any) -> Any:
    """`dataclasses.asdict` for the profile's frozen dataclasses, tuples and scalars, without
    its deep copies (the values are immutable): the same JSON, several times faster."""
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:
        return {name: _plain(getattr(value, name)) for name in fields}
    return value


def profile_digest(profile: Profile) -> str:
    """The SHA-256 of the profile's canonical JSON: the same profile always gives the same
    digest, whatever its layout, comments or key order in YAML."""
    canonical = json.dumps(_plain(profile), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def provenance(profile: Profile) -> dict[str, str]:
    """The header comment's values. The id is ASCII with escapes (JSON's): a comment line ends
    at a line break, so nothing from the profile may bring one (validate allows only a slug,
    but render takes any `Profile`)."""
    return {
        "tool_version": f"vr-quarantine {__version__}",
        "profile_id": json.dumps(profile.id)[1:-1],
        "profile_sha256": profile_digest(profile),
    }


def shared_defaults(profile: Profile, quarantine: str, origin: dict[str, str]) -> dict[str, str]:
    """The parameter defaults every platform's artifacts share, as the strings Velociraptor
    passes to the query; `quarantine` is the platform's quarantine artifact name."""
    return {
        "MessageBox": profile.message,
        "UseClientServerURLs": "Y" if profile.use_client_server_urls else "N",
        "ExtraServerURLs": csv_text(SERVER_URL_COLUMNS, [[s.url] for s in profile.server_urls]),
        "CheckTimeout": str(profile.rollback.timeout_seconds),
        "Reason": profile.artifact.reason or "",
        "Ticket": profile.artifact.engagement or "",
        "RequireReason": "Y" if profile.lifecycle.require_reason else "N",
        "Expiry": profile.lifecycle.expiry or "",
        "ProfileId": profile.id,
        "ProfileSHA256": origin["profile_sha256"],
        "ToolVersion": origin["tool_version"],
        "QuarantineArtifact": quarantine,
        "ReloadPeriod": str(profile.lifecycle.monitor_period_seconds),
        "ReleaseAfterUnreachableMinutes": str(profile.lifecycle.release_after_unreachable_minutes),
    }


def parameter_defaults(profile: Profile, origin: dict[str, str]) -> dict[str, str]:
    """Every parameter default of the Windows artifacts."""
    table = [rule_row(rule) for rule in table_rules(profile)]
    return {
        **shared_defaults(profile, profile.artifact.name, origin),
        "PolicyName": profile.policy_name,
        "RuleLookupTable": csv_text(RULE_TABLE_COLUMNS, table),
        "NegativeCheckURL": profile.rollback.negative_check_url or "",
        "CurlPath": DEFAULT_CURL_PATH,
        "StartDelay": "60",
        "ReleaseDelay": "0",
    }


def endpoint_text(addr: str, mask: str, port: int | None) -> str:
    """One side of a rule in words: ``10.0.0.0/8``, ``any port 53``."""
    text = addr + (f"/{mask}" if mask else "")
    return text if port in (None, 0) else f"{text} port {port}"


def traffic_summary(
    description: str, protocol: str | None, src: str, dst: str, mirrored: bool
) -> str:
    """A rule in words for the description, e.g. ``DNS: udp me -> any port 53 (mirrored)``."""
    return f"{description}: {protocol or 'any protocol'} {src} -> {dst}" + (
        " (mirrored)" if mirrored else ""
    )


def rule_summary(rule: Rule) -> str:
    """A netsh rule in words (`traffic_summary`)."""
    return traffic_summary(
        rule.description,
        rule.protocol,
        endpoint_text(rule.src_addr, rule.src_mask, rule.src_port),
        endpoint_text(rule.dst_addr, rule.dst_mask, rule.dst_port),
        rule.mirrored,
    )


def artifact_context(profile: Profile, name: str) -> dict[str, Any]:
    """The ``artifact`` entry of every platform's context: the quarantine artifact `name` and
    what the profile says about it."""
    info = profile.artifact
    return {
        "name": name,
        "author": info.author,
        "description": info.description.rstrip("\n"),
        "references": list(info.references),
        "engagement": info.engagement or "",
        "reason": info.reason or "",
    }


def build_context(profile: Profile) -> dict[str, Any]:
    """Everything the artifact and description templates need, as plain data."""
    origin = provenance(profile)
    return {
        "profile_id": profile.id,
        "policy_name": profile.policy_name,
        "artifact": artifact_context(profile, profile.artifact.name),
        "switches": switches(profile),
        "server_urls": [s.url for s in profile.server_urls],
        "rules": [
            {"action": rule.action.capitalize(), "summary": rule_summary(rule)}
            for rule in table_rules(profile)
        ],
        "defaults": parameter_defaults(profile, origin),
        "provenance": origin,
        "role": "quarantine",
    }
