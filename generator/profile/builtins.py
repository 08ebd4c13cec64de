"""The rows every artifact adds around the profile's own rules: upstream's default table.

Defined once: the renderer writes them into the rule table (DNS and DHCP before the profile's
rules, block-all after them) and the checks compare the profile's rules with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .model import Profile, Rule

Switch = Literal["allow_dns", "allow_dhcp", "block_all"]


@dataclass(frozen=True)
class BuiltinRow:
    switch: Switch
    """The profile setting that adds this row (`Profile` attribute)."""
    label: str
    """How findings name it."""
    rule: Rule
    replies_by_state: bool = False
    """Where the packet filter keeps connection state (nftables, pf), the reverse direction of
    this mirrored row lets in replies only: a resolver answers the query the host sent. (DHCP
    stays stateless: a client's broadcast is answered from the server's own address, which no
    connection state links to the request.) netsh's IPsec filters are stateless: Windows
    mirrors the row as it is."""


BUILTIN_ROWS: tuple[BuiltinRow, ...] = (
    BuiltinRow(
        "allow_dns",
        "the built-in DNS permit (allow.dns)",
        Rule("permit", "me", "", 0, "any", "", 53, "udp", True, "DNS"),
        replies_by_state=True,
    ),
    BuiltinRow(
        "allow_dns",
        "the built-in DNS TCP permit (allow.dns)",
        Rule("permit", "me", "", 0, "any", "", 53, "tcp", True, "DNS TCP"),
        replies_by_state=True,
    ),
    BuiltinRow(
        "allow_dhcp",
        "the built-in DHCP permit (allow.dhcp)",
        Rule("permit", "me", "", 68, "any", "", 67, "udp", True, "DHCP"),
    ),
    BuiltinRow(
        "block_all",
        "the block-all filter (block_all)",
        Rule("block", "any", "", None, "any", "", None, None, True, "All other traffic"),
    ),
)


def active_rows(allow_dns: bool, allow_dhcp: bool, block_all: bool) -> list[BuiltinRow]:
    """The built-in rows these switches add, in table order."""
    on = {"allow_dns": allow_dns, "allow_dhcp": allow_dhcp, "block_all": block_all}
    return [row for row in BUILTIN_ROWS if on[row.switch]]


def table_rules(profile: Profile) -> list[Rule]:
    """Every row of the rule table, in order: DNS, DHCP, the profile's own rules, block-all."""
    rows = active_rows(profile.allow_dns, profile.allow_dhcp, profile.block_all)
    head = [row.rule for row in rows if row.switch != "block_all"]
    tail = [row.rule for row in rows if row.switch == "block_all"]
    return [*head, *profile.rules, *tail]
