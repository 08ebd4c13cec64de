"""One profile, three platforms: Linux (nftables) and macOS (pf) artifact sets."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml
from vr_quarantine.lint import lint_text
from vr_quarantine.profile import load_profile_text
from vr_quarantine.profile.model import Rule
from vr_quarantine.render import render_artifacts
from vr_quarantine.render.platforms import platform_names, render_platform
from vr_quarantine.render.unix import UntranslatableRule, translate_rule, unix_rules

from tests.test_render_support import plain_profile

THREE = plain_profile(platforms=("windows", "linux", "macos"))


def test_a_three_platform_profile_renders_every_set_lint_clean() -> None:
    rendered = render_artifacts(THREE)
    assert all(a.ok for a in rendered), [d.message for a in rendered for d in a.diagnostics]
    names = [a.name for a in rendered]
    assert names[0] == "Custom.Windows.Remediation.Quarantine"
    for part in ("Linux", "MacOS"):
        for suffix in ("", "Monitor", "Status"):
            assert f"Custom.{part}.Remediation.Quarantine{suffix}" in names
    for artifact in rendered:
        assert artifact.text is not None
        problems = [d for d in lint_text(artifact.filename, artifact.text) if d.severity.value]
        assert not [p for p in problems if p.severity.name in ("ERROR", "WARNING")], problems


def test_the_default_profile_keeps_its_meaning_windows_only() -> None:
    profile = load_profile_text("p.yaml", "format_version: 1\nid: p\n").profile
    assert profile is not None and profile.platforms == ("windows",)
    assert [a.name for a in render_artifacts(profile)] == [
        "Custom.Windows.Remediation.Quarantine",
        "Custom.Windows.Remediation.QuarantineMonitor",
        "Custom.Windows.Remediation.QuarantineStatus",
    ]


@pytest.mark.parametrize(
    ("windows", "platform", "expected"),
    [
        ("Custom.Windows.Remediation.Quarantine", "linux", "Custom.Linux.Remediation.Quarantine"),
        ("Custom.Windows.Remediation.Quarantine", "macos", "Custom.MacOS.Remediation.Quarantine"),
        ("Custom.ACME.Quarantine.IR42", "linux", "Custom.ACME.Quarantine.IR42.Linux"),
    ],
)
def test_platform_names(windows: str, platform: str, expected: str) -> None:
    names = platform_names(windows, platform)
    assert (names.quarantine, names.monitor, names.status) == (
        expected,
        expected + "Monitor",
        expected + "Status",
    )


def _params(text: str) -> dict[str, str]:
    return {p["name"]: p.get("default") for p in yaml.safe_load(text)["parameters"]}


def test_platform_options_and_profile_values_become_parameter_defaults() -> None:
    text = """format_version: 1
id: opts
platforms: [linux, macos]
linux: {nft_path: /sbin/nft, table_name: ir42_quarantine}
macos: {anchor: com.apple/velociraptor.ir42, token_file: /var/run/ir42.token}
message: Isolated by the DFIR team.
rollback: {negative_check_url: "https://www.example.com/"}
"""
    profile = load_profile_text("p.yaml", text).profile
    assert profile is not None
    linux, _, _, macos, _, _ = render_artifacts(profile)
    assert linux.text is not None and macos.text is not None
    lp, mp = _params(linux.text), _params(macos.text)
    assert (lp["pathToNFT"], lp["TableName"]) == ("/sbin/nft", "ir42_quarantine")
    assert (mp["AnchorName"], mp["TokenFile"]) == (
        "com.apple/velociraptor.ir42",
        "/var/run/ir42.token",
    )
    assert mp["PfctlPath"] == "/sbin/pfctl"
    assert lp["ForbiddenTestURL"] == mp["ForbiddenTestURL"] == "https://www.example.com/"
    assert lp["MessageBox"] == "Isolated by the DFIR team."


def test_rules_translate_exactly_most_specific_first() -> None:
    profile = plain_profile(
        rules=(
            Rule("block", "me", "", None, "10.0.0.0", "255.0.0.0", None, None, True, "Block net"),
            Rule("permit", "me", "", 0, "10.1.2.3", "", 443, "tcp", True, "One host"),
            Rule("permit", "me", "", 0, "192.0.2.10-192.0.2.13", "", 22, "tcp", False, "Range"),
        ),
        allow_dhcp=False,
    )
    rows = [r.row() for r in unix_rules(profile)]
    assert rows[0] == ["permit", "me", "", "10.1.2.3", "443", "tcp", "yes", "One host"]
    assert ["permit", "me", "", "192.0.2.10/31", "22", "tcp", "no", "Range"] in rows
    assert ["permit", "me", "", "192.0.2.12/31", "22", "tcp", "no", "Range"] in rows
    block = rows.index(["block", "me", "", "10.0.0.0/8", "", "", "yes", "Block net"])
    assert block > rows.index(["permit", "me", "", "10.1.2.3", "443", "tcp", "yes", "One host"])
    dns = rows.index(["permit", "me", "", "any", "53", "udp", "state", "DNS"])
    assert dns > block


@pytest.mark.parametrize(
    "rule",
    [
        Rule("permit", "me", "", None, "GATEWAY", "", None, None, True, "gw"),
        Rule("permit", "DNS", "", None, "me", "", None, None, True, "dns"),
        Rule("permit", "me", "", None, "192.0.2.1", "", None, "raw", True, "raw"),
    ],
)
def test_what_has_no_exact_meaning_is_refused(rule: Rule) -> None:
    with pytest.raises(UntranslatableRule):
        translate_rule(rule)
    rendered = render_platform(plain_profile(rules=(rule,)), "linux")
    assert [d.rule for d in rendered[0].diagnostics] == ["platform-no-equivalent"]


def test_validate_refuses_keywords_and_raw_for_linux_and_macos_only(tmp_path: Path) -> None:
    body = """format_version: 1
id: k
platforms: {platforms}
rules:
  - action: permit
    source: me
    destination: GATEWAY
  - action: permit
    source: me
    destination: 192.0.2.1
    protocol: raw
"""
    windows = load_profile_text("w.yaml", body.format(platforms="[windows]"))
    assert not [d for d in windows.diagnostics if d.rule == "platform-no-equivalent"]
    three = load_profile_text("t.yaml", body.format(platforms="[windows, linux, macos]"))
    found = [(d.rule, d.location.line) for d in three.diagnostics if d.severity.name == "ERROR"]
    assert found == [("platform-no-equivalent", 7), ("platform-no-equivalent", 11)]
    assert three.profile is None


def test_the_vql_depends_on_switches_only() -> None:
    hostile = dataclasses.replace(
        THREE,
        message="'); SELECT * FROM execve(argv=['sh']) //",
        artifact=dataclasses.replace(THREE.artifact, description="{{ 7*7 }} LET x = 1"),
    )
    for platform in ("linux", "macos"):
        plain = render_platform(THREE, platform)
        other = render_platform(hostile, platform)
        for a, b in zip(plain, other, strict=True):
            assert a.text is not None and b.text is not None
            assert yaml.safe_load(a.text)["sources"] == yaml.safe_load(b.text)["sources"]


def test_platform_options_are_checked_where_they_are_written() -> None:
    body = """format_version: 1
id: opts
platforms: [linux, macos, solaris]
linux:
  table_name: "q; flush ruleset"
  nft_path: nft
macos:
  anchor: com.apple/other
  token_file: /var/run/t oken
"""
    loaded = load_profile_text("o.yaml", body)
    assert loaded.profile is None
    lines = sorted(d.location.line for d in loaded.diagnostics if d.severity.name == "ERROR")
    assert lines == [3, 5, 6, 8, 9]


@pytest.mark.parametrize(
    ("platforms", "named"),
    [
        ("[windows]", ["SYSTEM"]),
        ("[linux, macos]", ["systemd timer", "launchd"]),
        ("[windows, linux, macos]", ["SYSTEM", "systemd timer", "launchd"]),
    ],
)
def test_the_no_expiry_advice_names_each_platforms_mechanism(
    platforms: str, named: list[str]
) -> None:
    result = load_profile_text("t.yaml", "format_version: 1\nid: t\nplatforms: " + platforms + "\n")
    [advice] = [d for d in result.diagnostics if d.rule == "no-expiry"]
    assert all(word in (advice.hint or "") for word in named), advice.hint
    assert ("SYSTEM" in (advice.hint or "")) is ("windows" in platforms)


def _query(artifact_text: str) -> str:
    """The artifact's VQL without its comment lines and with its string literals emptied."""
    text = "\n".join(s["query"] for s in yaml.safe_load(artifact_text)["sources"])
    text = re.sub(r"(?m)^\s*//.*\n", "", text)
    return re.sub(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'", '""', text)


def test_only_a_quarantine_registers_an_exit_rollback_and_the_status_refers_to_none() -> None:
    for artifact in render_artifacts(THREE):
        assert artifact.text is not None
        query = _query(artifact.text)
        registrations = re.findall(r"\batexit\(\s*query=\{ SELECT \* FROM exit_rollback \}", query)
        rolls_back = "LET exit_rollback = " in query
        if artifact.name.endswith(("Status", "Monitor")):
            # Read-only (the status), or a caller of the quarantine artifact (the monitor,
            # whose own atexit() schedules the release): no rollback of their own.
            assert not rolls_back and not registrations, artifact.name
            for name in ("failed_run", "RolledBack", "rollback", "disarm", "command_ok"):
                assert not re.search(rf"\b{name}\b", query), (artifact.name, name)
        else:
            assert rolls_back and len(registrations) == 1, artifact.name
            assert query.count("LET ExitRollback <= ") == 1, artifact.name
            assert "LET RolledBack = " in query, artifact.name
    # Windows registers it only for a run that changes the host; Linux and macOS at the start.
    windows = _query(render_platform(THREE, "windows")[0].text or "")
    assert "LET ExitRollback <= if(condition=ChangesHost" in windows


def test_only_the_built_in_dns_rows_take_replies_by_connection_state() -> None:
    # Which rows take replies by state is a property of the built-in rows (BUILTIN_ROWS), not
    # of a description: a profile's own mirrored rule named like one stays plainly mirrored.
    own = Rule("permit", "me", "", 0, "192.0.2.53", "", 53, "udp", True, "DNS")
    rows = [r.row() for r in unix_rules(plain_profile(rules=(own,)))]
    assert ["permit", "me", "", "192.0.2.53", "53", "udp", "yes", "DNS"] in rows
    stateful = [(r[4], r[5], r[7]) for r in rows if r[6] == "state"]
    assert stateful == [("53", "udp", "DNS"), ("53", "tcp", "DNS TCP")]
    dhcp = [r for r in rows if r[7] in ("DHCP", "DHCPv6")]
    assert [r[6] for r in dhcp] == ["yes", "yes"]
