"""A model of macOS's Packet Filter as ``pfctl`` drives it: anchors, enable references, rules.

It understands the subset of pf.conf that the artifacts generate and refuses, as ``pfctl -n``
would, what real pfctl refuses among those constructs. Sources: pfctl(8) and pf.conf(5) of macOS
(https://manp.gs/mac/8/pfctl, https://manp.gs/mac/5/pf.conf; the Mac OS X 10.9 pages in Apple's
developer library say the same) and OpenBSD's PF user's guide (filter rules):

- ``pfctl -a ANCHOR -f FILE`` loads FILE's rules into ANCHOR only, replacing the anchor's ruleset
  in one transaction; with ``-n`` the rules are parsed but not loaded; ``-a ANCHOR -F all``
  flushes the anchor; ``-a ANCHOR -s rules`` shows its rules; ``-s info`` shows whether pf is
  enabled.
- macOS's ``-E`` enables pf and takes an enable reference, printing ``Token : N``; ``-X N``
  releases that reference; pf stays enabled while any reference is held (``-s References``).
  The texts ``pf not enabled`` and ``token invalid`` for a release that cannot be made are the
  ones Velociraptor's MacOS.Remediation.Quarantine artifact (revision 1.0.9) relies on.
- An anchor is evaluated only where the main ruleset attaches it: macOS's /etc/pf.conf has
  ``anchor "com.apple/*"``, which evaluates every anchor below ``com.apple`` (pf.conf(5)
  ANCHORS).
- STATEFUL FILTERING (pf.conf(5)): a ``pass`` rule that keeps state creates a state entry for
  the packet it passes; the packets of that connection in either direction, replies included,
  then match the state and pass without the ruleset being evaluated. `decide` is asked about one
  packet; `keeps_state` says whether the packet that opened a connection created a state, and
  the endpoint passes its reply on that.
- Filter rules are evaluated first to last; the last matching rule decides, unless a matching
  rule has ``quick``, which decides at once (also inside an anchor); without a match the packet
  passes (pf.conf(5) PACKET FILTERING).
- Rule form: ``action [in|out] [quick] [on IF] [inet|inet6] [proto P] (all | [from SRC
  [port N]] [to DST [port N]]) [icmp6-type T] [no state|keep state]`` (a missing from or to is
  any); SRC/DST are ``any``, an address or a CIDR network; ports need ``proto tcp`` or
  ``udp``; ``icmp6-type`` needs ``proto icmp6``; a rule cannot mix IPv4 and IPv6 addresses;
  ``pass`` keeps state unless ``no state`` is given; a state option on a ``block`` rule is
  refused.

Not modelled (unverified by `simulate`): tables, macros, NAT and redirection, state tracking
beyond "replies of a kept state pass" (timeouts, TCP window tracking, state limits), scrub,
interfaces other than lo0, and pfctl's exact messages, which the model approximates.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PROTOCOLS = {"icmp": 1, "tcp": 6, "udp": 17, "icmp6": 58, "ipv6-icmp": 58}
ICMP6_NAMES = {
    "unreach": 1,
    "toobig": 2,
    "timex": 3,
    "paramprob": 4,
    "echoreq": 128,
    "echorep": 129,
    "routersol": 133,
    "routeradv": 134,
    "neighbrsol": 135,
    "neighbradv": 136,
    "redir": 137,
}
FLAG_WARNING = (
    "pfctl: Use of -f option, could result in flushing of rules\n"
    "present in the main ruleset added by the system at startup.\n"
    "See /etc/pf.conf for further details.\n\n"
)
ALTQ_NOTE = "No ALTQ support in kernel\nALTQ related functions disabled\n"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class PfError(Exception):
    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class PfRule:
    action: str
    direction: str | None
    quick: bool
    interface: str | None
    protocol: int | None
    src: Network | None
    src_port: int | None
    dst: Network | None
    dst_port: int | None
    icmp6_type: int | None
    keep_state: bool
    text: str

    def matches(self, packet: PfPacket) -> bool:
        if self.direction is not None and packet.direction != self.direction:
            return False
        if self.interface is not None and packet.interface != self.interface:
            return False
        if self.protocol is not None and packet.protocol != self.protocol:
            return False
        if self.src is not None and not _within(packet.src, self.src):
            return False
        if self.dst is not None and not _within(packet.dst, self.dst):
            return False
        if self.src_port is not None and packet.sport != self.src_port:
            return False
        if self.dst_port is not None and packet.dport != self.dst_port:
            return False
        return self.icmp6_type is None or packet.icmp_type == self.icmp6_type


def _within(address: str, network: Network) -> bool:
    parsed = ipaddress.ip_address(address)
    return parsed.version == network.version and parsed in network


@dataclass(frozen=True)
class PfPacket:
    direction: str
    """``in`` (to this host) or ``out`` (from it)."""
    src: str
    dst: str
    protocol: int
    sport: int = 0
    dport: int = 0
    icmp_type: int | None = None
    interface: str = "en0"


@dataclass
class PfState:
    """The kernel side: enabled or not, its references, the anchors and what the main ruleset
    attaches."""

    references: dict[int, str] = field(default_factory=dict)
    enabled_by_system: bool = False
    """pf enabled without a reference from us (another service's reference)."""
    anchors: dict[str, list[PfRule]] = field(default_factory=dict)
    attached: tuple[str, ...] = ("com.apple/*",)
    """The main ruleset's ``anchor`` rules, e.g. ``com.apple/*``."""
    next_token: int = 16412876723127043585

    @property
    def enabled(self) -> bool:
        return self.enabled_by_system or bool(self.references)

    def as_dict(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "references": {str(k): v for k, v in self.references.items()},
            "anchors": {name: [r.text for r in rules] for name, rules in self.anchors.items()},
            "attached": list(self.attached),
        }

    def evaluated_anchors(self) -> list[str]:
        """The anchors the main ruleset evaluates, in order."""
        out: list[str] = []
        for pattern in self.attached:
            if pattern.endswith("/*"):
                parent = pattern[:-1]
                out.extend(sorted(a for a in self.anchors if a.startswith(parent)))
            elif pattern in self.anchors:
                out.append(pattern)
        return out


def deciding_rule(state: PfState, packet: PfPacket) -> PfRule | None:
    """The rule that decides one packet: the first matching ``quick`` rule, else the last
    matching rule; None when no rule matches (or pf is disabled)."""
    if not state.enabled:
        return None
    found: PfRule | None = None
    for anchor in state.evaluated_anchors():
        for rule in state.anchors[anchor]:
            if rule.matches(packet):
                found = rule
                if rule.quick:
                    return found
    return found


def decide(state: PfState, packet: PfPacket) -> str:
    """``pass`` or ``block`` for one packet (pf disabled, or no rule matches: pass)."""
    rule = deciding_rule(state, packet)
    return "pass" if rule is None else rule.action


def keeps_state(state: PfState, packet: PfPacket) -> bool:
    """Whether passing `packet` creates a state entry, so that its replies pass unevaluated."""
    rule = deciding_rule(state, packet)
    return rule is not None and rule.action == "pass" and rule.keep_state


# ---------------------------------------------------------------- parsing

_WORD = re.compile(r"\{|\}|,|[^\s{},]+")


def parse_rules(text: str) -> list[PfRule]:
    rules: list[PfRule] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        rules.append(_parse_rule(_WORD.findall(line), number, line))
    return rules


def _parse_rule(words: list[str], line: int, text: str) -> PfRule:
    position = 0

    def peek() -> str | None:
        return words[position] if position < len(words) else None

    def take() -> str:
        nonlocal position
        if position >= len(words):
            raise PfError("syntax error", line)
        position += 1
        return words[position - 1]

    action = take()
    if action not in ("pass", "block"):
        raise PfError("syntax error", line)
    if action == "block" and peek() in ("drop", "return"):
        take()
    direction = take() if peek() in ("in", "out") else None
    quick = False
    if peek() == "quick":
        take()
        quick = True
    interface = None
    if peek() == "on":
        take()
        interface = take()
        if interface != "lo0" and not re.fullmatch(r"[a-z]+[0-9]+", interface):
            raise PfError(f"no such interface: {interface}", line)
    family: int | None = None
    if peek() in ("inet", "inet6"):
        family = 4 if take() == "inet" else 6
    protocol: int | None = None
    protocol_name = ""
    if peek() == "proto":
        take()
        protocol_name = take()
        if protocol_name in PROTOCOLS:
            protocol = PROTOCOLS[protocol_name]
        elif re.fullmatch(r"[0-9]{1,3}", protocol_name) and int(protocol_name) <= 255:
            protocol = int(protocol_name)
        else:
            raise PfError(f"unknown protocol {protocol_name}", line)
    src = dst = None
    src_port = dst_port = None
    # parse.y: fromto is ALL, or an optional "from ..." then an optional "to ...".
    if peek() == "all":
        take()
    else:
        if peek() == "from":
            take()
            src = _host(take(), line)
            if peek() == "port":
                take()
                src_port = _port(take(), line)
        if peek() == "to":
            take()
            dst = _host(take(), line)
            if peek() == "port":
                take()
                dst_port = _port(take(), line)
    icmp6_type = None
    if peek() == "icmp6-type":
        take()
        value = take()
        icmp6_type = ICMP6_NAMES.get(value)
        if icmp6_type is None:
            if not re.fullmatch(r"[0-9]{1,3}", value) or int(value) > 255:
                raise PfError(f"unknown icmp6-type {value}", line)
            icmp6_type = int(value)
        if protocol != 58:
            raise PfError("icmp6-type only for icmp6", line)
    keep_state = action == "pass"
    if peek() in ("no", "keep"):
        option = take()
        if take() != "state":
            raise PfError("syntax error", line)
        if action == "block":
            raise PfError("keep state on block rules doesn't make sense", line)
        keep_state = option == "keep"
    if peek() is not None:
        raise PfError("syntax error", line)
    if (src_port is not None or dst_port is not None) and protocol not in (6, 17):
        raise PfError("port only applies to tcp/udp", line)
    versions: set[int] = {n.version for n in (src, dst) if n is not None}
    if family is not None:
        versions.add(family)
    if len(versions) > 1:
        raise PfError("address family mismatch", line)
    if icmp6_type is not None and versions == {4}:
        raise PfError("icmp6-type only for inet6", line)
    return PfRule(
        action=action,
        direction=direction,
        quick=quick,
        interface=interface,
        protocol=protocol,
        src=src,
        src_port=src_port,
        dst=dst,
        dst_port=dst_port,
        icmp6_type=icmp6_type,
        keep_state=keep_state,
        text=text,
    )


def _host(word: str, line: int) -> Network | None:
    if word == "any":
        return None
    try:
        return ipaddress.ip_network(word, strict=True)
    except ValueError:
        raise PfError(f"no IP address found for {word}", line) from None


def _port(word: str, line: int) -> int:
    if not re.fullmatch(r"[0-9]{1,5}", word) or int(word) > 65535:
        raise PfError(f"illegal port value {word}", line)
    return int(word)


# ---------------------------------------------------------------- the pfctl command

Files = Callable[[str], str | None]


@dataclass
class Pfctl:
    """Runs one ``pfctl`` argv against `state`; `read_file` answers ``-f FILE``."""

    state: PfState
    read_file: Files
    holder: str = "velociraptor"

    def run(self, argv: list[str]) -> tuple[int, str, str]:
        args = argv[1:]
        anchor: str | None = None
        dry = False
        rest: list[str] = []
        index = 0
        while index < len(args):
            word = args[index]
            if word == "-a" and index + 1 < len(args):
                anchor = args[index + 1]
                index += 2
                continue
            if word == "-n":
                dry = True
            else:
                rest.append(word)
            index += 1
        if rest[:1] == ["-f"] and len(rest) == 2 and anchor:
            return self._load(anchor, rest[1], dry)
        if rest == ["-F", "all"] and anchor:
            flushed = bool(self.state.anchors.pop(anchor, None))
            return 0, "", FLAG_WARNING.replace("-f", "-F") + ("rules cleared\n" if flushed else "")
        if rest in (["-s", "rules"], ["-sr"]) and anchor:
            rules = self.state.anchors.get(anchor, [])
            return 0, "".join(r.text + "\n" for r in rules), ALTQ_NOTE
        if rest == ["-s", "info"] and anchor is None:
            status = "Enabled" if self.state.enabled else "Disabled"
            return 0, f"Status: {status} for 0 days 00:00:01           Debug: Urgent\n", ALTQ_NOTE
        if rest == ["-s", "References"] and anchor is None:
            lines = ["TOKENS:", "PID      Process Name                 TOKEN"]
            lines += [f"0        {who:<28} {token}" for token, who in self.state.references.items()]
            return 0, "\n".join(lines) + "\n", ALTQ_NOTE
        if rest == ["-E"] and anchor is None:
            token = self.state.next_token
            self.state.next_token += 1
            self.state.references[token] = self.holder
            return 0, "", ALTQ_NOTE + f"pf enabled\nToken : {token}\n"
        if rest[:1] == ["-X"] and len(rest) == 2 and anchor is None:
            return self._release(rest[1])
        return 1, "", f"pfctl: unsupported arguments (simulated): {' '.join(argv[1:])}\n"

    def _load(self, anchor: str, path: str, dry: bool) -> tuple[int, str, str]:
        text = self.read_file(path)
        if text is None:
            return 1, "", f"pfctl: {path}: No such file or directory\n"
        try:
            rules = parse_rules(text)
        except PfError as error:
            return (
                1,
                "",
                f"{path}:{error.line}: {error.message}\n"
                "pfctl: Syntax error in config file: pf rules not loaded\n",
            )
        if not dry:
            self.state.anchors[anchor] = copy.deepcopy(rules)
        return 0, "", FLAG_WARNING + ALTQ_NOTE

    def _release(self, token_text: str) -> tuple[int, str, str]:
        if not self.state.enabled:
            return 1, "", "pf not enabled\n"
        if not token_text.isdigit() or int(token_text) not in self.state.references:
            return 1, "", "token invalid\n"
        del self.state.references[int(token_text)]
        return 0, "", ALTQ_NOTE + ("pf disabled\n" if not self.state.enabled else "")
