"""Comparing filters: which traffic a rule matches, contains or shares with another.

A filter matches (source, source port, destination, destination port, protocol) in one
direction, two when mirrored. Addresses compare by the address sets they cover; ``any`` and an
absent port or protocol cover everything.
"""

from __future__ import annotations

import ipaddress

from ..addresses import Address
from ..rules import ParsedRule
from ..urls import ParsedUrl

Directional = tuple[Address, int, Address, int, str]


def directions(rule: ParsedRule) -> list[Directional]:
    forward = (rule.src, rule.src_port or 0, rule.dst, rule.dst_port or 0, rule.protocol_class)
    if not rule.mirrored:
        return [forward]
    return [forward, (forward[2], forward[3], forward[0], forward[1], forward[4])]


def address_within(inner: Address, outer: Address) -> bool:
    if outer.kind == "any" or inner.key() == outer.key():
        return True
    if inner.low is None or inner.high is None or outer.low is None or outer.high is None:
        return False
    return inner.low.version == outer.low.version and (
        int(outer.low) <= int(inner.low) and int(inner.high) <= int(outer.high)
    )


def addresses_meet(a: Address, b: Address) -> bool:
    if a.kind == "any" or b.kind == "any" or a.key() == b.key():
        return True
    if a.low is None or a.high is None or b.low is None or b.high is None:
        return False
    return a.low.version == b.low.version and not (
        int(a.high) < int(b.low) or int(b.high) < int(a.low)
    )


def within(inner: Directional, outer: Directional) -> bool:
    return (
        address_within(inner[0], outer[0])
        and outer[1] in (0, inner[1])
        and address_within(inner[2], outer[2])
        and outer[3] in (0, inner[3])
        and outer[4] in ("any", inner[4])
    )


def meet(a: Directional, b: Directional) -> bool:
    return (
        addresses_meet(a[0], b[0])
        and (0 in (a[1], b[1]) or a[1] == b[1])
        and addresses_meet(a[2], b[2])
        and (0 in (a[3], b[3]) or a[3] == b[3])
        and ("any" in (a[4], b[4]) or a[4] == b[4])
    )


def ambiguous(permit: ParsedRule, block: ParsedRule) -> bool:
    for p in directions(permit):
        for b in directions(block):
            if meet(p, b) and not within(p, b) and not within(b, p):
                return True
    return False


def in_order(
    rows: list[ParsedRule], builtins: list[ParsedRule], servers: list[ParsedRule]
) -> list[ParsedRule]:
    """`rows` without repeats: built-in rows first, then server permits, then rules by index."""
    fixed = [*builtins, *servers]

    def rank(row: ParsedRule) -> tuple[int, int]:
        for position, candidate in enumerate(fixed):
            if candidate is row:
                return (0, position)
        return (1, row.index or 0)

    unique = {id(row): row for row in rows}
    return sorted(unique.values(), key=rank)


def traffic(rule: ParsedRule) -> str:
    ports = [str(p) for p in (rule.src_port, rule.dst_port) if p]
    what = rule.protocol_class
    return f"{what} port {'/'.join(ports)}" if ports else f"protocol {what}"


def never_filtered(url: ParsedUrl) -> str | None:
    """What kind of host IPsec would not filter (loopback, unspecified, link-local), if any."""
    if url.host_kind == "dns":
        local = url.host == "localhost" or url.host.endswith(".localhost")
        return "a loopback name" if local else None
    ip = ipaddress.ip_address(url.host)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_link_local:
        return "a link-local address"
    return None


def url_address(url: ParsedUrl) -> Address:
    if url.host_kind == "dns":
        return Address("dns", url.host)
    ip = ipaddress.ip_address(url.host)
    return Address("ipv4" if ip.version == 4 else "ipv6", url.host, "", ip, ip)


def covers_specifically(address: Address, target: Address) -> bool:
    """True when `address` names `target` (not through `any`)."""
    if target.kind == "dns":
        return address.kind == "dns" and address.netsh == target.netsh
    if target.low is None:
        return False
    return address.contains(target.low)


def port_covers(port: int | None, wanted: int) -> bool:
    return not port or port == wanted


def block_covers(rule: ParsedRule, url: ParsedUrl) -> bool:
    """Does block `rule` match the TCP flow between this host and the server, either way?

    The host's side of that flow uses an ephemeral port, so only a block with no port on the
    host's side covers it; the server's side must be named specifically (`any` is the
    documented block-all idiom, which the narrower server permit overrides).
    """
    if rule.protocol_class not in ("any", "tcp"):
        return False
    server = url_address(url)
    orientations = [(rule.src, rule.src_port, rule.dst, rule.dst_port)]
    if rule.mirrored:
        orientations.append((rule.dst, rule.dst_port, rule.src, rule.src_port))
    for first, first_port, second, second_port in orientations:
        # this host:ephemeral -> server:port
        if (
            first.kind != "keyword"
            and not first_port
            and covers_specifically(second, server)
            and port_covers(second_port, url.port)
        ):
            return True
        # server:port -> this host:ephemeral
        if (
            covers_specifically(first, server)
            and port_covers(first_port, url.port)
            and second.kind != "keyword"
            and not second_port
        ):
            return True
    return False


def permit_lets_through(rule: ParsedRule, probe: ParsedRule) -> bool:
    if rule.protocol_class not in ("any", "tcp"):
        return False
    target = probe.dst
    orientations = [(rule.src, rule.dst, rule.dst_port)]
    if rule.mirrored:
        orientations.append((rule.dst, rule.src, rule.src_port))
    for local, remote, remote_port in orientations:
        if (
            local.kind in ("me", "any")
            and port_covers(remote_port, probe.dst_port or 0)
            and (covers_specifically(remote, target))
        ):
            return True
    return False


def unrestricted(rule: ParsedRule) -> bool:
    """Both sides are ``me`` or ``any``: the rule names no host."""
    return rule.src.kind in ("me", "any") and rule.dst.kind in ("me", "any")


def everything(rule: ParsedRule) -> bool:
    """No port and no protocol: every packet between its two sides."""
    return not rule.src_port and not rule.dst_port and rule.protocol_class == "any"
