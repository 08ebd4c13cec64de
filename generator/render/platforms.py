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

from ..artifact import ParsedVql, name_problem
from ..diagnostics import Diagnostic, Location, Severity
from ..profile import Profile
from .context import (
    artifact_context,
    csv_text,
    endpoint_text,
    provenance,
    shared_defaults,
    switches,
    traffic_summary,
)
from .renderer import (
    RenderedArtifact,
    artifact_filename,
    checked_artifact,
    environment,
    monitor_vql,
    name_diagnostic,
    render_windows,
)
from .selfcheck import ARTIFACT_KEYS, COMPANION_KEYS
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

UNIX_CURL_PATH = "/usr/bin/curl"
PF_CONFIG_PATH = "/etc/pf.conf"


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
    text = traffic_summary(
        rule.description,
        rule.protocol,
        endpoint_text(rule.src, "", rule.src_port),
        endpoint_text(rule.dst, "", rule.dst_port),
        rule.mirrored and not rule.replies,
    )
    return text + (" (replies by connection state)" if rule.replies else "")


def _options(profile: Profile, platform: str) -> dict[str, str]:
    """The platform's own parameters (`OPTION_PARAMETERS`), from the profile's options."""
    if platform == "linux":
        return {"pathToNFT": profile.linux.nft_path, "TableName": profile.linux.table_name}
    return {
        "PfctlPath": profile.macos.pfctl_path,
        "PFConfigPath": PF_CONFIG_PATH,
        "AnchorName": profile.macos.anchor,
        "TokenFile": profile.macos.token_file,
    }


def platform_context(profile: Profile, platform: str) -> dict[str, Any]:
    """Plain data for the templates of one platform. Raises UntranslatableRule."""
    names = platform_names(profile.artifact.name, platform)
    rows = unix_rules(profile)
    origin = provenance(profile)
    defaults = {
        **_options(profile, platform),
        **shared_defaults(profile, names.quarantine, origin),
        "RuleLookupTable": csv_text(UNIX_RULE_COLUMNS, [r.row() for r in rows]),
        "AdditionalAllowedDestinations": csv_text(EXTRA_DESTINATION_COLUMNS, []),
        "ForbiddenTestURL": profile.rollback.negative_check_url or "",
        "CurlPath": UNIX_CURL_PATH,
        "ReleaseDelay": str(profile.lifecycle.release_delay_seconds),
    }
    return {
        "platform": platform,
        "platform_title": TITLES[platform],
        "profile_id": profile.id,
        "provenance": origin,
        "artifact": artifact_context(profile, names.quarantine),
        "quarantine_name": names.quarantine,
        "monitor_name": names.monitor,
        "status_name": names.status,
        "switches": switches(profile),
        "server_urls": [s.url for s in profile.server_urls],
        "rules": [{"action": r.action.capitalize(), "summary": _unix_summary(r)} for r in rows],
        "builtin_descriptions": [r.description for r in builtin_rules(profile)],
        "defaults": defaults,
    }


@functools.lru_cache(maxsize=64)
def _render_vql(name: str, switch_items: tuple[tuple[str, bool], ...]) -> str:
    return environment().get_template(name).render(switches=dict(switch_items))


def _vql(platform: str, kind: str, context: dict[str, Any]) -> tuple[str, tuple[ParsedVql, ...]]:
    """The query, and its parse when already at hand: it depends on the switches only (the
    monitor's on the quarantine's name alone)."""
    if kind == "monitor":
        vql, parsed = monitor_vql(f"{platform}/vql/monitor.vql.j2", {}, context["quarantine_name"])
        return vql, (parsed,)
    switch_items = tuple(sorted(context["switches"].items()))
    return _render_vql(f"{platform}/vql/{kind}.vql.j2", switch_items), ()


OPTION_PARAMETERS = {
    "linux": ("pathToNFT", "TableName"),
    "macos": ("PfctlPath", "PFConfigPath", "AnchorName", "TokenFile"),
}
SHARED_PARAMETERS = (
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
    "ReplaceOtherProfile",
    "ProfileId",
    "ProfileSHA256",
    "ToolVersion",
    "QuarantineArtifact",
)
"""The parameters of the quarantine and monitor artifacts, after the platform's own."""
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
            *OPTION_PARAMETERS[platform],
            *SHARED_PARAMETERS,
            "RemovePolicy",
            "MonitorMode",
            "ProbeWhenInForce",
            "ReleaseDelay",
        )
    if kind == "monitor":
        return (
            *OPTION_PARAMETERS[platform],
            *SHARED_PARAMETERS,
            "ReloadPeriod",
            "StartDelay",
            "ReleaseDelay",
            "ReleaseAfterUnreachableMinutes",
        )
    return (*STATUS_PARAMETERS[platform], *PROBE_PARAMETERS)


def _render_one(
    platform: str,
    kind: str,
    context: dict[str, Any],
    source: str,
    quarantine: RenderedArtifact | None,
) -> RenderedArtifact:
    env = environment()
    name = context[f"{kind}_name"]
    filename = artifact_filename(name)
    if name_problem(name) is not None:
        return RenderedArtifact(name, filename, None, [name_diagnostic(source, name)])
    vql, parsed = _vql(platform, kind, context)
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
    return checked_artifact(
        name,
        filename,
        text,
        parsed=parsed,
        quarantine=quarantine,
        references=context["artifact"]["references"] if kind == "quarantine" else [],
        defaults=context["defaults"],
        vql=vql,
        keys=ARTIFACT_KEYS if kind == "quarantine" else COMPANION_KEYS,
        parameter_names=parameter_names(platform, kind),
    )


def render_platform(
    profile: Profile, platform: str, *, source: str = "<profile>"
) -> list[RenderedArtifact]:
    """The quarantine, monitor and status artifacts of `platform` for `profile`."""
    if platform == "windows":
        return render_windows(profile, source=source)
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
                    Diagnostic(
                        Location(source),
                        "platform-no-equivalent",
                        Severity.ERROR,
                        f"{TITLES[platform]}: {problem}",
                        "run `vr-quarantine validate` on the profile",
                    )
                ],
            )
        ]
    quarantine = _render_one(platform, "quarantine", context, source, None)
    return [
        quarantine,
        *(_render_one(platform, kind, context, source, quarantine) for kind in KINDS[1:]),
    ]


__all__ = ["PLATFORMS", "platform_context", "platform_names", "render_platform"]
