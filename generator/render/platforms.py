"""Linux and macOS artifact sets: the quarantine, its monitor and its status artifact.

Same pipeline as the Windows artifact: profile -> plain-data context -> Jinja (one sandboxed
environment) -> YAML text -> read back and checked -> linted. The VQL templates see only the
profile's feature switches (and, for the monitor, the quarantine artifact's validated name);
every profile string reaches the artifacts as a parameter default or description text written by
the YAML serializer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from .. import __version__
from ..artifact import load_artifact, name_problem
from ..diagnostics import Diagnostic, Location, Severity
from ..lint import lint_artifact
from ..profile.model import Profile
from .context import SERVER_URL_COLUMNS, csv_text, profile_digest, rule_summary, switches
from .renderer import RenderedArtifact, artifact_filename, environment
from .selfcheck import check_artifact
from .unix import (
    EXTRA_DESTINATION_COLUMNS,
    UNIX_RULE_COLUMNS,
    UnixRule,
    UntranslatableRule,
    builtin_rules,
    unix_rules,
)

PLATFORMS = ("linux", "macos")
KINDS = ("quarantine", "monitor", "status")
TITLES = {"linux": "Linux", "macos": "macOS"}
NAME_PARTS = {"linux": "Linux", "macos": "MacOS"}

LINUX_DEFAULTS = {
    "pathToNFT": "/usr/sbin/nft",
    "TableName": "vrr_quarantine_table",
    "CurlPath": "/usr/bin/curl",
}
MACOS_DEFAULTS = {
    "PfctlPath": "/sbin/pfctl",
    "PFConfigPath": "/etc/pf.conf",
    "AnchorName": "com.apple/velociraptor.quarantine",
    "TokenFile": "/var/run/velociraptor-quarantine.pf-token",
    "CurlPath": "/usr/bin/curl",
}


@dataclass(frozen=True)
class PlatformNames:
    quarantine: str
    monitor: str
    status: str


def platform_names(windows_name: str, platform: str) -> PlatformNames:
    """The artifact names for `platform`: a ``Windows`` part becomes ``Linux``/``MacOS``
    (``Custom.Windows.Remediation.Quarantine`` -> ``Custom.Linux.Remediation.Quarantine``, the
    name the GUI's button looks for); any other name gets the platform as a last part. The
    monitor and status artifacts add ``Monitor`` and ``Status`` to the last part."""
    parts = windows_name.split(".")
    if "Windows" in parts:
        parts = [NAME_PARTS[platform] if p == "Windows" else p for p in parts]
    else:
        parts.append(NAME_PARTS[platform])
    quarantine = ".".join(parts)
    return PlatformNames(quarantine, quarantine + "Monitor", quarantine + "Status")


def _unix_summary(rule: UnixRule) -> str:
    def side(address: str, port: int) -> str:
        return address if not port else f"{address} port {port}"

    protocol = rule.protocol or "any protocol"
    mirrored = " (mirrored)" if rule.mirrored else ""
    return (
        f"{rule.description}: {protocol} {side(rule.src, rule.src_port)} -> "
        f"{side(rule.dst, rule.dst_port)}{mirrored}"
    )


def platform_context(profile: Profile, platform: str) -> dict[str, Any]:
    """Plain data for the templates of one platform. Raises UntranslatableRule."""
    info = profile.artifact
    names = platform_names(info.name, platform)
    rows = unix_rules(profile)
    common = {
        "RuleLookupTable": csv_text(UNIX_RULE_COLUMNS, [r.row() for r in rows]),
        "AdditionalAllowedDestinations": csv_text(EXTRA_DESTINATION_COLUMNS, []),
        "MessageBox": profile.message,
        "UseClientServerURLs": "Y" if profile.use_client_server_urls else "N",
        "ExtraServerURLs": csv_text(SERVER_URL_COLUMNS, [[s.url] for s in profile.server_urls]),
        "CheckTimeout": str(profile.rollback.timeout_seconds),
        "ForbiddenTestURL": profile.rollback.negative_check_url or "",
        "Expiry": profile.lifecycle.expiry or "",
        "Reason": info.reason or "",
        "Ticket": info.engagement or "",
        "RequireReason": "Y" if profile.lifecycle.require_reason else "N",
        "ProfileId": profile.id,
        "ProfileSHA256": profile_digest(profile),
        "ToolVersion": f"vr-quarantine {__version__}",
        "QuarantineArtifact": names.quarantine,
    }
    if platform == "linux":
        options = {
            "pathToNFT": profile.linux.nft_path,
            "TableName": profile.linux.table_name,
            "CurlPath": LINUX_DEFAULTS["CurlPath"],
        }
    else:
        options = {
            **MACOS_DEFAULTS,
            "PfctlPath": profile.macos.pfctl_path,
            "AnchorName": profile.macos.anchor,
            "TokenFile": profile.macos.token_file,
        }
    defaults = {
        **options,
        **common,
        "ReloadPeriod": str(profile.lifecycle.monitor_period_seconds),
        "ReleaseDelay": str(profile.lifecycle.release_delay_seconds),
        "ReleaseAfterUnreachableMinutes": str(profile.lifecycle.release_after_unreachable_minutes),
    }
    switch_values = switches(profile)
    return {
        "platform": platform,
        "platform_title": TITLES[platform],
        "profile_id": profile.id,
        "profile_sha256": profile_digest(profile),
        "tool_version": __version__,
        "artifact": {
            "name": names.quarantine,
            "author": info.author,
            "description": info.description.rstrip("\n"),
            "references": list(info.references),
            "engagement": info.engagement or "",
            "reason": info.reason or "",
        },
        "quarantine_name": names.quarantine,
        "monitor_name": names.monitor,
        "status_name": names.status,
        "switches": switch_values,
        "server_urls": [s.url for s in profile.server_urls],
        "rules": [{"action": r.action.capitalize(), "summary": _unix_summary(r)} for r in rows],
        "builtin_descriptions": [r.description for r in builtin_rules(profile)],
        "defaults": defaults,
    }


@functools.lru_cache(maxsize=64)
def _render_vql(name: str, switch_items: tuple[tuple[str, bool], ...], quarantine: str) -> str:
    return (
        environment()
        .get_template(name)
        .render(switches=dict(switch_items), quarantine_name=quarantine)
    )


def _vql(platform: str, kind: str, context: dict[str, Any]) -> str:
    """The query: it depends on the switches only (the monitor's on the quarantine's name)."""
    if kind == "monitor":
        return _render_vql(f"{platform}/vql/monitor.vql.j2", (), context["quarantine_name"])
    switch_items = tuple(sorted(context["switches"].items()))
    return _render_vql(f"{platform}/vql/{kind}.vql.j2", switch_items, "")


def _problem(source: str, rule: str, message: str, hint: str) -> Diagnostic:
    return Diagnostic(Location(source), rule, Severity.ERROR, message, hint)


QUARANTINE_KEYS = (
    "name",
    "author",
    "description",
    "type",
    "required_permissions",
    "precondition",
    "resources",
    "parameters",
    "sources",
)
COMPANION_KEYS = tuple(k for k in QUARANTINE_KEYS if k != "resources")
SHARED_PARAMETERS = {
    "linux": (
        "pathToNFT",
        "TableName",
        "RuleLookupTable",
        "AdditionalAllowedDestinations",
        "MessageBox",
        "VelociraptorURL",
        "UseClientServerURLs",
        "ExtraServerURLs",
        "CheckTimeout",
        "ForbiddenTestURL",
        "CurlPath",
        "Expiry",
        "Reason",
        "Ticket",
        "RequireReason",
        "ProfileId",
        "ProfileSHA256",
        "ToolVersion",
        "QuarantineArtifact",
    ),
    "macos": (
        "PfctlPath",
        "PFConfigPath",
        "AnchorName",
        "TokenFile",
        "RuleLookupTable",
        "AdditionalAllowedDestinations",
        "MessageBox",
        "VelociraptorURL",
        "UseClientServerURLs",
        "ExtraServerURLs",
        "CheckTimeout",
        "ForbiddenTestURL",
        "CurlPath",
        "Expiry",
        "Reason",
        "Ticket",
        "RequireReason",
        "ProfileId",
        "ProfileSHA256",
        "ToolVersion",
        "QuarantineArtifact",
    ),
}
STATUS_PARAMETERS = {
    "linux": ("pathToNFT", "TableName"),
    "macos": ("PfctlPath", "AnchorName", "TokenFile"),
}
PROBE_PARAMETERS = (
    "VelociraptorURL",
    "UseClientServerURLs",
    "ExtraServerURLs",
    "CheckTimeout",
    "CurlPath",
)


def parameter_names(platform: str, kind: str) -> tuple[str, ...]:
    """The parameters each artifact of a platform declares, in order."""
    if kind == "quarantine":
        return (
            *SHARED_PARAMETERS[platform],
            "RemovePolicy",
            "MonitorMode",
            "ProbeWhenInForce",
            "ReleaseDelay",
        )
    if kind == "monitor":
        return (
            *SHARED_PARAMETERS[platform],
            "ReloadPeriod",
            "StartDelay",
            "ReleaseDelay",
            "ReleaseAfterUnreachableMinutes",
        )
    return (*STATUS_PARAMETERS[platform], *PROBE_PARAMETERS)


def _render_one(platform: str, kind: str, context: dict[str, Any], source: str) -> RenderedArtifact:
    env = environment()
    name = context[f"{kind}_name"]
    filename = artifact_filename(name)
    if name_problem(name) is not None:
        return RenderedArtifact(
            name,
            filename,
            None,
            [
                _problem(
                    source,
                    "render-artifact-name",
                    f"artifact name {name!r} is not a valid Velociraptor artifact name",
                    "use letters, digits and _ in dot-separated parts",
                )
            ],
        )
    vql = _vql(platform, kind, context)
    if kind == "quarantine":
        # The quarantine removes at once when collected with RemovePolicy; only the monitor
        # passes the profile's release delay, when its event query ends.
        context = {**context, "defaults": {**context["defaults"], "ReleaseDelay": "0"}}
        description = env.get_template(f"{platform}/description.md.j2").render(context)
        text = env.get_template(f"{platform}/artifact.yaml.j2").render(
            context, vql=vql, description=description
        )
    else:
        description = env.get_template(f"unix/{kind}_description.md.j2").render(context)
        text = env.get_template(f"{platform}/{kind}.yaml.j2").render(
            context, **{f"{kind}_vql": vql, f"{kind}_description": description}
        )
    artifact = load_artifact(filename, text)
    problems = check_artifact(
        artifact,
        text,
        name=name,
        references=context["artifact"]["references"] if kind == "quarantine" else [],
        defaults=context["defaults"],
        vql=vql,
        keys=QUARANTINE_KEYS if kind == "quarantine" else COMPANION_KEYS,
        parameter_names=parameter_names(platform, kind),
    )
    if not problems:
        problems = [d for d in lint_artifact(artifact) if d.severity is Severity.ERROR]
    if problems:
        return RenderedArtifact(name, filename, None, problems)
    return RenderedArtifact(name, filename, text, file=artifact)


def render_platform(
    profile: Profile, platform: str, *, source: str = "<profile>"
) -> list[RenderedArtifact]:
    """The quarantine, monitor and status artifacts of `platform` for `profile`."""
    try:
        context = platform_context(profile, platform)
    except UntranslatableRule as problem:
        name = platform_names(profile.artifact.name, platform).quarantine
        return [
            RenderedArtifact(
                name,
                artifact_filename(name),
                None,
                [
                    _problem(
                        source,
                        "platform-no-equivalent",
                        f"{TITLES[platform]}: {problem}",
                        "run `vr-quarantine validate` on the profile",
                    )
                ],
            )
        ]
    return [_render_one(platform, kind, context, source) for kind in KINDS]


__all__ = ["PLATFORMS", "platform_context", "platform_names", "render_platform", "rule_summary"]
