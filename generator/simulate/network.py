"""The simulated network around an endpoint: names, the Velociraptor frontend, proxies, the rest
of the internet, and the clock. Platform-neutral: a platform model supplies the host's packet
filter (`Firewall`), and everything else is shared.

What the model takes as given (scenario data, not Velociraptor or Windows behaviour):
- DNS answers (a name not listed gets a stable TEST-NET-3 address; ``[]`` does not resolve);
- the frontend: its addresses, the names its certificate/SNI routing serves, whether it
  answers, and whether it needs SNI (a load balancer that routes on SNI, or Let's Encrypt
  autocert, which picks the certificate by SNI: velociraptor ``api/builder.go``);
- proxies: which address:port listens as an HTTP proxy and whether it reaches the server;
- whether the host has IPv6 connectivity at all.
Packets to an address the firewall blocks are dropped silently, so the sender times out
(IPsec block filter action: "block" discards the packet; netsh-ipsec reference notes).
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ..vql import go_bytes
from ..vql.eval import Session

SIM_START = 1_700_000_000.0


class CollectionCancelled(Exception):
    """The collection's query was cancelled: its timeout passed, or a person cancelled it.

    Velociraptor's client cancels the query context at the deadline (``actions/vql.go``,
    default 600 s, or the artifact's ``resources.timeout``) and closes the root scope, which runs
    the queries registered with ``atexit()`` (``vql/tools/atexit.go``, vfilter
    ``scope/scope.go`` ``Close``). A running command is killed with the context
    (``exec.CommandContext`` in ``vql/tools/shell/execve.go``).
    """


@dataclass
class Clock:
    """Simulated time, shared with the evaluator's ``now()`` once `attach` is called."""

    session: Session | None = None
    _time: float = SIM_START

    def attach(self, session: Session) -> None:
        """Share the time with `session` (a later collection's session takes it over)."""
        now = self.now()
        self._time = now
        session.clock = now
        self.session = session

    def now(self) -> float:
        return self.session.clock if self.session is not None else self._time

    def set(self, moment: float) -> None:
        if self.session is not None:
            self.session.clock = moment
        else:
            self._time = moment

    def advance(self, seconds: float) -> None:
        if self.session is not None:
            self.session.clock += seconds
        else:
            self._time += seconds


class Firewall(Protocol):
    """The host's packet filter: "permit", "block" or None (no rule matches: the packet goes)."""

    def decide(self, address: str, port: int, protocol: str = "tcp") -> str | None: ...


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_ipv6(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).version == 6
    except ValueError:
        return False


@dataclass(frozen=True)
class Frontend:
    """The Velociraptor frontend as the network sees it."""

    addresses: frozenset[str]
    names: frozenset[str]
    answers: bool = True
    sni_required: bool = False


@dataclass(frozen=True)
class ProxyServer:
    """An HTTP proxy listening on address:port."""

    address: str
    port: int
    reaches_server: bool = True


@dataclass(frozen=True)
class Connect:
    """The result of opening a TCP connection from the host."""

    ok: bool
    failure: str = ""
    """"": connected; "unreachable": no route (fails at once); "timeout": dropped silently."""
    address: str = ""


@dataclass
class Network:
    dns: dict[str, list[str]]
    frontend: Frontend
    proxies: list[ProxyServer] = field(default_factory=list)
    ipv6: bool = False
    internet_answer: str = "http"
    """How a host outside the policy answers: http, refused, tls-error, timeout, no-dns."""

    def resolve(self, name: str) -> list[str]:
        """What the host's resolver answers (a platform whose filter can stop DNS overrides
        this); `lookup` by default."""
        return self.lookup(name)

    def lookup(self, name: str) -> list[str]:
        """The scenario's DNS; a name it does not list gets a stable TEST-NET-3 address."""
        if is_ip(name):
            return [name]
        if not name:
            return []
        listed = self.dns.get(name.lower().rstrip("."))
        if listed is not None:
            return list(listed)
        if self.internet_answer == "no-dns" and name.lower() not in self.frontend.names:
            return []
        digest = hashlib.sha256(go_bytes(name.lower())).digest()
        return [f"203.0.113.{1 + digest[0] % 250}"]

    def proxy_at(self, address: str, port: int) -> ProxyServer | None:
        for proxy in self.proxies:
            if proxy.address == address and proxy.port == port:
                return proxy
        return None

    def is_frontend(self, address: str) -> bool:
        return address in self.frontend.addresses

    def connect(
        self, firewall: Firewall, address: str, port: int, *, frontend: bool = False
    ) -> Connect:
        """Open a TCP connection from the host: the host's own filter first, then the far end.
        `frontend`: the request is for a Velociraptor frontend (``/server.pem``), so the address
        counts as one even if no server URL of the scenario names it (a profile's extra URL)."""
        if is_ipv6(address) and not self.ipv6:
            return Connect(False, "unreachable", address)
        if firewall.decide(address, port, "tcp") == "block":
            return Connect(False, "timeout", address)
        if (frontend or self.is_frontend(address)) and not self.frontend.answers:
            return Connect(False, "timeout", address)
        return Connect(True, "", address)

    def from_proxy(self, host: str) -> bool:
        """Whether a proxy (outside the host's filter) can reach `host`."""
        addresses = self.lookup(host)
        if not addresses:
            return False
        if any(self.is_frontend(a) for a in addresses):
            return self.frontend.answers
        return True


Resolver = Callable[[str], list[str]]
