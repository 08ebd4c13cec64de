"""The profile's platform-neutral rules in the Linux (nftables) and macOS (pf) artifacts' terms.

A profile rule is written with netsh's meaning (addresses, masks, ranges, `me`, ports, protocol,
mirrored). Its exact translation for a stateless packet filter that matches rules in order:

- ``me``/``any``, addresses and DNS names stay as they are (names are resolved on the endpoint
  when the artifact runs, every address kept, as netsh resolves them once at creation);
- an IPv4 address with a mask becomes ``address/prefix`` (only contiguous masks are accepted);
- a range ``a-b`` becomes the smallest list of ``address/prefix`` networks covering exactly it,
  one row each (pf has no portable range form; nft would take the range, but one form serves
  both);
- ``mirrored`` stays: the artifacts add the reverse rule, as netsh's mirrored filter does;
  the built-in DNS rows are the exception (``Mirrored`` says ``state``): their reverse matches
  replies only (nftables ``ct state established,related``, pf ``keep state``), so the host
  cannot be reached from port 53 unasked;
- the rows are ordered most specific first, as Windows orders IPsec filters (a packet then meets
  the most specific matching row first: nft and pf ``quick`` both stop at the first match).

What has no exact meaning off Windows is refused by `validate` (`platform-no-equivalent`): netsh's
server keywords (``DNS``, ``WINS``, ``DHCP``, ``GATEWAY``: the adapter's current servers) and the
``raw`` protocol. This module raises `UntranslatableRule` if one reaches it anyway.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ..profile import BUILTIN_ROWS, BuiltinRow, Profile, Rule

UNIX_RULE_COLUMNS = (
    "Action",
    "SrcAddr",
    "SrcPort",
    "DstAddr",
    "DstPort",
    "Protocol",
    "Mirrored",
    "Description",
)
EXTRA_DESTINATION_COLUMNS = ("Address", "Port", "Protocol", "Description")
SERVER_KEYWORDS = ("dns", "wins", "dhcp", "gateway")

_ANY_SIZE = 2**129


class UntranslatableRule(ValueError):
    """A rule with no exact meaning on a packet filter other than netsh's."""


@dataclass(frozen=True)
class UnixRule:
    action: str
    src: str
    src_port: int
    dst: str
    dst_port: int
    protocol: str
    """"" (any), tcp, udp, icmp or a number 0-255 as text."""
    mirrored: bool
    description: str
    replies: bool = False
    """The reverse direction takes replies only (connection state), not a stateless rule."""

    def row(self) -> list[str]:
        return [
            self.action,
            self.src,
            str(self.src_port) if self.src_port else "",
            self.dst,
            str(self.dst_port) if self.dst_port else "",
            self.protocol,
            "state" if self.replies else "yes" if self.mirrored else "no",
            self.description,
        ]


def translate_address(address: str, mask: str) -> list[tuple[str, int]]:
    """One netsh address (and mask) as Unix-table cells, each with the number of addresses it
    covers (for ordering). Raises UntranslatableRule."""
    text = address.strip()
    lowered = text.lower()
    if lowered in ("me", "any"):
        return [(lowered, 1 if lowered == "me" else _ANY_SIZE)]
    if lowered in SERVER_KEYWORDS:
        raise UntranslatableRule(
            f"the server keyword {text} (the adapter's current {text} servers) has no "
            "exact meaning in nftables or pf"
        )
    try:
        if "-" in text:
            low_text, high_text = (part.strip() for part in text.split("-", 1))
            low, high = ipaddress.ip_address(low_text), ipaddress.ip_address(high_text)
            networks = ipaddress.summarize_address_range(low, high)
            return [(_network_cell(n), n.num_addresses) for n in networks]
        parsed = ipaddress.ip_address(text)
        if mask:
            network = ipaddress.ip_network(f"{parsed}/{mask}", strict=True)
            return [(_network_cell(network), network.num_addresses)]
        return [(str(parsed), 1)]
    except (ValueError, TypeError):
        # A DNS name (resolved on the endpoint). Anything else the validator would have
        # refused goes through as the text it is: the artifact refuses such a cell itself.
        return [(text, 1)]


def _network_cell(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> str:
    if network.num_addresses == 1:
        return str(network.network_address)
    return str(network)


def translate_protocol(protocol: str | None) -> str:
    if protocol is None or protocol == "any":
        return ""
    if protocol == "raw":
        raise UntranslatableRule(
            "the protocol raw has no documented protocol number in netsh, so it has no exact "
            "meaning in nftables or pf; give the protocol number instead"
        )
    return protocol


def translate_rule(rule: Rule, *, replies: bool = False) -> list[tuple[UnixRule, int]]:
    """A profile rule as Unix-table rows, each with its specificity (smaller: more specific);
    `replies`: its reverse direction takes replies only (`UnixRule.replies`)."""
    protocol = translate_protocol(rule.protocol)
    sources = translate_address(rule.src_addr, rule.src_mask)
    destinations = translate_address(rule.dst_addr, rule.dst_mask)
    rows: list[tuple[UnixRule, int]] = []
    for src, src_size in sources:
        for dst, dst_size in destinations:
            weight = src_size * dst_size * (1 if protocol else 256)
            weight *= (1 if rule.src_port else 65536) * (1 if rule.dst_port else 65536)
            rows.append(
                (
                    UnixRule(
                        rule.action,
                        src,
                        rule.src_port or 0,
                        dst,
                        rule.dst_port or 0,
                        protocol,
                        rule.mirrored,
                        rule.description,
                        replies,
                    ),
                    weight,
                )
            )
    return rows


DHCPV6_ROW = BuiltinRow(
    "allow_dhcp",
    "the built-in DHCPv6 permit (allow.dhcp, Linux and macOS)",
    Rule("permit", "me", "", 546, "any", "", 547, "udp", True, "DHCPv6"),
)
"""Linux and macOS only: the Windows table (`BUILTIN_ROWS`, upstream's) has no DHCPv6 row."""


def builtin_rows(profile: Profile) -> list[BuiltinRow]:
    """The built-in permits of the Linux/macOS table: DNS (UDP and TCP) and DHCP as every
    artifact has them (`BUILTIN_ROWS`), then DHCPv6; each from me and mirrored (so both
    directions). Block-all is no row of this table: the nftables chains' policy and the pf
    anchor's last rule say it (`block_all` switch)."""
    on = {"allow_dns": profile.allow_dns, "allow_dhcp": profile.allow_dhcp, "block_all": False}
    return [row for row in (*BUILTIN_ROWS, DHCPV6_ROW) if on[row.switch]]


def builtin_rules(profile: Profile) -> list[Rule]:
    """The rules of `builtin_rows`, in order."""
    return [row.rule for row in builtin_rows(profile)]


def unix_rules(profile: Profile) -> list[UnixRule]:
    """Every row of the Linux/macOS RuleLookupTable, most specific first (stable)."""
    weighted: list[tuple[UnixRule, int]] = []
    for row in builtin_rows(profile):
        weighted.extend(translate_rule(row.rule, replies=row.replies_by_state))
    for rule in profile.rules:
        weighted.extend(translate_rule(rule))
    return [row for row, _ in sorted(weighted, key=lambda item: item[1])]


def untranslatable(rule: Rule) -> str | None:
    """Why `rule` has no exact meaning off Windows, or None."""
    try:
        translate_rule(rule)
    except UntranslatableRule as problem:
        return str(problem)
    return None
