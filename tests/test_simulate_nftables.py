"""The nftables model: what `nft -c` refuses, transactions, listing and the packet path."""

from __future__ import annotations

import pytest
from vr_quarantine.simulate.nftables import Nft, NftState, Packet, verdict

TABLE = """table inet q
delete table inet q
table inet q {
	chain input {
		type filter hook input priority 0; policy drop;
		iif "lo" accept
		ip saddr 192.0.2.10 tcp sport 8000 accept
		ip6 saddr 2001:db8::10 tcp sport 8000 accept
		ip saddr 198.51.100.0/26 tcp dport 22 accept
		udp sport 53 accept
	}
	chain output {
		type filter hook output priority 0; policy drop;
		oif "lo" accept
		ip daddr 192.0.2.10 tcp dport 8000 accept
		ip6 daddr 2001:db8::10 tcp dport 8000 accept
		ip daddr 10.9.9.9 drop
		ip daddr 10.0.0.0/8 meta l4proto 47 accept
		udp dport 53 accept
	}
}
"""


def run(state: NftState, *argv: str, files: dict[str, str] | None = None) -> tuple[int, str, str]:
    return Nft(state, (files or {}).get).run(["/usr/sbin/nft", *argv])


def loaded() -> NftState:
    state = NftState()
    assert run(state, "-f", "/tmp/q.nft", files={"/tmp/q.nft": TABLE})[0] == 0
    return state


def test_a_checked_file_changes_nothing_and_a_loaded_one_replaces_the_table() -> None:
    state = NftState()
    assert run(state, "-c", "-f", "f", files={"f": TABLE}) == (0, "", "")
    assert state.tables == {}
    state = loaded()
    first = run(state, "list", "table", "inet", "q")[1]
    # Loading the same file again replaces the table in one transaction: no duplicate rules.
    assert run(state, "-f", "f", files={"f": TABLE})[0] == 0
    assert run(state, "list", "table", "inet", "q")[1] == first
    assert first.count("accept") == 10


def test_the_packet_path_is_stateless_and_first_match_wins() -> None:
    state = loaded()
    out = Packet("output", "10.0.0.5", "192.0.2.10", 6, 40000, 8000)
    back = Packet("input", "192.0.2.10", "10.0.0.5", 6, 8000, 40000)
    assert verdict(state, out) == verdict(state, back) == "accept"
    assert verdict(state, Packet("output", "10.0.0.5", "203.0.113.80", 6, 40000, 443)) == "drop"
    assert verdict(state, Packet("output", "10.0.0.5", "10.9.9.9", 47)) == "drop"
    assert verdict(state, Packet("output", "10.0.0.5", "10.1.1.1", 47)) == "accept"
    six = Packet("input", "2001:db8::10", "2001:db8:ffff::5", 6, 8000, 40000)
    assert verdict(state, six) == "accept"
    assert verdict(state, Packet("input", "198.51.100.63", "10.0.0.5", 6, 5000, 22)) == "accept"
    assert verdict(state, Packet("input", "198.51.100.64", "10.0.0.5", 6, 5000, 22)) == "drop"


def test_accept_in_one_table_does_not_override_a_drop_in_another() -> None:
    state = loaded()
    other = (
        "table inet other {\n\tchain o {\n"
        "\t\ttype filter hook output priority 10; policy drop;\n\t}\n}\n"
    )
    assert run(state, "-f", "o", files={"o": other})[0] == 0
    assert verdict(state, Packet("output", "10.0.0.5", "192.0.2.10", 6, 40000, 8000)) == "drop"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("ip saddr 1.2.3.999 accept", "is not an IPv4 address"),
        ("ip saddr 2001:db8::1 accept", "is not an IPv4 address"),
        ("ip6 daddr 10.0.0.1 accept", "is not an IPv6 address"),
        ("ip saddr 10.0.0.0/33 accept", "is not an IPv4 address"),
        ("ip saddr 10.0.0.1/24 accept", "is not an IPv4 address"),
        ("ip saddr 1.2.3.4 ip6 daddr ::1 accept", "conflicting protocols"),
        ("icmpv6 type 135 ip saddr 1.2.3.4 accept", "conflicting protocols"),
        ("tcp dport 22 udp sport 53 accept", "conflicting protocols"),
        ("meta l4proto udp tcp dport 22 accept", "conflicting protocols"),
        ("tcp dport 65536 accept", "exceeds valid range"),
        ("meta l4proto 256 accept", "exceeds valid range"),
        ("ip saddr 10.0.0.9-10.0.0.1 accept", "zero or negative size"),
        ("iif eth9 accept", "Interface does not exist"),
        ("ip saddr 1.2.3.4 accept drop", "after the verdict"),
        ('ip saddr 1.2.3.4 accept comment "x"', "after the verdict"),
        ("ip saddr 1.2.3.4", "unexpected ;"),
        ("ip saddr 1.2.3.4 accept; flush ruleset", "unexpected flush"),
        ("counter accept", "unexpected counter"),
    ],
)
def test_nft_c_refuses_what_nft_refuses(rule: str, message: str) -> None:
    text = (
        "table inet q {\n\tchain c {\n\t\ttype filter hook input priority 0;\n"
        f"\t\t{rule}\n\t}}\n}}\n"
    )
    code, _, err = run(NftState(), "-c", "-f", "f", files={"f": text})
    assert code == 1 and message in err, err


@pytest.mark.parametrize(
    "text",
    [
        "delete table inet q\n",
        "table inet q {\n\tchain c {\n\t\ttype filter hook input;\n\t}\n}\n",
        "table inet q {\n\tchain c {\n\t\ttype filter hook inbound priority 0;\n\t}\n}\n",
        "table inet q {\n\tchain c {\n\t\ttype filter hook input priority 0; "
        "policy reject;\n\t}\n}\n",
        "table inet q {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t}\n",
        "table inet 'q' {\n}\n",
        "table inet q; flush ruleset\n",
    ],
)
def test_nft_c_refuses_bad_tables_and_chains(text: str) -> None:
    assert run(NftState(), "-c", "-f", "f", files={"f": text})[0] == 1


def test_a_failing_transaction_leaves_the_old_table_in_force() -> None:
    state = loaded()
    before = run(state, "list", "table", "inet", "q")[1]
    broken = TABLE.replace("192.0.2.10 tcp dport 8000", "192.0.2.999 tcp dport 8000")
    assert run(state, "-f", "f", files={"f": broken})[0] == 1
    assert run(state, "list", "table", "inet", "q")[1] == before


def test_delete_of_a_missing_table_fails_and_the_add_delete_idiom_does_not() -> None:
    state = NftState()
    code, _, err = run(state, "delete", "table", "inet", "q")
    assert code == 1 and "No such file or directory" in err
    assert run(state, "-f", "f", files={"f": "table inet q\ndelete table inet q\n"})[0] == 0
    assert run(state, "list", "table", "inet", "q")[0] == 1


def test_ct_state_matches_the_packets_connection_tracking_state() -> None:
    """nft(8) CONNTRACK EXPRESSIONS: ``ct state established,related`` matches replies (and ICMP
    errors about a connection), never a packet that opens one; nft lists it as written."""
    text = (
        "table inet q {\n\tchain input {\n\t\ttype filter hook input priority 0; policy drop;\n"
        "\t\tudp sport 53 ct state established,related accept\n\t}\n}\n"
    )
    state = NftState()
    assert run(state, "-f", "f", files={"f": text})[0] == 0
    asked = Packet("input", "10.0.0.53", "10.0.0.5", 17, 53, 40000, ct="established")
    unasked = Packet("input", "10.0.0.53", "10.0.0.5", 17, 53, 40000)
    assert verdict(state, asked) == "accept"
    assert verdict(state, unasked) == "drop"
    listed = run(state, "list", "table", "inet", "q")[1]
    assert "udp sport 53 ct state established,related accept" in listed
    assert run(NftState(), "-c", "-f", "f", files={"f": listed})[0] == 0, "the listing reloads"
    bad = text.replace("established,related", "established,bogus")
    code, _, err = run(NftState(), "-c", "-f", "f", files={"f": bad})
    assert code == 1 and "unexpected bogus" in err
