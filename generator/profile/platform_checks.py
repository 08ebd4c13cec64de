"""Checks for the platforms a profile names (``platforms``): what only netsh can express.

A profile's rules are platform-neutral; on Linux (nftables) and macOS (pf) each rule is
translated exactly (`generator.render.unix`) or refused here, at the rule's line:

- netsh's server keywords (``DNS``, ``WINS``, ``DHCP``, ``GATEWAY``) stand for the network
  adapter's current servers, which nftables and pf cannot name;
- the protocol ``raw``: netsh's help names it without a protocol number, so no exact number can
  be written for nftables or pf.

Everything else has an exact meaning: ``me`` (the host: nftables' input and output hooks, pf's
in and out directions), masks (a prefix), ranges (the networks that cover exactly the range),
DNS names (resolved on the endpoint, every address kept), ports, protocols and ``mirrored``
(the reverse rule, as netsh's mirrored filter).
"""

from __future__ import annotations

from typing import Any

from ..diagnostics import Diagnostic, Severity
from ..yamlsource import YamlDocument
from .rules import ParsedRule

RULES = {
    "platform-no-equivalent": "a rule uses something (a netsh server keyword, protocol raw) that "
    "a platform of `platforms` cannot express exactly",
}
TITLES = {"linux": "Linux (nftables)", "macos": "macOS (pf)"}


def check_platforms(doc: YamlDocument, rules: list[ParsedRule]) -> list[Diagnostic]:
    data: Any = doc.data if isinstance(doc.data, dict) else {}
    platforms = data.get("platforms")
    if not isinstance(platforms, list):
        return []
    chosen = [p for p in platforms if isinstance(p, str) and p in TITLES]
    others = [TITLES[p] for p in chosen]
    if not others:
        return []
    names = " and ".join(others)
    out: list[Diagnostic] = []
    for rule in rules:
        if rule.index is None:
            continue
        for side, address in (("source", rule.src), ("destination", rule.dst)):
            if address.kind == "keyword":
                out.append(
                    Diagnostic(
                        doc.location(("rules", rule.index, side)),
                        "platform-no-equivalent",
                        Severity.ERROR,
                        f"{rule.label}.{side} is the netsh server keyword {address.netsh}: "
                        f"{names} cannot express it (it stands for the network adapter's "
                        f"current {address.netsh} servers)",
                        "write the servers' addresses instead, or remove "
                        + " and ".join(chosen)
                        + " from platforms",
                    )
                )
        if rule.protocol == "raw":
            out.append(
                Diagnostic(
                    doc.location(("rules", rule.index, "protocol")),
                    "platform-no-equivalent",
                    Severity.ERROR,
                    f"{rule.label}.protocol is raw: netsh names no protocol number for it, so "
                    f"{names} cannot express it exactly",
                    "write the IP protocol number instead (e.g. 47 for GRE)",
                )
            )
    return out
