"""Profile and parameter strings reach nft and pf only as validated data.

Two properties, with hostile strings:
- render: every profile string of a Linux or macOS artifact reads back unchanged from its
  parameter default (or description), and the artifacts' VQL is the one a plain profile with the
  same switches renders;
- run: whatever the parameters hold (rule cells, descriptions, table and anchor names, URLs,
  messages), every ruleset file handed to ``nft -f`` or ``pfctl -f`` consists only of fixed
  keywords, numbers, canonical IP addresses or networks and the checked table name: no string
  can extend or end a rule.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vr_quarantine.profile.model import LinuxOptions, MacOptions
from vr_quarantine.render.context import csv_text
from vr_quarantine.render.platforms import render_platform
from vr_quarantine.simulate import resolve_scenario, simulate_artifact
from vr_quarantine.simulate import run as simulate_run
from vr_quarantine.simulate.platforms import make_endpoint
from vr_quarantine.simulate.scenario import Scenario

from tests.test_render_injection import NASTY, any_text, text
from tests.test_render_support import plain_profile
from tests.test_simulate_platforms import texts

RULE_COLUMNS = [
    "Action",
    "SrcAddr",
    "SrcPort",
    "DstAddr",
    "DstPort",
    "Protocol",
    "Mirrored",
    "Description",
]
"""The Linux and macOS artifacts' RuleLookupTable header, as their description documents it."""
HOSTILE = [
    *NASTY,
    "1.2.3.4 accept",
    "1.2.3.4; flush ruleset",
    "any accept\n}\ntable inet x {",
    "10.0.0.0/8 } chain x { type filter hook input priority 0; policy accept; }",
    "::1 ip6 daddr ::2",
    "me, any",
    '"lo" accept',
    "pass all",
    "port 22 keep state",
    "0x1F",
    "192.0.2.1/24",
    "2001:db8::1%eth0",
    "a" * 300,
    "-",
    "1-2",
    "tcp dport 22",
]
hostile = st.one_of(st.sampled_from(HOSTILE), text)

NFT_WORDS = {
    "table",
    "delete",
    "inet",
    "chain",
    "type",
    "filter",
    "hook",
    "priority",
    "policy",
    "input",
    "output",
    "forward",
    "drop",
    "accept",
    "iif",
    "oif",
    '"lo"',
    "ip",
    "ip6",
    "saddr",
    "daddr",
    "tcp",
    "udp",
    "sport",
    "dport",
    "meta",
    "l4proto",
    "icmpv6",
    "nd-router-solicit",
    "nd-router-advert",
    "nd-neighbor-solicit",
    "nd-neighbor-advert",
    "hoplimit",
    "packet-too-big",
    "{",
    "}",
    ";",
    ",",
}
PF_WORDS = {
    "pass",
    "block",
    "drop",
    "in",
    "out",
    "quick",
    "on",
    "lo0",
    "all",
    "inet6",
    "proto",
    "tcp",
    "udp",
    "icmp6",
    "from",
    "to",
    "any",
    "port",
    "icmp6-type",
    "no",
    "state",
}


def _address_like(token: str) -> bool:
    try:
        ipaddress.ip_network(token, strict=True)
    except ValueError:
        return False
    return True


def _check_ruleset(platform: str, ruleset: str, table: str) -> None:
    words = NFT_WORDS if platform == "linux" else PF_WORDS
    for line in ruleset.split("\n"):
        if line.startswith("# Managed by vr-quarantine"):
            continue
        for token in re.split(r"[\s]+|(?<=[{};,])|(?=[{};,])", line):
            if not token:
                continue
            ok = (
                token in words
                or token.isdigit()
                or _address_like(token)
                or (platform == "linux" and token == table)
            )
            assert ok, f"{token!r} in {line!r}"
    if platform == "linux":
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,63}", table), table


def _csv(rows: list[list[str]], header: list[str]) -> str:
    return csv_text(tuple(header), rows)


def capture_rulesets(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every ruleset file handed to ``nft -f``/``pfctl -f`` by the next simulations."""
    captured: list[str] = []

    def capturing(scenario: Scenario) -> Any:
        endpoint = make_endpoint(scenario)
        original = endpoint.firewall  # type: ignore[union-attr]

        def firewall(argv: list[str]) -> tuple[int, str, str]:
            if "-f" in argv:
                captured.append(endpoint.files.get(argv[argv.index("-f") + 1], ""))
            return original(argv)

        endpoint.firewall = firewall  # type: ignore[union-attr]
        return endpoint

    monkeypatch.setattr(simulate_run, "make_endpoint", capturing)
    return captured


cells = st.lists(
    st.tuples(
        st.sampled_from(["permit", "block", "Permit", "allow"]),
        st.one_of(st.sampled_from(["me", "any", "192.0.2.7", "2001:db8::7"]), hostile),
        st.one_of(st.sampled_from(["", "0", "53"]), hostile),
        st.one_of(st.sampled_from(["any", "198.51.100.0/24", "files.example.org"]), hostile),
        st.one_of(st.sampled_from(["", "445", "65536"]), hostile),
        st.one_of(st.sampled_from(["tcp", "udp", "", "47"]), hostile),
        st.sampled_from(["yes", "no"]),
        hostile,
    ).map(list),
    max_size=3,
)


@pytest.mark.parametrize("platform", ["linux", "macos"])
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    rows=cells,
    name=st.one_of(st.none(), hostile),
    message=hostile,
    url=hostile,
    extra=st.lists(st.tuples(hostile, hostile, hostile, hostile).map(list), max_size=2),
)
def test_rulesets_hold_only_validated_values(
    platform: str,
    rows: list[list[str]],
    name: str | None,
    message: str,
    url: str,
    extra: list[list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    captured = capture_rulesets(monkeypatch)
    params = {
        "RuleLookupTable": _csv(rows, RULE_COLUMNS),
        "AdditionalAllowedDestinations": _csv(
            extra, ["Address", "Port", "Protocol", "Description"]
        ),
        "MessageBox": message,
        "ExtraServerURLs": _csv([[url]], ["URL"]),
    }
    table = "vrr_quarantine_table"
    if name is not None:
        params["TableName" if platform == "linux" else "AnchorName"] = name
        table = name
    result = simulate_artifact(
        texts(platform)["quarantine"], resolve_scenario("success"), params=params
    )
    assert result.error is None, result.error
    for ruleset in captured:
        _check_ruleset(platform, ruleset, table)
    for row in rows:
        description = row[-1]
        if len(description) > 3:
            assert all(description not in r for r in captured)
    assert not result.state["locked_out"]
    assert not result.state["half_applied"]


profile_strings = st.one_of(st.sampled_from(HOSTILE), any_text)


@functools.cache
def _reference(platform: str) -> list[Any]:
    return render_platform(plain_profile(platforms=("linux", "macos")), platform)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    platform=st.sampled_from(["linux", "macos"]),
    author=profile_strings,
    description=profile_strings,
    message=profile_strings,
    reason=profile_strings,
    engagement=profile_strings,
    table=profile_strings,
    anchor=profile_strings,
)
def test_profile_strings_read_back_unchanged_and_never_change_the_vql(
    platform: str,
    author: str,
    description: str,
    message: str,
    reason: str,
    engagement: str,
    table: str,
    anchor: str,
) -> None:
    plain = plain_profile(platforms=("linux", "macos"))
    profile = dataclasses.replace(
        plain,
        artifact=dataclasses.replace(
            plain.artifact,
            author=author,
            description=description,
            reason=reason,
            engagement=engagement,
        ),
        message=message,
        linux=LinuxOptions(table_name=table),
        macos=MacOptions(anchor=anchor),
    )
    reference = _reference(platform)
    rendered = render_platform(profile, platform)
    for kind, got, want in zip(("q", "m", "s"), rendered, reference, strict=True):
        assert got.text is not None, got.diagnostics
        assert want.text is not None
        data = yaml.safe_load(got.text)
        assert data["sources"] == yaml.safe_load(want.text)["sources"]
        assert data["author"] == author
        defaults = {p["name"]: p.get("default") for p in data["parameters"]}
        if kind in ("q", "m"):
            assert defaults["MessageBox"] == message
            assert defaults["Reason"] == reason
            assert defaults["Ticket"] == engagement
        if platform == "linux":
            assert defaults["TableName"] == table
        else:
            assert defaults["AnchorName"] == anchor


@pytest.mark.parametrize("platform", ["linux", "macos"])
def test_hostile_descriptions_in_valid_rows_never_reach_the_ruleset(
    platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    captured = capture_rulesets(monkeypatch)
    rows = [
        ["permit", "me", "", "any", "53", "udp", "yes", "DNS\naccept }\ntable inet x { #"],
        ["permit", "me", "", "192.0.2.50", "445", "tcp", "yes", "pass all; flush ruleset"],
        ["block", "me", "", "2001:db8::/32", "", "", "yes", '"; drop'],
    ]
    result = simulate_artifact(
        texts(platform)["quarantine"],
        resolve_scenario("success"),
        params={"RuleLookupTable": _csv(rows, RULE_COLUMNS), "MessageBox": "x\n} accept"},
    )
    assert result.state["policy_assigned"], result.rows
    assert captured
    for ruleset in captured:
        _check_ruleset(platform, ruleset, "vrr_quarantine_table")
        assert "flush" not in ruleset and "#" not in ruleset.split("\n", 1)[1]
