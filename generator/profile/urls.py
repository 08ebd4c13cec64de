"""Server and negative-check URLs: parsed strictly, so that the artifact never has to guess.

The upstream artifact splits ``url(parse=URL).Host`` on ``:``, which breaks IPv6 literals and turns
``http://`` into port 443. Here a URL is parsed once, at validation time, into scheme, host (no
brackets), host kind and port.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal

from .addresses import is_dns_name
from .problems import ValueProblem
from .text import unsafe_in_line

HostKind = Literal["ipv4", "ipv6", "dns"]

_AUTHORITY = re.compile(
    r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://"
    r"(?P<userinfo>[^@/?#]*@)?"
    r"(?P<host>\[[^\]/?#]*\]|[^:/?#\[\]]*)"
    r"(?::(?P<port>[^/?#]*))?"
    r"(?P<rest>[/?#].*)?$",
    re.DOTALL,
)


class UrlError(ValueProblem):
    """Why a text is not a usable server or check URL."""


@dataclass(frozen=True)
class ParsedUrl:
    url: str
    scheme: str
    host: str
    """Without brackets for IPv6 literals; lowercase for names."""
    host_kind: HostKind
    port: int


DEFAULT_PORTS = {"https": 443, "wss": 443, "http": 80}


def parse_url(url: str, *, schemes: tuple[str, ...], rule: str) -> ParsedUrl:
    """Parse `url`, allowing only `schemes`. Syntax problems use rule id `rule`."""
    if any(ch.isspace() for ch in url) or unsafe_in_line(url):
        raise UrlError(
            rule,
            f"URL {url!r} contains spaces or control characters",
            "write the URL on one line without spaces",
        )
    match = _AUTHORITY.match(url)
    if match is None:
        raise UrlError(rule, f"{url!r} is not a URL", f"write it as {schemes[0]}://host[:port]/")
    scheme = match["scheme"].lower()
    if scheme not in schemes:
        wanted = " or ".join(schemes)
        raise UrlError(
            "server-url-scheme" if rule == "server-url-syntax" else rule,
            f"URL scheme {scheme!r} is not allowed here (only {wanted})",
            "the quarantine never permits plain http to the server: use https:// or wss://"
            if rule == "server-url-syntax"
            else f"use a {wanted} URL",
        )
    if match["userinfo"]:
        raise UrlError(
            rule,
            f"URL {url!r} carries a user name or password",
            "remove the user@ part: credentials never belong in a profile",
        )
    raw_host = match["host"]
    if match["port"] is not None and ":" in match["port"]:
        raise UrlError(
            rule,
            f"{url!r} looks like an IPv6 address without brackets",
            "write IPv6 literals in brackets: https://[2001:db8::10]:8000/",
        )
    host, kind = _host(raw_host, url, rule)
    port = DEFAULT_PORTS[scheme]
    if match["port"] is not None:
        if not match["port"].isdigit() or not 1 <= int(match["port"]) <= 65535:
            raise UrlError(
                rule,
                f"port {match['port']!r} in {url!r} is not a port 1-65535",
                "write the port as a number, e.g. :8000",
            )
        port = int(match["port"])
    return ParsedUrl(url, scheme, host, kind, port)


def _host(raw: str, url: str, rule: str) -> tuple[str, HostKind]:
    if not raw:
        raise UrlError(rule, f"URL {url!r} has no host", "write it as https://host[:port]/")
    if raw.startswith("["):
        try:
            ip6 = ipaddress.IPv6Address(raw[1:-1])
        except ValueError:
            raise UrlError(
                rule,
                f"{raw} in {url!r} is not an IPv6 address",
                "put a valid IPv6 address between the brackets",
            ) from None
        if ip6.scope_id:
            raise UrlError(
                rule,
                f"{raw} in {url!r} has a zone index",
                "netsh filters take no zone index; remove the %... part",
            )
        return ip6.compressed, "ipv6"
    try:
        ip4 = ipaddress.IPv4Address(raw)
    except ValueError:
        pass
    else:
        return str(ip4), "ipv4"
    if re.fullmatch(r"[0-9.]+", raw):
        raise UrlError(
            rule,
            f"host {raw!r} in {url!r} is not a valid IPv4 address",
            "an IPv4 address has four numbers 0-255",
        )
    if not is_dns_name(raw):
        raise UrlError(
            rule,
            f"host {raw!r} in {url!r} is not a valid host name",
            "use a DNS name, an IPv4 address, or an IPv6 address in brackets",
        )
    return raw.lower().rstrip("."), "dns"
