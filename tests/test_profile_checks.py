"""Semantic checks, one behaviour at a time: what netsh refuses and what locks responders out."""

from __future__ import annotations

import pytest
from vr_quarantine.diagnostics import Severity
from vr_quarantine.profile import RULES, load_profile
from vr_quarantine.profile.addresses import AddressError, parse_address, parse_mask
from vr_quarantine.profile.urls import UrlError, parse_url


def _rules_of(body: str) -> list[str]:
    result = load_profile("t.yaml", ("format_version: 1\nid: t\n" + body).encode())
    return [d.rule for d in result.diagnostics if d.severity is not Severity.INFO]


def _with_rules(*rules: str, head: str = "") -> list[str]:
    body = head + "rules:\n" + "".join("  - " + r.replace(", ", "\n    ") + "\n" for r in rules)
    return _rules_of(body)


SERVER = "servers:\n  urls:\n    - https://198.51.100.20:8000/\n"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("10.0.0", "address-syntax"),
        ("::gg", "address-syntax"),
        ("fe80::1%eth0", "address-syntax"),
        ("host_name.example.org", "address-syntax"),
        (" me", "address-syntax"),
        ("10.0.0.0/0", "mask-syntax"),
        ("10.0.0.0/x", "mask-syntax"),
        ("2001:db8::/64", "ipv6-prefix"),
        ("10.0.0.9-10.0.0.1", "range-order"),
        ("::1-10.0.0.1", "range-family"),
        ("10.0.0.1-10.0.0.0/24", "address-syntax"),
        ("10.0.0.1/24", "network-host-bits"),
    ],
)
def test_bad_addresses(text: str, rule: str) -> None:
    with pytest.raises(AddressError) as caught:
        parse_address(text)
    assert caught.value.rule == rule


@pytest.mark.parametrize(
    ("mask", "prefix"),
    [(24, 24), ("255.255.255.128", 25), ("32", 32), ("255.255.255.255", 32), ("128.0.0.0", 1)],
)
def test_masks(mask: str | int, prefix: int) -> None:
    assert parse_mask(mask) == prefix


@pytest.mark.parametrize(
    "mask", [0, 33, "255.0.255.0", "0.0.0.0", "0.0.0.255", "255.255.255.1", "banana", "-1", "/24"]
)
def test_bad_masks(mask: str | int) -> None:
    with pytest.raises(AddressError):
        parse_mask(mask)


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("http://velo.example.org/", "server-url-scheme"),
        ("ftp://velo.example.org/", "server-url-scheme"),
        ("https://2001:db8::1/", "server-url-syntax"),
        ("https://[2001:db8::zz]/", "server-url-syntax"),
        ("https://velo.example.org:99999/", "server-url-syntax"),
        ("https://user:pw@velo.example.org/", "server-url-syntax"),
        ("https:///path", "server-url-syntax"),
        ("velo.example.org:8000", "server-url-syntax"),
        ("https://velo example.org/", "server-url-syntax"),
        ("https://300.1.1.1/", "server-url-syntax"),
    ],
)
def test_bad_server_urls(url: str, rule: str) -> None:
    with pytest.raises(UrlError) as caught:
        parse_url(url, schemes=("https", "wss"), rule="server-url-syntax")
    assert caught.value.rule == rule


def test_every_rule_id_is_documented_and_kebab_case() -> None:
    for rule_id, summary in RULES.items():
        assert rule_id == rule_id.lower() and " " not in rule_id and summary


# --- lock-out -----------------------------------------------------------------------------


def test_no_server_at_all_is_a_lockout() -> None:
    body = "servers:\n  from_client_config: false\n"
    assert _rules_of(body) == ["lockout-no-server"]
    assert _rules_of(body + "block_all: false\n") == ["no-block-all"]
    assert (
        _rules_of("servers:\n  from_client_config: false\n  urls: [https://198.51.100.20/]\n") == []
    )


def test_own_block_all_rule_counts_as_block_all() -> None:
    found = _with_rules(
        "action: block, source: any, destination: any",
        head="block_all: false\nservers:\n  from_client_config: false\n",
    )
    assert found == ["lockout-no-server"]


@pytest.mark.parametrize(
    "rule",
    [
        "action: block, source: me, destination: 198.51.100.20",
        "action: block, source: any, destination: 198.51.100.0/24, destination_port: 8000, "
        "protocol: tcp",
        "action: block, source: me, destination: 198.51.100.0, destination_mask: 255.255.255.0",
        "action: block, source: me, destination: 198.51.100.1-198.51.100.30, protocol: tcp",
        "action: block, source: 198.51.100.20, destination: me",
        "action: block, source: 198.51.100.20, source_port: 8000, destination: any, "
        "mirrored: false",
        "action: block, source: 10.0.0.0/8, destination: 198.51.100.0/24",
    ],
)
def test_block_covering_the_server_is_a_lockout(rule: str) -> None:
    assert "lockout-block-covers-server" in _with_rules(rule, head=SERVER)


@pytest.mark.parametrize(
    "rule",
    [
        "action: block, source: me, destination: 198.51.100.0/24, destination_port: 22, "
        "protocol: tcp",
        "action: block, source: me, destination: 198.51.100.0/24, protocol: udp",
        "action: block, source: me, destination: 198.51.100.21",
        "action: block, source: any, destination: any, destination_port: 8000, protocol: tcp",
        "action: block, source: me, destination: 198.51.100.20, mirrored: false, protocol: icmp",
        "action: block, source: 198.51.100.20, destination: me, destination_port: 8000, "
        "protocol: tcp, mirrored: false",
    ],
)
def test_blocks_that_spare_the_server(rule: str) -> None:
    assert "lockout-block-covers-server" not in _with_rules(rule, head=SERVER)


def test_block_by_server_name_is_a_lockout() -> None:
    head = "servers:\n  urls: [wss://Velo.Example.org/]\n"
    found = _with_rules("action: block, source: me, destination: velo.example.org.", head=head)
    assert "lockout-block-covers-server" in found


def test_dns_off_with_named_server_warns() -> None:
    head = "servers:\n  from_client_config: false\n  urls: [https://velo.example.org/]\n"
    assert _rules_of(head + "allow:\n  dns: false\n") == ["dns-off-with-hostname"]
    head_ip = "servers:\n  from_client_config: false\n  urls: [https://198.51.100.20/]\n"
    assert _rules_of(head_ip + "allow:\n  dns: false\n") == []


# --- ties and duplicates ------------------------------------------------------------------


def test_mirrored_reverse_is_the_same_filter() -> None:
    found = _with_rules(
        "action: permit, source: me, destination: 192.0.2.5, destination_port: 22, protocol: tcp",
        "action: block, source: 192.0.2.5, source_port: 22, destination: me, protocol: 6",
    )
    assert found == ["permit-block-tie"]


def test_narrower_permit_is_fine() -> None:
    found = _with_rules(
        "action: block, source: me, destination: 192.0.2.0/24, destination_port: 22, protocol: tcp",
        "action: permit, source: me, destination: 192.0.2.5, destination_port: 22, protocol: tcp",
    )
    assert found == []


def test_rule_repeating_builtin_dns() -> None:
    rule = "action: permit, source: me, destination: any, destination_port: 53, protocol: udp"
    assert sorted(_with_rules(rule)) == ["duplicate-rule", "permit-any-address"]
    with_dns_off = _with_rules(rule, head="allow:\n  dns: false\n")
    assert sorted(with_dns_off) == ["dns-off-with-hostname", "permit-any-address"]


def test_block_tied_with_builtin_dns() -> None:
    rule = "action: block, source: me, destination: any, destination_port: 53, protocol: tcp"
    assert _with_rules(rule) == ["permit-block-tie"]


def test_permit_equal_to_a_server_permit_is_a_duplicate() -> None:
    rule = (
        "action: permit, source: me, destination: 198.51.100.20, destination_port: 8000, "
        "protocol: tcp"
    )
    assert _with_rules(rule, head=SERVER) == ["duplicate-rule"]


# --- names and texts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "description",
    ['"a,b"', "'say \"hi\"'", '"tab\\there"', '"zero\\u200bwidth"', '" padded"', '"bell\\a"'],
)
def test_unsafe_descriptions(description: str) -> None:
    found = _with_rules(
        f"action: permit, source: me, destination: 192.0.2.9, description: {description}"
    )
    assert found == ["unsafe-characters"]


@pytest.mark.parametrize(
    "name",
    ["'a=b'", "'50%'", "'a&b'", "'back\\slash'", '"x\\ny"', "'$(calc)'", "'`id`'", "'!X!'"],
)
def test_unsafe_policy_names(name: str) -> None:
    assert _rules_of(f"policy_name: {name}\n") == ["policy-name-characters"]


def test_unicode_description_is_fine() -> None:
    found = _with_rules(
        "action: permit, source: me, destination: 192.0.2.9, description: Sprungserver Zürich"
    )
    assert found == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Custom.Windows.Remediation.Quarantine", []),
        ("Custom.IR_2026.Quarantine", []),
        ("Windows.Remediation.Quarantine", ["artifact-name-not-custom"]),
        ("Custom..Quarantine", ["artifact-name"]),
        ("Custom.Windows.Quarantine-IR", ["artifact-name"]),
        ("Custom.2026", ["artifact-name"]),
    ],
)
def test_artifact_names(name: str, expected: list[str]) -> None:
    assert _rules_of(f"artifact:\n  name: '{name}'\n") == expected


def test_message_limits() -> None:
    assert _rules_of("message: '" + "x" * 255 + "'\n") == []
    assert _rules_of("message: '" + "x" * 256 + "'\n") == ["message-too-long"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("on", "yaml11-surprise"),
        ("0x1F", "yaml11-surprise"),
        ("1_000", "yaml11-surprise"),
        ("'on'", None),
        ("'010'", None),
        ("42", "schema"),
    ],
)
def test_yaml11_surprises_in_strings(value: str, expected: str | None) -> None:
    found = _rules_of(f"artifact:\n  author: {value}\n")
    assert found == ([expected] if expected else [])


def test_yaml11_sexagesimal_port() -> None:
    found = _with_rules(
        "action: permit, source: me, destination: 192.0.2.9, destination_port: 1:20, protocol: tcp"
    )
    assert found == ["yaml11-surprise"]


def test_schema_errors_all_reported_with_clear_messages() -> None:
    result = load_profile(
        "t.yaml",
        b"format_version: 1\nid: t\nblock_all: 3\nmessage: [" + b"1, " * 2000 + b"1]\n"
        b"rules:\n  - {action: permit}\n",
    )
    found = [(d.rule, d.location.line) for d in result.diagnostics]
    assert ("schema", 3) in found and ("schema", 4) in found
    assert found.count(("schema", 6)) == 2, "missing source and destination, each reported"
    assert all(len(d.message) < 200 for d in result.diagnostics)
    unknown = load_profile(
        "t.yaml",
        b"format_version: 1\nid: t\nrules:\n"
        b"  - {action: permit, source: me, destination: any, protcol: tcp}\n",
    )
    [diag] = [d for d in unknown.diagnostics if d.rule == "schema"]
    assert diag.hint is not None and "did you mean 'protocol'?" in diag.hint


def test_permit_to_every_address_on_a_port_warns() -> None:
    rule = "action: permit, source: me, destination: any, destination_port: 443, protocol: tcp"
    assert _with_rules(rule) == ["permit-any-address"]
    assert _with_rules("action: permit, source: any, destination: me, protocol: 47") == [
        "permit-any-address"
    ]
    assert _with_rules("action: permit, source: me, destination: 192.0.2.0/24, protocol: 47") == []


def test_dates_are_yaml11_surprises() -> None:
    assert _rules_of("artifact:\n  engagement: 2026-04-02\n") == ["yaml11-surprise"]


def test_upper_case_enum_hint() -> None:
    result = load_profile(
        "t.yaml",
        b"format_version: 1\nid: t\nrules:\n"
        b"  - {action: Permit, source: me, destination: 192.0.2.1, protocol: TCP}\n",
    )
    hints = sorted(d.hint or "" for d in result.diagnostics)
    assert hints == ["write it in lower case: 'permit'", "write it in lower case: 'tcp'"]


def test_deep_nesting_is_a_diagnostic_not_a_crash() -> None:
    raw = b"format_version: 1\nid: t\nrules: " + b"[" * 5000 + b"]" * 5000 + b"\n"
    result = load_profile("t.yaml", raw)
    assert result.profile is None
    assert [d.rule for d in result.diagnostics] == ["yaml-too-large"]


@pytest.mark.parametrize(
    "body",
    [
        'artifact:\n  author: "A\\x00B"\n',
        'artifact:\n  engagement: "IR\\n42"\n',
        'artifact:\n  reason: "bell\\a"\n',
        'artifact:\n  references: ["https://a.example/\\x1b[31m"]\n',
    ],
)
def test_control_characters_in_artifact_texts(body: str) -> None:
    assert _rules_of(body) == ["unsafe-characters"]


def test_line_breaks_allowed_in_artifact_description() -> None:
    assert _rules_of("artifact:\n  description: |\n    one\n    two\n") == []


def test_invisible_characters_in_urls() -> None:
    with pytest.raises(UrlError):
        parse_url("https://velo.example.org/\ufeff", schemes=("https",), rule="server-url-syntax")


def test_dns_name_in_a_rule_is_info_only() -> None:
    result = load_profile(
        "t.yaml",
        b"format_version: 1\nid: t\nrules:\n"
        b"  - {action: permit, source: me, destination: files.example.org, "
        b"destination_port: 445, protocol: tcp}\nlifecycle:\n  expiry: 72h\n",
    )
    assert result.profile is not None
    [diag] = result.diagnostics
    assert (diag.rule, diag.severity, diag.location.line) == (
        "dns-name-resolved-once",
        Severity.INFO,
        4,
    )


def test_partial_overlap_between_block_and_permits_warns_once() -> None:
    result = load_profile(
        "t.yaml",
        b"format_version: 1\nid: t\nrules:\n"
        b"  - {action: block, source: me, destination: 192.0.2.0/24}\n"
        b"  - {action: permit, source: any, destination: any, destination_port: 22, "
        b"protocol: tcp}\n",
    )
    overlaps = [d for d in result.diagnostics if d.rule == "permit-block-overlap"]
    assert [(d.location.line, d.severity) for d in overlaps] == [(4, Severity.WARNING)]
    assert "rules[1] (line 5)" in overlaps[0].message
    assert "DNS" not in overlaps[0].message
    builtin = [d for d in result.diagnostics if d.rule == "permit-block-overlap-builtin"]
    assert [(d.location.line, d.severity) for d in builtin] == [(4, Severity.INFO)]
    for partner in ("DNS permit", "DHCP permit"):
        assert partner in builtin[0].message
    assert "the built-in the built-in" not in builtin[0].message
    assert "overlaps the built-in DNS permit (allow.dns)" in builtin[0].message
    assert builtin[0].hint is not None and "may still pass" in builtin[0].hint


def test_overlap_with_builtin_rows_only_does_not_fail_strict() -> None:
    result = load_profile(
        "t.yaml",
        b"format_version: 1\nid: t\nservers:\n  urls: [https://198.51.100.20:8000/]\n"
        b"rules:\n  - {action: block, source: me, destination: 192.0.2.0/24}\n",
    )
    found = {d.rule: d.severity for d in result.diagnostics}
    assert found.get("permit-block-overlap-builtin") is Severity.INFO
    assert "permit-block-overlap" not in found
    assert not [d for d in result.diagnostics if d.severity is not Severity.INFO]


@pytest.mark.parametrize(
    "rules",
    [
        # a carve-out: the block is inside the permit
        (
            "action: permit, source: me, destination: 192.0.2.0/24, destination_port: 445, "
            "protocol: tcp",
            "action: block, source: me, destination: 192.0.2.66, destination_port: 445, "
            "protocol: tcp",
        ),
        # the permit is inside the block, seen from the mirrored direction
        (
            "action: block, source: 192.0.2.0/24, source_port: 22, destination: me, protocol: tcp",
            "action: permit, source: me, destination: 192.0.2.5, destination_port: 22, "
            "protocol: tcp",
        ),
    ],
)
def test_nested_permit_and_block_are_fine(rules: tuple[str, str]) -> None:
    assert _with_rules(*rules, head="allow:\n  dns: true\n") == []


def test_unquoted_ipv6_of_small_numbers_is_a_base_60_surprise() -> None:
    result = load_profile(
        "t.yaml",
        b"format_version: 1\nid: t\nrules:\n"
        b"  - {action: block, source: me, destination: 1:2:3:4:5:6:7:8}\n",
    )
    [diag] = result.diagnostics
    assert diag.rule == "yaml11-surprise" and "base-60" in diag.message
    assert diag.hint is not None and '"1:2:3:4:5:6:7:8"' in diag.hint


def test_internationalised_name_gets_its_punycode_hint() -> None:
    with pytest.raises(AddressError) as caught:
        parse_address("bücher.example")
    assert caught.value.rule == "address-syntax"
    assert "xn--bcher-kva.example" in caught.value.hint
    assert parse_address("xn--bcher-kva.example").kind == "dns"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("rollback:\n  timeout_seconds: 120\n" + SERVER, []),  # 120 × 2 = 240
        (
            "rollback:\n  timeout_seconds: 96\nservers:\n  from_client_config: false\n"
            "  urls: [https://a.example/, https://b.example/, https://c.example/, https://d.example/]\n",
            [],
        ),  # 480: allowed
        (
            "rollback:\n  timeout_seconds: 97\nservers:\n  from_client_config: false\n  urls: "
            "[https://a.example/, https://b.example/, https://c.example/, https://d.example/]\n",
            ["check-budget"],
        ),
        ("rollback:\n  timeout_seconds: 121\n" + SERVER, ["schema"]),
        ("rollback:\n  timeout_seconds: 200\n" + SERVER, ["schema"]),
        (
            "rollback:\n  timeout_seconds: 200\n  connectivity_check: false\n" + SERVER,
            ["schema", "rollback-disabled"],
        ),
    ],
)
def test_check_budget_errors(body: str, expected: list[str]) -> None:
    rules = [r for r in _rules_of(body) if r in ("check-budget", "schema", "rollback-disabled")]
    assert sorted(rules) == sorted(expected)


def test_check_budget_warns_only_when_the_client_config_may_add_addresses() -> None:
    body = "rollback:\n  timeout_seconds: 100\nservers:\n  urls: [https://a.example/, https://b.example/]\n"
    result = load_profile("t.yaml", ("format_version: 1\nid: t\n" + body).encode())
    found = [d for d in result.diagnostics if d.rule == "check-budget"]
    assert [d.severity for d in found] == [Severity.WARNING]
    assert "300 s" in found[0].message
    off = body.replace("servers:\n", "servers:\n  from_client_config: false\n")
    assert "check-budget" not in _rules_of(off)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/",
        "https://127.8.9.10/",
        "https://[::1]/",
        "https://localhost/",
        "https://LOCALHOST./",
        "https://app.localhost/",
        "https://0.0.0.0/",
        "https://[::]/",
        "https://169.254.1.2/",
        "https://[fe80::1]/",
        "https://[::ffff:127.0.0.1]/",
    ],
)
def test_negative_check_on_unfiltered_hosts_is_refused(url: str) -> None:
    body = SERVER + f"rollback:\n  negative_check_url: {url}\n"
    result = load_profile("t.yaml", ("format_version: 1\nid: t\n" + body).encode())
    found = [d for d in result.diagnostics if d.rule == "negative-check-url"]
    assert len(found) == 1 and found[0].severity is Severity.ERROR
    assert found[0].hint is not None and "loopback" in found[0].hint


@pytest.mark.parametrize("url", ["https://www.example.com/", "http://192.0.2.1/"])
def test_negative_check_on_ordinary_hosts_is_fine(url: str) -> None:
    assert "negative-check-url" not in _rules_of(
        SERVER + f"rollback:\n  negative_check_url: {url}\n"
    )


@pytest.mark.parametrize(
    ("message", "refused"),
    [("/TIME:0 hi", True), ("'-W hi'", True), ("'/W'", True), ("Call 555 - SOC", False)],
)
def test_message_looking_like_an_option_is_refused(message: str, refused: bool) -> None:
    assert ("message-option-like" in _rules_of(f"message: {message}\n" + SERVER)) is refused


@pytest.mark.parametrize(
    "body",
    [
        "artifact: !!python/object:os.system x\n",
        "id: !!python/name:os.system ''\n",
        "artifact: !custom x\n",
        "rules: [\n",
        "id: 'unterminated\n",
        "policy_name: a: b\n",
    ],
)
def test_yaml_syntax_errors_are_one_line_with_a_hint(body: str) -> None:
    result = load_profile("t.yaml", ("format_version: 1\n" + body).encode())
    syntax = [d for d in result.diagnostics if d.rule == "yaml-syntax"]
    assert syntax
    for diag in syntax:
        assert "\n" not in diag.message and "  " not in diag.message
        assert "<unicode string>" not in diag.message
        assert diag.hint is not None and "indentation" in diag.hint
