"""Extra rules: parsed from raw profile data into netsh terms, with every problem located.

Parsing is defensive: it reads whatever the YAML held (the schema may already have complained about
a wrong type), skips what it cannot use, and reports each problem once, at the offending value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..diagnostics import Diagnostic, Severity
from ..yamlsource import NodePath, YamlDocument
from .addresses import Address, AddressError, apply_mask, parse_address
from .builtins import active_rows
from .text import unsafe_in_csv_field

PROTOCOL_NUMBERS = {1: "icmp", 6: "tcp", 17: "udp"}
MAX_RULES = 500
"""The schema's ``rules.maxItems``: a hundred times the example profiles' rules. Each rule is
netsh filters the run creates within its time budget, and validate compares every pair."""
PROTOCOL_NAMES = ("any", "icmp", "tcp", "udp", "raw")

# (source side, source port, destination side, destination port, protocol)
Selector = tuple[tuple[str, str, str], int, tuple[str, str, str], int, str]


@dataclass(frozen=True)
class ParsedRule:
    """One rule in netsh terms, or a built-in row the renderer adds (index is None)."""

    index: int | None
    label: str
    """``rules[2]`` or the built-in row's name, for messages."""
    action: str
    src: Address
    src_port: int | None
    dst: Address
    dst_port: int | None
    protocol: str | None
    """As the model wants it: a lowercase name, a number as text, or None when left out."""
    mirrored: bool
    description: str

    @property
    def protocol_class(self) -> str:
        """The protocol for comparisons: 6 is tcp, absent is any."""
        return _protocol_class(self.protocol)

    def selectors(self) -> set[Selector]:
        """The traffic this filter matches, per direction (two when mirrored)."""
        forward: Selector = (
            self.src.key(),
            self.src_port or 0,
            self.dst.key(),
            self.dst_port or 0,
            self.protocol_class,
        )
        out = {forward}
        if self.mirrored:
            out.add((forward[2], forward[3], forward[0], forward[1], forward[4]))
        return out


_BUILTIN_SIDES = {"me": Address("me", "me"), "any": Address("any", "any")}


def builtin_rows(allow_dns: bool, allow_dhcp: bool, block_all: bool) -> list[ParsedRule]:
    """The built-in rows (`BUILTIN_ROWS`) these switches add, in netsh terms, for comparisons."""
    return [
        ParsedRule(
            None,
            row.label,
            row.rule.action,
            _BUILTIN_SIDES[row.rule.src_addr],
            row.rule.src_port,
            _BUILTIN_SIDES[row.rule.dst_addr],
            row.rule.dst_port,
            row.rule.protocol,
            row.rule.mirrored,
            row.rule.description,
        )
        for row in active_rows(allow_dns, allow_dhcp, block_all)
    ]


class RuleParser:
    """Parses ``rules`` from a loaded document, collecting diagnostics."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.diagnostics: list[Diagnostic] = []

    def error(self, path: NodePath, rule: str, message: str, hint: str) -> None:
        self.diagnostics.append(
            Diagnostic(self.doc.location(path), rule, Severity.ERROR, message, hint)
        )

    def parse_all(self) -> list[ParsedRule]:
        """The rules in netsh terms: the first `MAX_RULES` only (the schema refuses more), so
        that the checks that compare every pair stay bounded."""
        data = self.doc.data if isinstance(self.doc.data, dict) else {}
        raw_rules = data.get("rules")
        if not isinstance(raw_rules, list):
            return []
        parsed = []
        for index, raw in enumerate(raw_rules[:MAX_RULES]):
            if isinstance(raw, dict):
                rule = self._parse(index, raw)
                if rule is not None:
                    parsed.append(rule)
        return parsed

    def _address(self, raw: dict[str, Any], at: NodePath, side: str) -> Address | None:
        value = raw.get(side)
        if not isinstance(value, str) or not value:
            return None
        try:
            address = parse_address(value)
        except AddressError as exc:
            self.error((*at, side), exc.rule, f"{_label(at)}.{side}: {exc.message}", exc.hint)
            return None
        mask = raw.get(f"{side}_mask")
        if mask is None or isinstance(mask, bool) or not isinstance(mask, str | int):
            return address
        try:
            return apply_mask(address, mask)
        except AddressError as exc:
            self.error(
                (*at, f"{side}_mask"),
                exc.rule,
                f"{_label(at)}.{side}_mask: {exc.message}",
                exc.hint,
            )
            return None

    def _parse(self, index: int, raw: dict[str, Any]) -> ParsedRule | None:
        at: NodePath = ("rules", index)
        label = _label(at)
        src = self._address(raw, at, "source")
        dst = self._address(raw, at, "destination")
        action = raw.get("action")
        protocol = _protocol(raw.get("protocol"))
        ports = {side: _port(raw.get(side)) for side in ("source_port", "destination_port")}
        mirrored = raw.get("mirrored", True)
        description = raw.get("description", "")
        proto_class = _protocol_class(protocol)
        for side, port in ports.items():
            if port and proto_class not in ("tcp", "udp", "?"):
                shown = protocol or "not set (any)"
                self.error(
                    (*at, side),
                    "port-without-tcp-udp",
                    f"{label}.{side} is {port} but the protocol is {shown}",
                    "netsh filters on ports only for protocol tcp or udp; set protocol: tcp "
                    "or udp, or set the port to 0 (any)",
                )
        if src is not None and dst is not None:
            self._pairing(at, src, dst)
        if isinstance(description, str):
            bad = unsafe_in_csv_field(description)
            if bad:
                self.error(
                    (*at, "description"),
                    "unsafe-characters",
                    f"{label}.description contains {bad}",
                    "the description travels in the artifact's CSV rule table and on "
                    "netsh's command line: no commas, quotes, line breaks or control "
                    "characters",
                )
        usable = (
            src is not None
            and dst is not None
            and action in ("permit", "block")
            and isinstance(mirrored, bool)
            and isinstance(description, str)
            and (protocol is None or isinstance(protocol, str))
            and _ports_ok(raw)
        )
        if not usable:
            return None
        assert src is not None and dst is not None and isinstance(description, str)
        return ParsedRule(
            index,
            label,
            str(action),
            src,
            _port_value(raw.get("source_port")),
            dst,
            _port_value(raw.get("destination_port")),
            protocol if isinstance(protocol, str) else None,
            bool(mirrored),
            description,
        )

    def _pairing(self, at: NodePath, src: Address, dst: Address) -> None:
        for side, address, other, other_side in (
            ("source", src, dst, "destination"),
            ("destination", dst, src, "source"),
        ):
            if address.kind == "keyword" and other.kind != "me":
                self.error(
                    (*at, other_side),
                    "server-keyword-pairing",
                    f"{_label(at)}: {side} is the server keyword {address.netsh}, so "
                    f"{other_side} must be `me`, not {other.netsh}",
                    "netsh: if one side is DNS, WINS, DHCP or GATEWAY, the other side is me",
                )
                return


def _label(at: NodePath) -> str:
    return f"rules[{at[1]}]"


def _port(value: Any) -> int | None:
    """0 for absent or any; the port when valid; None when unusable."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        return None
    return value


def _ports_ok(raw: dict[str, Any]) -> bool:
    return all(_port(raw.get(side)) is not None for side in ("source_port", "destination_port"))


def _port_value(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _protocol(value: Any) -> str | bool | None:
    """The protocol as the model spells it; None when absent; False when unusable."""
    if value is None:
        return None
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return str(value) if 0 <= value <= 255 else False
    if isinstance(value, str) and value in PROTOCOL_NAMES:
        return value
    return False


def _protocol_class(protocol: str | bool | None) -> str:
    if protocol is None:
        return "any"
    if protocol is False or protocol is True:
        return "?"
    assert isinstance(protocol, str)
    if protocol.isdigit():
        return PROTOCOL_NUMBERS.get(int(protocol), protocol)
    return protocol
