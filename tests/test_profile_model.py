"""The typed model the renderer consumes: netsh spellings, defaults, and the built-in profile."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from vr_quarantine.profile import ProfileResult, default_profile, load_profile, load_profile_file
from vr_quarantine.profile.model import Rule, ServerUrl

ROOT = Path(__file__).resolve().parent.parent


def _load(body: str) -> ProfileResult:
    return load_profile("t.yaml", ("format_version: 1\nid: t\n" + body).encode())


def _rule(fields: str) -> Rule:
    result = _load("rules:\n  - " + fields.replace(", ", "\n    ") + "\n")
    assert result.profile is not None, result.diagnostics
    [rule] = result.profile.rules
    return rule


@pytest.mark.parametrize(
    ("destination", "extra", "addr", "mask"),
    [
        ("198.51.100.0/24", "", "198.51.100.0", "255.255.255.0"),
        ("198.51.100.0", "destination_mask: 24", "198.51.100.0", "255.255.255.0"),
        ("198.51.100.0", "destination_mask: 255.255.254.0", "198.51.100.0", "255.255.254.0"),
        ("10.0.0.0/8", "", "10.0.0.0", "255.0.0.0"),
        ("198.51.100.7/32", "", "198.51.100.7", ""),
        ("198.51.100.7", "", "198.51.100.7", ""),
        ("2001:DB8:0:0::1", "", "2001:db8::1", ""),
        ("2001:db8::1-2001:db8::ff", "", "2001:db8::1-2001:db8::ff", ""),
        ("192.0.2.10-192.0.2.20", "", "192.0.2.10-192.0.2.20", ""),
        ("Files.Example.ORG", "", "files.example.org", ""),
        ("Any", "", "any", ""),
    ],
)
def test_addresses_become_netsh_spellings(
    destination: str, extra: str, addr: str, mask: str
) -> None:
    fields = f"action: block, source: me, destination: '{destination}'"
    if extra:
        fields += ", " + extra
    rule = _rule(fields)
    assert (rule.dst_addr, rule.dst_mask) == (addr, mask)
    assert (rule.src_addr, rule.src_mask) == ("me", "")


def test_server_keyword_is_upper_case() -> None:
    rule = _rule("action: permit, source: me, destination: gateway")
    assert rule.dst_addr == "GATEWAY"


def test_ports_and_protocol_absent_are_none_and_defaults_apply() -> None:
    rule = _rule("action: block, source: me, destination: 192.0.2.1")
    assert (rule.src_port, rule.dst_port, rule.protocol) == (None, None, None)
    assert rule.mirrored is True
    assert rule.description == ""


def test_ports_protocol_mirrored_description_kept() -> None:
    rule = _rule(
        "action: permit, source: me, source_port: 0, destination: 192.0.2.1, "
        "destination_port: 445, protocol: tcp, mirrored: true, description: Evidence share"
    )
    assert rule == Rule("permit", "me", "", 0, "192.0.2.1", "", 445, "tcp", True, "Evidence share")


def test_protocol_number_is_text() -> None:
    assert (
        _rule("action: permit, source: me, destination: 192.0.2.1, protocol: 47").protocol == "47"
    )


def test_server_urls_parsed() -> None:
    result = _load(
        "servers:\n  urls:\n    - https://[2001:DB8::10]:8000/\n    - wss://Velo.Example.org/\n"
        "    - https://198.51.100.20:8443\n"
    )
    assert result.profile is not None, result.diagnostics
    assert result.profile.server_urls == (
        ServerUrl("https://[2001:DB8::10]:8000/", "https", "2001:db8::10", 8000, "ipv6"),
        ServerUrl("wss://Velo.Example.org/", "wss", "velo.example.org", 443, "dns"),
        ServerUrl("https://198.51.100.20:8443", "https", "198.51.100.20", 8443, "ipv4"),
    )


def test_minimal_profile_gets_every_default() -> None:
    result = _load("")
    assert result.profile is not None
    profile = result.profile
    assert profile.artifact.name == "Custom.Windows.Remediation.Quarantine"
    assert profile.policy_name == "VelociraptorQuarantine"
    assert profile.use_client_server_urls and profile.allow_dns and profile.allow_dhcp
    assert profile.block_all
    assert profile.rules == () and profile.server_urls == ()
    assert profile.message == ""
    assert profile.rollback.connectivity_check
    assert profile.rollback.timeout_seconds == 30
    assert profile.rollback.negative_check_url is None
    assert profile.artifact.engagement is None and profile.artifact.reason is None


def test_warnings_keep_the_profile_errors_drop_it() -> None:
    warned = _load("allow:\n  dhcp: false\n")
    assert warned.profile is not None
    assert [d.rule for d in warned.diagnostics] == ["no-expiry", "dhcp-off"]
    broken = _load("allow:\n  dhcp: nope\n")
    assert broken.profile is None and broken.diagnostics


def test_default_profile_matches_upstream_defaults() -> None:
    profile = default_profile()
    assert profile.artifact.name == "Custom.Windows.Remediation.Quarantine"
    assert profile.policy_name == "VelociraptorQuarantine"
    assert profile.use_client_server_urls
    assert profile.allow_dns and profile.allow_dhcp and profile.block_all
    assert profile.rules == ()
    assert profile.message == ""
    assert profile.rollback.connectivity_check


def test_default_profile_agrees_with_the_upstream_artifact(reference_dir: Path) -> None:
    upstream = yaml.safe_load(
        (reference_dir / "upstream" / "Windows.Remediation.Quarantine.yaml").read_text()
    )
    params = {p["name"]: p for p in upstream["parameters"]}
    assert params["PolicyName"]["default"] == default_profile().policy_name
    rows = params["RuleLookupTable"]["default"].strip().splitlines()[1:]
    assert rows == [
        "Permit,me,,0,any,,53,udp,yes,DNS",
        "Permit,me,,0,any,,53,tcp,yes,DNS TCP",
        "Permit,me,,68,any,,67,udp,yes,DHCP",
        "Block,any,,,any,,,,yes,All other traffic",
    ], "the built-in rows the renderer adds for allow.dns/allow.dhcp/block_all"
    assert not params["MessageBox"].get("default")


def test_upstream_defaults_example_equals_the_default_profile() -> None:
    example = load_profile_file(ROOT / "examples" / "upstream-defaults.yaml").profile
    assert example is not None
    default = default_profile()
    assert (example.policy_name, example.use_client_server_urls, example.allow_dns) == (
        default.policy_name,
        default.use_client_server_urls,
        default.allow_dns,
    )
    assert (example.allow_dhcp, example.block_all, example.rules, example.message) == (
        default.allow_dhcp,
        default.block_all,
        default.rules,
        default.message,
    )
    assert example.rollback == default.rollback


def test_engagement_example_model() -> None:
    profile = load_profile_file(ROOT / "examples" / "engagement-jumphost-share-ipv6.yaml").profile
    assert profile is not None
    assert [u.host_kind for u in profile.server_urls] == ["dns", "ipv6"]
    assert profile.artifact.engagement == "IR-2026-042"
    smb = [r for r in profile.rules if r.dst_port == 445]
    assert {r.dst_addr for r in smb} == {"192.0.2.50", "2001:db8:20::50-2001:db8:20::51"}
    jump = [r for r in profile.rules if r.src_addr == "198.51.100.0"]
    assert {r.src_mask for r in jump} == {"255.255.255.192"}


def test_io_error_is_a_diagnostic(tmp_path: Path) -> None:
    result = load_profile_file(tmp_path / "missing.yaml")
    assert result.profile is None
    assert [d.rule for d in result.diagnostics] == ["io-error"]
    folder = load_profile_file(tmp_path)
    assert [d.rule for d in folder.diagnostics] == ["io-error"]
