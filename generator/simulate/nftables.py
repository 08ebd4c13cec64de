"""A model of nftables as the ``nft`` command sees it: tables, chains, rules and the packet path.

It understands the subset of the nft language that the artifacts generate, and rejects, as
``nft -c`` would, what real nft rejects among those constructs. Every modelled behaviour follows
the nft(8) manual page (``doc/nft.txt``, ``doc/payload-expression.txt`` and
``doc/primary-expression.txt`` in netfilter's nftables repository):

- Input (nft(8) LEXICAL CONVENTIONS): input is parsed line-wise; ``;`` separates commands on one
  line; ``#`` starts a comment; identifiers begin with a letter and hold letters, digits, ``/``,
  ``\\``, ``_`` and ``.``; other names must be double-quoted.
- ``-f FILE`` reads commands from a file and applies them as one transaction; ``-c`` (``--check``)
  checks them "without actually applying the changes" (OPTIONS).
- TABLES: ``add table`` (also the bare ``table`` form of a file) does not fail when the table
  exists; ``delete table`` fails when it does not (the kernel answers ENOENT: "No such file or
  directory"), which is why a file replaces a table with ``table``, ``delete table``, then the new
  definition, all in one transaction; ``destroy table`` never fails.
- CHAINS: a base chain needs ``type``, ``hook`` and ``priority``; ``filter`` chains exist for every
  hook; ``policy`` is ``accept`` (the default) or ``drop``; the priority is an integer or a
  standard name (``raw`` -300, ``mangle`` -150, ``dstnat`` -100, ``filter`` 0, ``security`` 50,
  ``srcnat`` 100).
- OVERALL EVALUATION OF THE RULESET: at each hook every base chain is evaluated in priority order;
  the first matching rule's verdict ends the chain (no match: the chain's policy); ``accept`` moves
  the packet on to the next base chain, ``drop`` ends the evaluation: a packet is accepted only if
  no chain drops it. Tables do not matter to the evaluation.
- Payload expressions (payload-expression.txt): ``ip saddr``/``daddr`` are IPv4 addresses,
  ``ip6 saddr``/``daddr`` IPv6 addresses (a prefix ``/n`` or a range ``a-b`` matches a set),
  ``tcp``/``udp`` ``sport``/``dport`` are 16-bit ``inet_service`` values; in an ``inet`` table a
  header expression creates an implicit dependency on its protocol, so one rule cannot match two
  network protocols (``ip`` and ``ip6``, ``icmpv6`` with ``ip``) or two transport protocols
  (``tcp`` and ``udp``): nft refuses it ("conflicting protocols specified").
- ``ct state`` (nft(8) CONNTRACK EXPRESSIONS; ``doc/stateful-objects.txt``/``ct.txt``): the
  connection tracking state of the packet, one of ``new``, ``established``, ``related``,
  ``untracked`` and ``invalid``, or several separated by commas (``established,related``), as
  nft lists them. Which state a packet has is the endpoint's to say (`Packet.ct`): conntrack
  sees every packet, and a reply to a packet that the ruleset let out is ``established``;
  anything else the model sends is ``new``.
- ``meta l4proto`` (primary-expression.txt) matches the transport protocol (a name or a number
  0-255); ``icmpv6 type`` matches ICMPv6 types by number or name; ``iif``/``oif`` match an
  interface that must exist when the rule is loaded.

What is NOT modelled, and stays unverified by `simulate`: sets, maps, jumps, counters, ``ct``
expressions other than ``ct state``, conntrack's timeouts and helpers, NAT, other families'
hooks, and nft's exact error texts (the model's messages follow nft's
``FILE:LINE:COLUMN: Error: ...`` shape). A prefix with host bits set (``10.0.0.1/24``)
is refused here; real nft may accept it and mask it, so the model is stricter than nft there.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

FAMILIES = ("ip", "ip6", "inet", "arp", "bridge", "netdev")
HOOKS = ("prerouting", "input", "forward", "output", "postrouting")
PRIORITY_NAMES = {
    "raw": -300,
    "mangle": -150,
    "dstnat": -100,
    "filter": 0,
    "security": 50,
    "srcnat": 100,
}
L4_NAMES = {"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "gre": 47, "esp": 50, "ah": 51}
L4_NUMBERS_SHOWN = {1: "icmp", 6: "tcp", 17: "udp", 58: "ipv6-icmp"}
ICMPV6_TYPES = {
    "destination-unreachable": 1,
    "packet-too-big": 2,
    "time-exceeded": 3,
    "parameter-problem": 4,
    "echo-request": 128,
    "echo-reply": 129,
    "nd-router-solicit": 133,
    "nd-router-advert": 134,
    "nd-neighbor-solicit": 135,
    "nd-neighbor-advert": 136,
    "nd-redirect": 137,
}
ICMPV6_NAMES = {number: name for name, number in ICMPV6_TYPES.items()}
CT_STATES = ("invalid", "established", "related", "new", "untracked")
VERSION_TEXT = "nftables v1.0.9 (Old Doggo)\n"

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9/\\_.]*$")
_TOKEN = re.compile(r'"[^"\n]*"|[{};,]|[^\s{};,"#]+')

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class NftError(Exception):
    """A command nft refuses: `line`/`column` point into the input, as nft's messages do."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class AddressMatch:
    """``ip saddr X`` or ``ip6 daddr X``: X is an address, a prefix or a range."""

    version: int
    field: str
    low: int
    high: int
    text: str

    def matches(self, packet: Packet) -> bool:
        if packet.version != self.version:
            return False
        value = packet.src if self.field == "saddr" else packet.dst
        return self.low <= int(ipaddress.ip_address(value)) <= self.high


@dataclass(frozen=True)
class PortMatch:
    protocol: int
    field: str
    port: int

    def matches(self, packet: Packet) -> bool:
        if packet.protocol != self.protocol:
            return False
        return (packet.sport if self.field == "sport" else packet.dport) == self.port


@dataclass(frozen=True)
class ProtocolMatch:
    protocol: int

    def matches(self, packet: Packet) -> bool:
        return packet.protocol == self.protocol


@dataclass(frozen=True)
class Icmpv6Match:
    types: frozenset[int]

    def matches(self, packet: Packet) -> bool:
        return packet.version == 6 and packet.protocol == 58 and packet.icmp_type in self.types


@dataclass(frozen=True)
class HoplimitMatch:
    value: int

    def matches(self, packet: Packet) -> bool:
        return packet.version == 6 and packet.hoplimit == self.value


@dataclass(frozen=True)
class CtStateMatch:
    """``ct state S[,S...]``: the packet's connection tracking state is one of them."""

    states: tuple[str, ...]

    def matches(self, packet: Packet) -> bool:
        return packet.ct in self.states


@dataclass(frozen=True)
class InterfaceMatch:
    direction: str
    """``iif`` or ``oif``."""
    name: str

    def matches(self, packet: Packet) -> bool:
        return (packet.iif if self.direction == "iif" else packet.oif) == self.name


Match = (
    AddressMatch
    | PortMatch
    | ProtocolMatch
    | Icmpv6Match
    | HoplimitMatch
    | InterfaceMatch
    | CtStateMatch
)


@dataclass(frozen=True)
class NftRule:
    matches: tuple[Match, ...]
    verdict: str
    text: str
    """The rule as nft lists it."""

    def matches_packet(self, packet: Packet) -> bool:
        return all(m.matches(packet) for m in self.matches)


@dataclass
class Chain:
    name: str
    type: str | None = None
    hook: str | None = None
    priority: int | None = None
    policy: str = "accept"
    rules: list[NftRule] = field(default_factory=list)

    @property
    def base(self) -> bool:
        return self.hook is not None


@dataclass
class Table:
    family: str
    name: str
    chains: dict[str, Chain] = field(default_factory=dict)


@dataclass
class NftState:
    """The kernel's ruleset: tables by (family, name)."""

    tables: dict[tuple[str, str], Table] = field(default_factory=dict)
    interfaces: tuple[str, ...] = ("lo", "eth0")

    def as_dict(self) -> dict[str, Any]:
        return {
            f"{family} {name}": {
                chain.name: {
                    "hook": chain.hook,
                    "priority": chain.priority,
                    "policy": chain.policy,
                    "rules": [r.text for r in chain.rules],
                }
                for chain in table.chains.values()
            }
            for (family, name), table in self.tables.items()
        }


@dataclass(frozen=True)
class Packet:
    """One packet at a hook: ``input`` (to this host), ``output`` (from it) or ``forward``."""

    hook: str
    src: str
    dst: str
    protocol: int
    sport: int = 0
    dport: int = 0
    icmp_type: int | None = None
    hoplimit: int = 64
    iif: str = "eth0"
    oif: str = "eth0"
    ct: str = "new"
    """Its connection tracking state (``new``, ``established``, ``related``...)."""

    @property
    def version(self) -> int:
        return ipaddress.ip_address(self.src).version


# ---------------------------------------------------------------- parsing


@dataclass
class _Token:
    text: str
    line: int
    column: int


def _tokens(text: str) -> list[list[_Token]]:
    """Commands as token lists: a newline or ``;`` ends a command, except inside braces."""
    commands: list[list[_Token]] = []
    current: list[_Token] = []
    depth = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.split("#", 1)[0] if '"' not in raw else _strip_comment(raw)
        for match in _TOKEN.finditer(line):
            token = _Token(match.group(0), number, match.start() + 1)
            if token.text == "{":
                depth += 1
            elif token.text == "}":
                depth -= 1
                if depth < 0:
                    raise NftError("syntax error, unexpected '}'", number, token.column)
            if token.text == ";" and depth == 0:
                if current:
                    commands.append(current)
                current = []
                continue
            current.append(token)
        if depth == 0 and current:
            commands.append(current)
            current = []
        elif depth > 0 and current and current[-1].text not in ("{", ";"):
            current.append(_Token(";", number, len(line) + 1))
    if depth != 0:
        raise NftError("syntax error, unexpected end of file", len(text.split("\n")), 1)
    if current:
        commands.append(current)
    return commands


def _strip_comment(line: str) -> str:
    inside = False
    for index, char in enumerate(line):
        if char == '"':
            inside = not inside
        elif char == "#" and not inside:
            return line[:index]
    return line


@dataclass(frozen=True)
class Command:
    verb: str
    """``add``, ``delete``, ``destroy`` or ``define`` (a table with a body)."""
    family: str
    name: str
    body: Table | None = None
    line: int = 0


class _Cursor:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> _Token:
        token = self.peek()
        if token is None:
            last = self.tokens[-1] if self.tokens else _Token("", 0, 0)
            raise NftError(
                "syntax error, unexpected end of command", last.line, last.column + len(last.text)
            )
        if expected is not None and token.text != expected:
            raise NftError(
                f"syntax error, unexpected {token.text}, expecting {expected}",
                token.line,
                token.column,
            )
        self.index += 1
        return token

    def at_end(self) -> bool:
        return self.index >= len(self.tokens)


def _identifier(token: _Token) -> str:
    text = token.text
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        inner = text[1:-1]
        if not inner:
            raise NftError("empty name", token.line, token.column)
        return inner
    if not _IDENTIFIER.match(text):
        raise NftError(f"syntax error, unexpected {text}", token.line, token.column)
    return text


def parse(text: str, interfaces: tuple[str, ...] = ("lo", "eth0")) -> list[Command]:
    """Parse an nft input file (or a command line joined by spaces) into commands."""
    commands: list[Command] = []
    for tokens in _tokens(text):
        cursor = _Cursor(tokens)
        first = cursor.take()
        verb = first.text
        if verb in ("add", "create", "delete", "destroy", "flush", "list"):
            obj = cursor.take()
            if obj.text != "table":
                raise NftError(
                    f"syntax error, unexpected {obj.text} (only tables are modelled)",
                    obj.line,
                    obj.column,
                )
        elif verb == "table":
            verb = "add"
        else:
            raise NftError(f"syntax error, unexpected {verb}", first.line, first.column)
        family_token = cursor.take()
        if family_token.text not in FAMILIES:
            raise NftError(
                f"syntax error, unexpected {family_token.text}, expecting a family "
                f"({', '.join(FAMILIES)})",
                family_token.line,
                family_token.column,
            )
        name = _identifier(cursor.take())
        body: Table | None = None
        if not cursor.at_end():
            if verb not in ("add", "create"):
                token = cursor.take()
                raise NftError(f"syntax error, unexpected {token.text}", token.line, token.column)
            body = _table_body(cursor, family_token.text, name, interfaces)
        if not cursor.at_end():
            token = cursor.take()
            raise NftError(f"syntax error, unexpected {token.text}", token.line, token.column)
        commands.append(Command(verb, family_token.text, name, body, first.line))
    return commands


def _table_body(cursor: _Cursor, family: str, name: str, interfaces: tuple[str, ...]) -> Table:
    table = Table(family, name)
    cursor.take("{")
    while True:
        token = cursor.take()
        if token.text == "}":
            return table
        if token.text == ";":
            continue
        if token.text != "chain":
            raise NftError(f"syntax error, unexpected {token.text}", token.line, token.column)
        chain_name = _identifier(cursor.take())
        chain = table.chains.setdefault(chain_name, Chain(chain_name))
        _chain_body(cursor, chain, family, interfaces)


def _chain_body(cursor: _Cursor, chain: Chain, family: str, interfaces: tuple[str, ...]) -> None:
    cursor.take("{")
    while True:
        token = cursor.peek()
        if token is None:
            cursor.take("}")
            return
        if token.text == "}":
            cursor.take()
            return
        if token.text == ";":
            cursor.take()
            continue
        if token.text == "type":
            _chain_spec(cursor, chain)
            continue
        if token.text == "policy":
            cursor.take()
            policy = cursor.take()
            if policy.text not in ("accept", "drop"):
                raise NftError(
                    f"syntax error, unexpected {policy.text}, expecting accept or drop",
                    policy.line,
                    policy.column,
                )
            if not chain.base:
                raise NftError("policy is only valid for base chains", policy.line, policy.column)
            chain.policy = policy.text
            continue
        chain.rules.append(_rule(cursor, family, interfaces))


def _chain_spec(cursor: _Cursor, chain: Chain) -> None:
    start = cursor.take("type")
    kind = cursor.take()
    if kind.text not in ("filter", "nat", "route"):
        raise NftError(f"unknown chain type {kind.text}", kind.line, kind.column)
    cursor.take("hook")
    hook = cursor.take()
    if hook.text not in HOOKS:
        raise NftError(f"unknown chain hook {hook.text}", hook.line, hook.column)
    if cursor.peek() is None or cursor.peek().text != "priority":  # type: ignore[union-attr]
        raise NftError(
            "For base chains, type, hook and priority parameters are mandatory",
            start.line,
            start.column,
        )
    cursor.take("priority")
    priority = cursor.take()
    if priority.text in PRIORITY_NAMES:
        value = PRIORITY_NAMES[priority.text]
    elif re.fullmatch(r"-?[0-9]+", priority.text):
        value = int(priority.text)
    else:
        raise NftError(f"'{priority.text}' is an invalid priority", priority.line, priority.column)
    chain.type, chain.hook, chain.priority = kind.text, hook.text, value


def _rule(cursor: _Cursor, family: str, interfaces: tuple[str, ...]) -> NftRule:
    matches: list[Match] = []
    shown: list[str] = []
    network: str | None = None
    transport: str | None = None
    start = cursor.peek()
    assert start is not None

    def need_network(name: str, token: _Token) -> None:
        nonlocal network
        if family in ("ip", "ip6") and name != family:
            raise NftError(
                f"conflicting protocols specified: {family} vs. {name}", token.line, token.column
            )
        if network is not None and network != name:
            raise NftError(
                f"conflicting protocols specified: {network} vs. {name}",
                token.line,
                token.column,
            )
        network = name

    def need_transport(name: str, token: _Token) -> None:
        nonlocal transport
        if transport is not None and transport != name:
            raise NftError(
                f"conflicting protocols specified: {transport} vs. {name}",
                token.line,
                token.column,
            )
        transport = name

    while True:
        token = cursor.take()
        word = token.text
        if word in ("accept", "drop"):
            end = cursor.peek()
            if end is not None and end.text not in (";", "}"):
                raise NftError(
                    f"syntax error, unexpected {end.text} after the verdict", end.line, end.column
                )
            if end is not None and end.text == ";":
                cursor.take()
            return NftRule(tuple(matches), word, " ".join([*shown, word]))
        if word in ("iif", "oif"):
            name_token = cursor.take()
            name = name_token.text.strip('"')
            if name not in interfaces:
                raise NftError(
                    f"Interface does not exist: {name}", name_token.line, name_token.column
                )
            matches.append(InterfaceMatch(word, name))
            shown.append(f'{word} "{name}"')
        elif word in ("ip", "ip6"):
            what = cursor.take()
            if what.text in ("saddr", "daddr"):
                need_network(word, token)
                value = cursor.take()
                matches.append(_address(word, what.text, value))
                shown.append(f"{word} {what.text} {matches[-1].text}")  # type: ignore[union-attr]
            elif word == "ip6" and what.text == "hoplimit":
                need_network("ip6", token)
                value = cursor.take()
                matches.append(HoplimitMatch(_number(value, 255)))
                shown.append(f"ip6 hoplimit {matches[-1].value}")  # type: ignore[union-attr]
            else:
                raise NftError(f"syntax error, unexpected {what.text}", what.line, what.column)
        elif word in ("tcp", "udp"):
            what = cursor.take()
            if what.text not in ("sport", "dport"):
                raise NftError(f"syntax error, unexpected {what.text}", what.line, what.column)
            need_transport(word, token)
            port = _number(cursor.take(), 65535)
            matches.append(PortMatch(L4_NAMES[word], what.text, port))
            shown.append(f"{word} {what.text} {port}")
        elif word == "meta":
            what = cursor.take()
            if what.text != "l4proto":
                raise NftError(
                    f"syntax error, unexpected {what.text} (only meta l4proto is modelled)",
                    what.line,
                    what.column,
                )
            value = cursor.take()
            number = L4_NAMES.get(value.text)
            if number is None:
                number = 58 if value.text in ("ipv6-icmp", "icmpv6") else _number(value, 255)
            transport_name = {6: "tcp", 17: "udp", 58: "icmpv6"}.get(number)
            if transport_name is not None:
                need_transport(transport_name, value)
            matches.append(ProtocolMatch(number))
            shown.append(f"meta l4proto {L4_NUMBERS_SHOWN.get(number, str(number))}")
        elif word == "ct":
            cursor.take("state")
            states = [cursor.take()]
            while cursor.peek() is not None and cursor.peek().text == ",":  # type: ignore[union-attr]
                cursor.take(",")
                states.append(cursor.take())
            for state in states:
                if state.text not in CT_STATES:
                    raise NftError(
                        f"syntax error, unexpected {state.text} (ct state: "
                        + ", ".join(CT_STATES)
                        + ")",
                        state.line,
                        state.column,
                    )
            wanted = tuple(s.text for s in states)
            matches.append(CtStateMatch(wanted))
            shown.append("ct state " + ",".join(wanted))
        elif word == "icmpv6":
            cursor.take("type")
            need_network("ip6", token)
            need_transport("icmpv6", token)
            types = _icmpv6_types(cursor)
            matches.append(Icmpv6Match(frozenset(types)))
            names = [ICMPV6_NAMES.get(t, str(t)) for t in sorted(types)]
            shown.append(
                "icmpv6 type " + (names[0] if len(names) == 1 else "{ " + ", ".join(names) + " }")
            )
        else:
            raise NftError(f"syntax error, unexpected {word}", token.line, token.column)


def _number(token: _Token, maximum: int) -> int:
    if not re.fullmatch(r"[0-9]+", token.text):
        raise NftError(
            f"syntax error, unexpected {token.text}, expecting a number", token.line, token.column
        )
    value = int(token.text)
    if value > maximum:
        raise NftError(f"Value {value} exceeds valid range 0-{maximum}", token.line, token.column)
    return value


def _icmpv6_types(cursor: _Cursor) -> set[int]:
    def one(token: _Token) -> int:
        if token.text in ICMPV6_TYPES:
            return ICMPV6_TYPES[token.text]
        return _number(token, 255)

    first = cursor.take()
    if first.text != "{":
        return {one(first)}
    found: set[int] = set()
    while True:
        token = cursor.take()
        if token.text == "}":
            if not found:
                raise NftError("empty set", token.line, token.column)
            return found
        if token.text == ",":
            continue
        found.add(one(token))


def _address(protocol: str, field_name: str, token: _Token) -> AddressMatch:
    version = 4 if protocol == "ip" else 6
    text = token.text
    try:
        if "-" in text:
            low_text, high_text = text.split("-", 1)
            low, high = ipaddress.ip_address(low_text), ipaddress.ip_address(high_text)
            if low.version != version or high.version != version:
                raise ValueError
            if int(low) > int(high):
                raise NftError(f"Range has zero or negative size: {text}", token.line, token.column)
            return AddressMatch(version, field_name, int(low), int(high), f"{low}-{high}")
        network = ipaddress.ip_network(text, strict=True)
    except NftError:
        raise
    except ValueError:
        raise NftError(
            f"Could not resolve hostname: {text} is not an {'IPv4' if version == 4 else 'IPv6'} "
            "address or prefix",
            token.line,
            token.column,
        ) from None
    if network.version != version:
        raise NftError(
            f"Could not resolve hostname: {text} is not an {'IPv4' if version == 4 else 'IPv6'} "
            "address",
            token.line,
            token.column,
        )
    shown = str(network.network_address) if network.num_addresses == 1 else str(network)
    return AddressMatch(
        version,
        field_name,
        int(network.network_address),
        int(network.broadcast_address),
        shown,
    )


# ---------------------------------------------------------------- transactions


def apply(state: NftState, commands: list[Command], *, check: bool = False) -> None:
    """Run `commands` as one transaction: all of them take effect, or none (NftError)."""
    work = copy.deepcopy(state.tables)
    for command in commands:
        key = (command.family, command.name)
        if command.verb in ("add", "create"):
            if command.verb == "create" and key in work:
                raise NftError("Could not process rule: File exists", command.line, 1)
            table = work.setdefault(key, Table(command.family, command.name))
            if command.body is not None:
                for chain in command.body.chains.values():
                    existing = table.chains.get(chain.name)
                    if existing is None:
                        table.chains[chain.name] = copy.deepcopy(chain)
                        continue
                    if chain.base and existing.base and chain.hook != existing.hook:
                        raise NftError(
                            f"Could not process rule: chain {chain.name} exists with another hook",
                            command.line,
                            1,
                        )
                    if chain.base:
                        existing.type, existing.hook = chain.type, chain.hook
                        existing.priority, existing.policy = chain.priority, chain.policy
                    existing.rules.extend(copy.deepcopy(chain.rules))
        elif command.verb == "delete":
            if key not in work:
                raise NftError("Could not process rule: No such file or directory", command.line, 1)
            del work[key]
        elif command.verb == "destroy":
            work.pop(key, None)
        elif command.verb == "flush":
            if key not in work:
                raise NftError("Could not process rule: No such file or directory", command.line, 1)
            for chain in work[key].chains.values():
                chain.rules.clear()
    if not check:
        state.tables = work


def listing(table: Table) -> str:
    """``nft list table``'s text for a table."""
    lines = [f"table {table.family} {table.name} {{"]
    for chain in table.chains.values():
        lines.append(f"\tchain {chain.name} {{")
        if chain.base:
            priority = next(
                (name for name, value in PRIORITY_NAMES.items() if value == chain.priority),
                str(chain.priority),
            )
            lines.append(
                f"\t\ttype {chain.type} hook {chain.hook} priority {priority}; "
                f"policy {chain.policy};"
            )
        lines.extend(f"\t\t{rule.text}" for rule in chain.rules)
        lines.append("\t}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def verdict(state: NftState, packet: Packet) -> str:
    """``accept`` or ``drop`` for one packet at its hook (no base chain: accept)."""
    chains = [
        chain
        for table in state.tables.values()
        if table.family in ("inet", "ip" if packet.version == 4 else "ip6")
        for chain in table.chains.values()
        if chain.hook == packet.hook
    ]
    for chain in sorted(chains, key=lambda c: c.priority or 0):
        outcome = next((r.verdict for r in chain.rules if r.matches_packet(packet)), chain.policy)
        if outcome == "drop":
            return "drop"
    return "accept"


# ---------------------------------------------------------------- the nft command


Files = Callable[[str], str | None]


@dataclass
class Nft:
    """Runs one ``nft`` argv against `state`; `read_file` answers ``-f FILE``."""

    state: NftState
    read_file: Files

    def run(self, argv: list[str]) -> tuple[int, str, str]:
        args = argv[1:]
        check = False
        while args and args[0] in ("-c", "--check"):
            check = True
            args = args[1:]
        if args in (["--version"], ["-v"], ["-V"]):
            return 0, VERSION_TEXT, ""
        if args[:1] in (["-f"], ["--file"]):
            if len(args) != 2:
                return 1, "", "Error: -f needs exactly one file\n"
            return self._file(args[1], check)
        if args == ["list", "tables"] or args == ["list", "tables", "inet"]:
            return 0, "".join(f"table {f} {n}\n" for f, n in self.state.tables), ""
        if args == ["list", "ruleset"]:
            return 0, "".join(listing(t) for t in self.state.tables.values()), ""
        if len(args) == 4 and args[:2] == ["list", "table"]:
            table = self.state.tables.get((args[2], args[3]))
            if table is None:
                return 1, "", f"Error: No such file or directory\nlist table {args[2]} {args[3]}\n"
            return 0, listing(table), ""
        if args and args[0] in ("add", "delete", "destroy", "flush", "table", "create"):
            return self._commands(" ".join(args), "<cmdline>", check)
        return 1, "", f"Error: syntax error, unexpected {' '.join(args[:1]) or 'end of input'}\n"

    def _file(self, path: str, check: bool) -> tuple[int, str, str]:
        text = self.read_file(path)
        if text is None:
            return 1, "", f"Error: Could not process rule: No such file or directory\n{path}\n"
        return self._commands(text, path, check)

    def _commands(self, text: str, source: str, check: bool) -> tuple[int, str, str]:
        try:
            apply(self.state, parse(text, self.state.interfaces), check=check)
        except NftError as error:
            return 1, "", f"{source}:{error.line}:{error.column}: Error: {error.message}\n"
        return 0, "", ""


def rules_of(state: NftState, family: str, name: str) -> Iterator[tuple[str, NftRule]]:
    table = state.tables.get((family, name))
    if table is not None:
        for chain in table.chains.values():
            for rule in chain.rules:
                yield chain.name, rule
