"""Build the typed `Profile` from a document that passed the schema and the semantic checks."""

from __future__ import annotations

from typing import Any

from .checks import Checked
from .model import (
    DEFAULT_ARTIFACT_NAME,
    DEFAULT_CHECK_TIMEOUT,
    DEFAULT_POLICY_NAME,
    ArtifactInfo,
    Lifecycle,
    LinuxOptions,
    MacOptions,
    Profile,
    Rollback,
    Rule,
    ServerUrl,
)
from .rules import ParsedRule


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _rule(parsed: ParsedRule) -> Rule:
    return Rule(
        action="permit" if parsed.action == "permit" else "block",
        src_addr=parsed.src.netsh,
        src_mask=parsed.src.mask,
        src_port=parsed.src_port,
        dst_addr=parsed.dst.netsh,
        dst_mask=parsed.dst.mask,
        dst_port=parsed.dst_port,
        protocol=parsed.protocol,
        mirrored=parsed.mirrored,
        description=parsed.description,
    )


def build_profile(data: dict[str, Any], checked: Checked) -> Profile:
    """`data` must be schema-valid and `checked` free of errors; defaults are filled in here."""
    artifact = _section(data, "artifact")
    servers = _section(data, "servers")
    allow = _section(data, "allow")
    rollback = _section(data, "rollback")
    urls = tuple(
        ServerUrl(
            url=u.url,
            scheme="wss" if u.scheme == "wss" else "https",
            host=u.host,
            port=u.port,
            host_kind=u.host_kind,
        )
        for u in checked.urls
    )
    linux = _section(data, "linux")
    macos = _section(data, "macos")
    lifecycle = _section(data, "lifecycle")
    platforms = data.get("platforms") or ["windows"]
    return Profile(
        format_version=int(data["format_version"]),
        id=str(data["id"]),
        artifact=ArtifactInfo(
            name=artifact.get("name", DEFAULT_ARTIFACT_NAME),
            author=artifact.get("author", ""),
            description=artifact.get("description", ""),
            references=tuple(artifact.get("references", ())),
            engagement=artifact.get("engagement") or None,
            reason=artifact.get("reason") or None,
        ),
        policy_name=data.get("policy_name", DEFAULT_POLICY_NAME),
        use_client_server_urls=servers.get("from_client_config", True),
        server_urls=urls,
        allow_dns=allow.get("dns", True),
        allow_dhcp=allow.get("dhcp", True),
        block_all=data.get("block_all", True),
        rules=tuple(_rule(r) for r in checked.rules),
        message=data.get("message", ""),
        rollback=Rollback(
            connectivity_check=rollback.get("connectivity_check", True),
            timeout_seconds=rollback.get("timeout_seconds", DEFAULT_CHECK_TIMEOUT),
            negative_check_url=rollback.get("negative_check_url") or None,
        ),
        platforms=tuple(str(p) for p in platforms),
        linux=LinuxOptions(**{k: str(v) for k, v in linux.items()}),
        macos=MacOptions(**{k: str(v) for k, v in macos.items()}),
        lifecycle=Lifecycle(
            expiry=lifecycle.get("expiry") or None,
            require_reason=bool(lifecycle.get("require_reason", False)),
            monitor_period_seconds=int(lifecycle.get("monitor_period_seconds", 600)),
            release_delay_seconds=int(lifecycle.get("release_delay_seconds", 600)),
            release_after_unreachable_minutes=int(
                lifecycle.get("release_after_unreachable_minutes", 0)
            ),
        ),
    )
