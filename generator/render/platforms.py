"""Linux and macOS artifact sets: the quarantine, its monitor and its status artifact.

Same pipeline as the Windows artifact: profile -> plain-data context -> Jinja (one sandboxed
environment) -> YAML text -> read back and checked -> linted. The VQL templates see only the
profile's feature switches (and, for the monitor, the quarantine artifact's validated name);
every profile string reaches the artifacts as a parameter default or description text written by
the YAML serializer.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import yaml

from .. import __version__
from ..diagnostics import Diagnostic, Location, Severity
from ..lint import lint_text
from ..profile.model import Profile
from .context import SERVER_URL_COLUMNS, csv_text, rule_summary, switches
from .renderer import RenderedArtifact, artifact_filename, environment
from .selfcheck import check_vql
from .unix import (
    EXTRA_DESTINATION_COLUMNS,
    UNIX_RULE_COLUMNS,
    UnixRule,
    UntranslatableRule,
    builtin_rules,
    unix_rules,
)

PLATFORMS = ("linux", "macos")
TITLES = {"linux": "Linux", "macos": "macOS"}
NAME_PARTS = {"linux": "Linux", "macos": "MacOS"}
_ARTIFACT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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
        "ExpiryHours": "0",
        "Reason": info.reason or "",
        "Ticket": info.engagement or "",
        "ProfileID": profile.id,
        "ToolVersion": __version__,
    }
    defaults = {**(LINUX_DEFAULTS if platform == "linux" else MACOS_DEFAULTS), **common}
    switch_values = {**switches(profile), "require_reason": False}
    return {
        "platform": platform,
        "platform_title": TITLES[platform],
        "profile_id": profile.id,
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


def _check(
    filename: str, text: str, name: str, defaults: dict[str, str], vql: str
) -> list[Diagnostic]:
    """Read the artifact back: its name, every default and the query must come back unchanged."""
    try:
        data: Any = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as error:
        return [_problem(filename, "render-self-check", f"not valid YAML: {error}", "a bug")]
    problems: list[Diagnostic] = []
    if not isinstance(data, dict) or data.get("name") != name:
        problems.append(_problem(filename, "render-self-check", "the name does not read back", ""))
        return problems
    for param in data.get("parameters") or []:
        key = param.get("name")
        if key in defaults and param.get("default") != defaults[key]:
            problems.append(
                _problem(
                    filename,
                    "render-self-check",
                    f"the default of {key} does not read back unchanged",
                    "this is a bug in vr-quarantine or in an edited template",
                )
            )
    query = (data.get("sources") or [{}])[0].get("query")
    if query != vql:
        problems.append(
            _problem(filename, "render-self-check", "the query does not read back", "a bug")
        )
    else:
        problems.extend(check_vql(filename, vql))
    return problems


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
                        "drop the platform from `platforms`, or rewrite the rule",
                    )
                ],
            )
        ]
    env = environment()
    out: list[RenderedArtifact] = []
    for kind, name_key in (
        ("quarantine", "quarantine_name"),
        ("monitor", "monitor_name"),
        ("status", "status_name"),
    ):
        name = context[name_key]
        filename = artifact_filename(name)
        if not _ARTIFACT_NAME.match(name):
            out.append(
                RenderedArtifact(
                    name,
                    filename,
                    None,
                    [_problem(source, "render-artifact-name", f"invalid name {name!r}", "")],
                )
            )
            continue
        vql = _vql(platform, kind, context)
        if kind == "quarantine":
            description = env.get_template(f"{platform}/description.md.j2").render(context)
            text = env.get_template(f"{platform}/artifact.yaml.j2").render(
                context, vql=vql, description=description
            )
        elif kind == "monitor":
            description = env.get_template("unix/monitor_description.md.j2").render(context)
            text = env.get_template(f"{platform}/monitor.yaml.j2").render(
                context, monitor_vql=vql, monitor_description=description
            )
        else:
            description = env.get_template("unix/status_description.md.j2").render(context)
            text = env.get_template(f"{platform}/status.yaml.j2").render(
                context, status_vql=vql, status_description=description
            )
        problems = _check(filename, text, name, context["defaults"], vql)
        if not problems:
            problems = [d for d in lint_text(filename, text) if d.severity is Severity.ERROR]
        out.append(RenderedArtifact(name, filename, None if problems else text, problems))
    return out


__all__ = ["PLATFORMS", "platform_context", "platform_names", "render_platform", "rule_summary"]
