"""Networking values: ``ip()``.

Velociraptor's ``ip()`` (vql/functions/networks.go, commit cd02ac663) returns Go's ``net.IP``:
``ip(parse=X)`` is ``net.ParseIP(X)`` or NULL when X is not an address; ``netaddr4_le`` and
``netaddr4_be`` build an IPv4 address from a 32-bit integer. The value prints as
``net.IP.String()`` (an IPv4 or IPv4-mapped address in dotted form, any other IPv6 address in
RFC 5952 compressed lowercase form) and exposes the zero-argument methods the VQL reference lists
(``String``, ``IsLoopback``, ``IsPrivate``, ...), which vfilter calls on member access.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from .. import values as v
from ..engine import Args, CallContext, FunctionImpl
from . import registrar

FUNCTIONS: dict[str, FunctionImpl] = {}
register = registrar(FUNCTIONS)

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class GoIP(str, v.Members):
    """A ``net.IP``: prints and serializes as its ``String()``; methods are members."""

    __slots__ = ("address",)
    address: _Address

    def __new__(cls, address: _Address) -> GoIP:
        text = go_ip_string(address)
        obj = super().__new__(cls, text)
        obj.address = address
        return obj

    def member_names(self) -> list[str]:
        return []

    def get_member(self, name: str) -> tuple[bool, Any]:
        address = _as_v4(self.address)
        if name == "String":
            return True, str(self)
        if name == "To4":
            return True, GoIP(address) if address.version == 4 else v.NULL
        if name == "IsLoopback":
            return True, address.is_loopback
        if name == "IsPrivate":
            # Go: 10/8, 172.16/12, 192.168/16 and fc00::/7 only (RFC 1918, RFC 4193).
            private = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
            return True, any(address in ipaddress.ip_network(n) for n in private)
        if name == "IsMulticast":
            return True, address.is_multicast
        if name == "IsUnspecified":
            return True, address.is_unspecified
        if name == "IsLinkLocalUnicast":
            return True, address.is_link_local and not address.is_multicast
        if name == "IsGlobalUnicast":
            return True, not (
                address.is_multicast
                or address.is_loopback
                or address.is_unspecified
                or address.is_link_local
                or (address.version == 4 and address == ipaddress.IPv4Address("255.255.255.255"))
            )
        return False, v.NULL


def _as_v4(address: _Address) -> _Address:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def go_ip_string(address: _Address) -> str:
    """``net.IP.String()``: IPv4 (and IPv4-mapped IPv6) dotted, other IPv6 compressed."""
    return str(_as_v4(address))


def go_parse_ip(text: str) -> _Address | None:
    """``net.ParseIP``: a dotted IPv4 address (no leading zeros) or an IPv6 address (no zone, no
    brackets, an embedded dotted IPv4 tail allowed); anything else is None."""
    if not text or "%" in text or not text.isascii():
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@register("ip")
def ip(ctx: CallContext, args: Args) -> Any:
    """vql/functions/networks.go ``IpFunction.Call``."""
    text = args.string("parse")
    if text:
        parsed = go_parse_ip(text)
        return v.NULL if parsed is None else GoIP(parsed)
    little = args.integer("netaddr4_le", 0)
    if little > 0:
        packed = (little & 0xFFFFFFFF).to_bytes(4, "little")
    else:
        packed = (args.integer("netaddr4_be", 0) & 0xFFFFFFFF).to_bytes(4, "big")
    return GoIP(ipaddress.IPv4Address(packed))


@register("cidr_contains")
def cidr_contains(ctx: CallContext, args: Args) -> Any:
    """vql/networking/cidrmatch.go: TRUE when `ip` (net.ParseIP) is in one of `ranges`
    (net.ParseCIDR, host bits allowed); an unparsable address is FALSE; an unparsable range is
    an error (logged) and FALSE."""
    parsed = go_parse_ip(args.string("ip"))
    if parsed is None:
        return False
    address = _as_v4(parsed)
    ranges = args.materialized("ranges", [])
    for item in ranges if isinstance(ranges, list | tuple) else [ranges]:
        text = v.go_value(item)
        network_text, _, prefix = text.partition("/")
        base = go_parse_ip(network_text)
        if base is None or not prefix.isdigit():
            ctx.log(f"ERROR:cidr_contains: invalid CIDR address: {text}")
            return False
        try:
            network = ipaddress.ip_network(f"{_as_v4(base)}/{int(prefix)}", strict=False)
        except ValueError:
            ctx.log(f"ERROR:cidr_contains: invalid CIDR address: {text}")
            return False
        if address.version == network.version and address in network:
            return True
    return False
