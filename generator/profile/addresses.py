"""netsh address forms: parse what a profile author wrote into netsh's spelling, or say why not.

netsh accepts ``me``, ``any``, an IPv4/IPv6 address, an IPv4 address plus a mask (a dotted mask or a
prefix 1-32), an IPv4 or IPv6 range ``a-b`` (both ends specific and of one family), a DNS name
(resolved once, when the filter is created) or a server keyword (``DNS``, ``WINS``, ``DHCP``,
``GATEWAY``). It takes no IPv6 prefix, so an IPv6 network must be written as a range.

A network (CIDR, or an address plus a mask in either form) is emitted as its network address
plus a **dotted** mask (``10.20.30.0`` and ``255.255.255.0``): netsh's help names both forms, and
the dotted one is what Microsoft's examples and the upstream rule table use. A ``/32`` is a single
address and is emitted without a mask.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal

from .problems import ValueProblem

AddressKind = Literal["me", "any", "ipv4", "ipv6", "ipv4-net", "range4", "range6", "dns", "keyword"]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SERVER_KEYWORDS = ("DNS", "WINS", "DHCP", "GATEWAY")

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_IPV4_LIKE = re.compile(r"^[0-9.]+$")


class AddressError(ValueProblem):
    """Why a text is not a usable netsh address; `rule` is the diagnostic rule id."""


@dataclass(frozen=True)
class Address:
    """One parsed address: its kind, netsh spelling, and the address set it covers, if known."""

    kind: AddressKind
    netsh: str
    """The address in netsh's spelling (without the mask)."""
    mask: str = ""
    """A dotted IPv4 mask for networks, else empty."""
    low: IPAddress | None = None
    high: IPAddress | None = None
    """First and last address covered, for addresses, networks and ranges."""

    def contains(self, ip: IPAddress) -> bool:
        if self.low is None or self.high is None or self.low.version != ip.version:
            return False
        return int(self.low) <= int(ip) <= int(self.high)

    def key(self) -> tuple[str, str, str]:
        """A comparable identity: two addresses with the same key match the same traffic."""
        if self.low is not None and self.high is not None:
            return (f"v{self.low.version}", str(int(self.low)), str(int(self.high)))
        return (self.kind, self.netsh.lower(), "")


def is_dns_name(text: str) -> bool:
    name = text[:-1] if text.endswith(".") else text
    if not name or len(name) > 253 or _IPV4_LIKE.match(name):
        return False
    return all(_LABEL.match(label) for label in name.split("."))


def _ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def parse_mask(value: str | int) -> int:
    """A dotted mask or a prefix 1-32 → the prefix length. Raises AddressError."""
    text = str(value).strip()
    if isinstance(value, int) or text.isdigit():
        prefix = int(text)
        if not 1 <= prefix <= 32:
            raise AddressError(
                "mask-syntax",
                f"mask prefix {prefix} is out of range",
                "netsh takes a prefix of 1 through 32, or a dotted mask such as 255.255.255.0",
            )
        return prefix
    try:
        bits = int(ipaddress.IPv4Address(text))
    except ValueError:
        bits = -1
    inverted = bits ^ 0xFFFFFFFF
    if bits < 0 or inverted & (inverted + 1):
        raise AddressError(
            "mask-syntax",
            f"{text!r} is not an IPv4 mask",
            "write a contiguous dotted mask such as 255.255.255.0 (not a wildcard mask such "
            "as 0.0.0.255), or a prefix 1-32",
        )
    if bits == 0:
        raise AddressError(
            "mask-syntax",
            "mask 0.0.0.0 matches every address",
            "use `any` as the address instead of a zero mask",
        )
    return 32 - (inverted.bit_length())


def _network(addr: ipaddress.IPv4Address, prefix: int, written: str) -> Address:
    net = ipaddress.IPv4Network(f"{addr}/{prefix}", strict=False)
    if net.network_address != addr:
        raise AddressError(
            "network-host-bits",
            f"{written} has host bits set; the network is {net}",
            f"write {net} (netsh's behaviour with host bits set is undocumented)",
        )
    if prefix == 32:
        return Address("ipv4", str(addr), "", addr, addr)
    return Address(
        "ipv4-net",
        str(net.network_address),
        str(net.netmask),
        net.network_address,
        net.broadcast_address,
    )


def _ipv6_range_hint(text: str) -> str:
    try:
        net = ipaddress.IPv6Network(text, strict=False)
    except ValueError:
        return "write the IPv6 network as a range `first-last`"
    return f"netsh takes no IPv6 prefix; write the range {net[0]}-{net[-1]}"


def parse_address(text: str) -> Address:
    """Parse one profile address (without its mask). Raises AddressError."""
    value = text.strip()
    if value != text:
        raise AddressError(
            "address-syntax",
            f"address {text!r} has leading or trailing spaces",
            "remove the spaces",
        )
    lowered = value.lower()
    if lowered == "me":
        return Address("me", "me")
    if lowered == "any":
        return Address("any", "any")
    if value.upper() in SERVER_KEYWORDS:
        return Address("keyword", value.upper())
    if "/" in value:
        return _parse_cidr(value)
    if "-" in value and (":" in value or _IPV4_LIKE.match(value.replace("-", ""))):
        return _parse_range(value)
    ip = _ip(value)
    if ip is not None:
        if ip.version == 4:
            return Address("ipv4", str(ip), "", ip, ip)
        if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
            raise AddressError(
                "address-syntax",
                f"{value!r} has an IPv6 zone index",
                "netsh filters take no zone index; remove the %... suffix",
            )
        return Address("ipv6", ip.compressed, "", ip, ip)
    if _IPV4_LIKE.match(value) or ":" in value:
        family = "IPv6" if ":" in value else "IPv4"
        raise AddressError(
            "address-syntax",
            f"{value!r} is not a valid {family} address",
            "check each part of the address"
            if family == "IPv6"
            else "an IPv4 address has four numbers 0-255, e.g. 198.51.100.7",
        )
    if is_dns_name(value):
        return Address("dns", lowered.rstrip("."))
    punycode = _punycode(value)
    raise AddressError(
        "address-syntax",
        f"{value!r} is not an address netsh understands",
        f"write the internationalised name in its ASCII form: {punycode}"
        if punycode
        else "use me, any, an IPv4/IPv6 address, a.b.c.d/nn, a range first-last, a DNS name, "
        "or DNS, WINS, DHCP, GATEWAY",
    )


def _punycode(value: str) -> str | None:
    """The ASCII (xn--) form of an internationalised DNS name, when it has one."""
    if value.isascii():
        return None
    try:
        ascii_name = value.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return ascii_name if is_dns_name(ascii_name) else None


def _parse_cidr(value: str) -> Address:
    addr_text, _, prefix_text = value.partition("/")
    ip = _ip(addr_text)
    if ip is None:
        raise AddressError(
            "address-syntax",
            f"{value!r} is not a valid network",
            "write an IPv4 network as address/prefix, e.g. 198.51.100.0/24",
        )
    if ip.version == 6:
        raise AddressError(
            "ipv6-prefix",
            f"IPv6 network {value} cannot be written as a prefix",
            _ipv6_range_hint(value),
        )
    if not prefix_text.isdigit() or not 1 <= int(prefix_text) <= 32:
        raise AddressError(
            "mask-syntax",
            f"prefix /{prefix_text} in {value!r} is out of range",
            "netsh takes an IPv4 prefix of 1 through 32; use `any` for every address",
        )
    assert isinstance(ip, ipaddress.IPv4Address)
    return _network(ip, int(prefix_text), value)


def _parse_range(value: str) -> Address:
    parts = value.split("-")
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise AddressError(
            "address-syntax",
            f"{value!r} is not a range",
            "write a range as first-last, e.g. 198.51.100.10-198.51.100.20",
        )
    low_text, high_text = (p.strip() for p in parts)
    low, high = _ip(low_text), _ip(high_text)
    for end, ip in ((low_text, low), (high_text, high)):
        if ip is None:
            raise AddressError(
                "address-syntax",
                f"range end {end!r} in {value!r} is not a specific address",
                "both ends of a range are single addresses (no networks, names or keywords)",
            )
    assert low is not None and high is not None
    if low.version != high.version:
        raise AddressError(
            "range-family",
            f"range {value!r} mixes IPv{low.version} and IPv{high.version}",
            "both ends of a netsh range must be IPv4, or both IPv6",
        )
    if int(low) > int(high):
        raise AddressError(
            "range-order",
            f"range {value!r} starts after it ends",
            f"write it as {high}-{low}",
        )
    kind: AddressKind = "range4" if low.version == 4 else "range6"
    spelled = f"{low}-{high}" if low.version == 4 else f"{low.compressed}-{high.compressed}"
    return Address(kind, spelled, "", low, high)


def apply_mask(address: Address, mask: str | int) -> Address:
    """Combine an IPv4 network address with a separate mask. Raises AddressError."""
    if address.kind != "ipv4":
        what = {
            "me": "`me`",
            "any": "`any`",
            "ipv6": "an IPv6 address",
            "ipv4-net": "a CIDR network",
            "range4": "a range",
            "range6": "a range",
            "dns": "a DNS name",
            "keyword": "a server keyword",
        }[address.kind]
        raise AddressError(
            "mask-without-network",
            f"a mask is given with {what}"
            + ("" if address.kind in ("me", "any") else f" ({address.netsh})"),
            "a mask applies only to an IPv4 network address; remove the mask"
            + (" (the CIDR prefix already sets it)" if address.kind == "ipv4-net" else ""),
        )
    prefix = parse_mask(mask)
    assert isinstance(address.low, ipaddress.IPv4Address)
    return _network(address.low, prefix, f"{address.netsh} mask {mask}")
