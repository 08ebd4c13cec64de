"""A rule uses something only netsh can express, while ``platforms`` names Linux or macOS.

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

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "platform-no-equivalent"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}
TITLES = {"linux": "Linux (nftables)", "macos": "macOS (pf)"}


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    platforms = ctx.get("platforms")
    if not isinstance(platforms, list):
        return
    chosen = [p for p in platforms if isinstance(p, str) and p in TITLES]
    others = [TITLES[p] for p in chosen]
    if not others:
        return
    names = " and ".join(others)
    for rule in ctx.rules:
        if rule.index is None:
            continue
        for side, address in (("source", rule.src), ("destination", rule.dst)):
            if address.kind == "keyword":
                yield ctx.diagnostic(
                    ("rules", rule.index, side),
                    ID,
                    SEVERITY,
                    f"{rule.label}.{side} is the netsh server keyword {address.netsh}: "
                    f"{names} cannot express it (it stands for the network adapter's "
                    f"current {address.netsh} servers)",
                    "write the servers' addresses instead, or remove "
                    + " and ".join(chosen)
                    + " from platforms",
                )
        if rule.protocol == "raw":
            yield ctx.diagnostic(
                ("rules", rule.index, "protocol"),
                ID,
                SEVERITY,
                f"{rule.label}.protocol is raw: netsh names no protocol number for it, so "
                f"{names} cannot express it exactly",
                "write the IP protocol number instead (e.g. 47 for GRE)",
            )
