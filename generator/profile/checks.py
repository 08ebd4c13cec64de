"""Semantic checks beyond the schema: what netsh would reject, and what would lock responders out.

Each finding has a stable rule id (listed in `RULES`). The checks read the raw document
defensively, so that they run, and report, even when the schema has already found problems
elsewhere.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostic, Severity
from ..yamlsource import NodePath, YamlDocument
from .addresses import Address
from .model import DEFAULT_ARTIFACT_NAME
from .platform_checks import RULES as PLATFORM_RULES
from .platform_checks import check_platforms
from .rules import ParsedRule, RuleParser, Selector, builtin_rows
from .schema import where
from .text import unsafe_in_line, unsafe_in_netsh_name, unsafe_in_prose
from .urls import ParsedUrl, UrlError, parse_url

RULES: dict[str, str] = {
    "io-error": "the file or folder cannot be read",
    "yaml-syntax": "the file is not valid YAML",
    "yaml-duplicate-key": "a key appears twice in one mapping (YAML would keep only one)",
    "yaml-empty": "the file holds no YAML document",
    "yaml-not-mapping": "the document is not a mapping of keys to values",
    "yaml-encoding": "the file is not UTF-8",
    "yaml-too-large": "the file is over 1 MiB, expands to too many nodes, nests too deeply, "
    "or holds a number too long to read",
    "yaml-merge-key": "a merge key (<<) where the keys should be written out",
    "yaml-multiple-documents": "the file holds more than one YAML document",
    "not-a-profile": "the file is a Velociraptor artifact, not a quarantine profile",
    "schema": "the profile does not match the JSON Schema (type, key, range, form)",
    "yaml11-surprise": "YAML 1.1 reads an unquoted value differently (yes → true, 010 → 8, "
    "1.10 → 1.1)",
    "artifact-name": "the artifact name breaks Velociraptor's naming rule",
    "artifact-name-not-custom": "the artifact name lacks the Custom. prefix (warning)",
    "unsafe-characters": "a name, description or message holds characters the CSV rule table or "
    "netsh's command line cannot carry",
    "address-syntax": "a source or destination is not a netsh address",
    "mask-syntax": "a mask or prefix is not a contiguous IPv4 mask or a prefix 1-32",
    "mask-without-network": "a mask is given with something other than an IPv4 network address",
    "network-host-bits": "an IPv4 network has host bits set (198.51.100.7/24)",
    "ipv6-prefix": "an IPv6 network written as a prefix (netsh takes ranges only)",
    "range-order": "a range's first address is after its last",
    "range-family": "a range mixes IPv4 and IPv6",
    "port-without-tcp-udp": "a port is set but the protocol is not tcp or udp",
    "server-keyword-pairing": "DNS/WINS/DHCP/GATEWAY without `me` on the other side",
    "duplicate-rule": "a rule matches exactly the traffic of another rule (or built-in row) "
    "with the same action",
    "permit-block-tie": "a permit and a block match exactly the same traffic (netsh's "
    "tie-break is undefined)",
    "permit-not-mirrored": "a permit without mirrored: the replies are blocked (warning)",
    "permit-everything": "a permit that matches all traffic: the quarantine isolates "
    "nothing (warning)",
    "permit-any-address": "a permit limited by port or protocol only, to every address: "
    "command and control over it stays open (warning)",
    "permit-block-overlap": "a permit and a block partly overlap and neither is inside the "
    "other: which wins is undocumented (warning)",
    "permit-block-overlap-builtin": "a block partly overlaps the built-in DNS/DHCP permit: "
    "DNS/DHCP traffic to it may pass or be blocked (info)",
    "dns-name-resolved-once": "a DNS name in a rule is resolved once, when the filter is "
    "created (info)",
    "server-url-syntax": "a server URL cannot be parsed (host, port, brackets, credentials)",
    "server-url-scheme": "a server URL is not https or wss",
    "server-url-duplicate": "the same server address and port is listed twice (warning)",
    "lockout-no-server": "block-all is on and no server is permitted: the responders are cut off",
    "lockout-block-covers-server": "a block rule covers a server URL's address and port",
    "dns-off-with-hostname": "DNS is blocked while a server URL names a host (warning)",
    "dhcp-off": "DHCP is blocked: the host loses its address when its lease expires (warning)",
    "no-block-all": "block_all is off and no rule blocks everything: nothing is isolated (warning)",
    "rollback-disabled": "the connectivity check is off: nothing removes a policy that locks "
    "the responders out (warning)",
    "negative-check-url": "the negative check URL cannot be parsed or is not http(s)",
    "negative-check-is-server": "the negative check URL is a server: the check always fails and "
    "the policy is always removed",
    "negative-check-permitted": "a permit rule lets the negative check through: the policy is "
    "always removed",
    "check-budget": "the connectivity probes (timeout × (server addresses + 1)) exceed the "
    "artifact's 480 s budget (error), or may once the client config adds addresses (warning)",
    "message-option-like": "the user message starts with / or -, which msg.exe may read as "
    "an option",
    "message-too-long": "the user message is longer than 255 characters",
    "duplicate-artifact-name": "two profiles checked together share an artifact name (one "
    "would replace the other on the server)",
    "duplicate-id": "two profiles checked together share a profile id",
    "policy-name-builtin": "the policy name is one of Windows' built-in example policies (warning)",
    **PLATFORM_RULES,
}

_ARTIFACT_PART = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# The artifact's pre-flight refuses probes longer than this in all (templates/vql/_preflight).
_PROBE_BUDGET = 480
_PROBE_BUDGET_TIGHT = 240
_BUILTIN_POLICIES = {
    "client (respond only)",
    "server (request security)",
    "secure server (require security)",
}


@dataclass
class Checked:
    """What the checks learnt, for the model builder: parsed rules and server URLs."""

    rules: list[ParsedRule] = field(default_factory=list)
    urls: list[ParsedUrl] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _get(data: Any, *path: str) -> Any:
    return _value(data, path)


def _value(data: Any, path: NodePath) -> Any:
    node = data
    for part in path:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


def _flag(data: Any, *path: str, default: bool = True) -> bool:
    value = _get(data, *path)
    return value if isinstance(value, bool) else default


class ProfileChecker:
    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.data = doc.data if isinstance(doc.data, dict) else {}
        self.out = Checked()

    def add(
        self,
        path: NodePath,
        rule: str,
        severity: Severity,
        message: str,
        hint: str | None = None,
        *,
        key: bool = False,
    ) -> None:
        self.out.diagnostics.append(
            Diagnostic(self.doc.location(path, key=key), rule, severity, message, hint)
        )

    def run(self) -> Checked:
        self._artifact()
        self._artifact_texts()
        self._policy_name()
        self._message()
        parser = RuleParser(self.doc)
        self.out.rules = parser.parse_all()
        self.out.diagnostics.extend(parser.diagnostics)
        self.out.urls = self._server_urls()
        self._rule_advice()
        self._duplicates_and_ties()
        self._overlaps()
        self._lockouts()
        self._negative_check()
        self._check_budget()
        self.out.diagnostics.extend(check_platforms(self.doc, self.out.rules))
        return self.out

    # --- names and texts -------------------------------------------------------------------

    def _artifact(self) -> None:
        name = _get(self.data, "artifact", "name")
        path: NodePath = ("artifact", "name")
        if not isinstance(name, str):
            return
        parts = name.split(".")
        bad = next((p for p in parts if not _ARTIFACT_PART.match(p)), None)
        if bad is not None:
            if bad == "":
                problem = "has an empty dotted part"
            elif bad[0].isdigit():
                problem = f"has the dotted part {bad!r}, which starts with a digit"
            else:
                problem = f"has the dotted part {bad!r} with characters outside a-z A-Z 0-9 _"
            self.add(
                path,
                "artifact-name",
                Severity.ERROR,
                f"artifact.name {name!r} {problem}",
                "Velociraptor artifact names match ^[a-zA-Z0-9_.]+$ and no dotted part may "
                f"start with a digit, e.g. {DEFAULT_ARTIFACT_NAME}",
            )
            return
        if parts[0] != "Custom":
            self.add(
                path,
                "artifact-name-not-custom",
                Severity.WARNING,
                f"artifact.name {name!r} does not start with 'Custom.'",
                "a Velociraptor server refuses to override a built-in artifact, and only "
                f"{DEFAULT_ARTIFACT_NAME} replaces the GUI's Quarantine button",
            )

    def _artifact_texts(self) -> None:
        for key in ("author", "engagement"):
            self._line_text(("artifact", key))
        for key in ("description", "reason"):
            value = _get(self.data, "artifact", key)
            bad_char = unsafe_in_prose(value) if isinstance(value, str) else None
            if bad_char:
                self.add(
                    ("artifact", key),
                    "unsafe-characters",
                    Severity.ERROR,
                    f"artifact.{key} contains {bad_char}",
                    "remove it; line breaks and tabs are fine here",
                )
        references = _get(self.data, "artifact", "references")
        count = len(references) if isinstance(references, list) else 0
        for index in range(count):
            self._line_text(("artifact", "references", index))

    def _line_text(self, path: NodePath) -> None:
        value = _value(self.data, path)
        bad = unsafe_in_line(value) if isinstance(value, str) else None
        if bad:
            self.add(
                path,
                "unsafe-characters",
                Severity.ERROR,
                f"{where(path)} contains {bad}",
                "write it on one line without control characters",
            )

    def _policy_name(self) -> None:
        name = self.data.get("policy_name")
        if not isinstance(name, str) or not name:
            return
        bad = unsafe_in_netsh_name(name)
        if bad:
            self.add(
                ("policy_name",),
                "unsafe-characters",
                Severity.ERROR,
                f"policy_name {name!r} contains {bad}",
                "the policy name goes on netsh's command line (name=..., filterlist=...); "
                "use letters, digits, spaces, '_', '-' and '.'",
            )
        elif name.lower() in _BUILTIN_POLICIES:
            self.add(
                ("policy_name",),
                "policy-name-builtin",
                Severity.WARNING,
                f"policy_name {name!r} is a built-in Windows example policy",
                "the artifact deletes and recreates its policy; pick a name of your own",
            )

    def _message(self) -> None:
        message = self.data.get("message")
        if not isinstance(message, str):
            return
        bad = unsafe_in_line(message)
        if bad:
            self.add(
                ("message",),
                "unsafe-characters",
                Severity.ERROR,
                f"message contains {bad}",
                "msg.exe shows one line and the upstream truncation keeps only the first "
                "one; write the message on a single line",
            )
        if message[:1] in ("/", "-"):
            self.add(
                ("message",),
                "message-option-like",
                Severity.ERROR,
                f"message starts with {message[:1]!r}: msg.exe may read it as an option",
                "start the message with a word (an option such as /TIME:0 or /W would change "
                "how the message is shown, or make msg.exe wait for the user)",
            )
        if len(message) > 255:
            self.add(
                ("message",),
                "message-too-long",
                Severity.ERROR,
                f"message is {len(message)} characters; msg.exe shows at most 255",
                "shorten the message (a phone number and a ticket id are enough)",
            )

    # --- servers ---------------------------------------------------------------------------

    def _server_urls(self) -> list[ParsedUrl]:
        urls = _get(self.data, "servers", "urls")
        if not isinstance(urls, list):
            return []
        parsed: list[ParsedUrl] = []
        seen: dict[tuple[str, int], int] = {}
        for index, url in enumerate(urls):
            if not isinstance(url, str) or not url:
                continue
            path: NodePath = ("servers", "urls", index)
            try:
                item = parse_url(url, schemes=("https", "wss"), rule="server-url-syntax")
            except UrlError as exc:
                self.add(path, exc.rule, Severity.ERROR, f"{where(path)}: {exc.message}", exc.hint)
                continue
            endpoint = (item.host, item.port)
            if endpoint in seen:
                self.add(
                    path,
                    "server-url-duplicate",
                    Severity.WARNING,
                    f"{where(path)} permits {item.host} port {item.port} again "
                    f"(as servers.urls[{seen[endpoint]}])",
                    "one entry per server address and port is enough",
                )
            else:
                seen[endpoint] = index
            parsed.append(item)
        return parsed

    # --- rules -----------------------------------------------------------------------------

    def _rule_advice(self) -> None:
        for rule in self.out.rules:
            at: NodePath = ("rules", rule.index if rule.index is not None else 0)
            if rule.action == "permit" and not rule.mirrored:
                self.add(
                    (*at, "mirrored"),
                    "permit-not-mirrored",
                    Severity.WARNING,
                    f"{rule.label} permits one direction only",
                    "IPsec filters are stateless: without mirrored: true the replies hit the "
                    "block-all filter",
                )
            unrestricted = rule.src.kind in ("me", "any") and rule.dst.kind in ("me", "any")
            if rule.action == "permit" and unrestricted:
                everything = (
                    not rule.src_port and not rule.dst_port and rule.protocol_class == "any"
                )
                if everything:
                    self.add(
                        at,
                        "permit-everything",
                        Severity.WARNING,
                        f"{rule.label} permits all traffic between {rule.src.netsh} and "
                        f"{rule.dst.netsh}",
                        "the quarantine would isolate nothing; narrow it to the hosts, ports "
                        "and protocol the investigation needs",
                    )
                else:
                    self.add(
                        at,
                        "permit-any-address",
                        Severity.WARNING,
                        f"{rule.label} permits {_traffic(rule)} to and from every address",
                        "an attacker's command and control over this port or protocol stays "
                        "open; name the hosts that need it instead of `any`",
                    )
            for side, address in (("source", rule.src), ("destination", rule.dst)):
                if address.kind == "dns":
                    self.add(
                        (*at, side),
                        "dns-name-resolved-once",
                        Severity.INFO,
                        f"{rule.label}.{side} {address.netsh} is resolved once, when the "
                        "filter is created",
                        "later DNS changes are not followed; prefer addresses for hosts "
                        "behind load balancers or CDNs",
                    )

    def _server_rows(self) -> list[ParsedRule]:
        rows = []
        for index, url in enumerate(self.out.urls):
            dst = _url_address(url)
            rows.append(
                ParsedRule(
                    None,
                    f"the server permit for servers.urls[{index}]",
                    "permit",
                    Address("me", "me"),
                    0,
                    dst,
                    url.port,
                    "tcp",
                    True,
                    "",
                )
            )
        return rows

    def _duplicates_and_ties(self) -> None:
        builtins = builtin_rows(
            _flag(self.data, "allow", "dns"),
            _flag(self.data, "allow", "dhcp"),
            _flag(self.data, "block_all"),
        )
        servers = self._server_rows()
        # Each traffic selector → the first row that matches it (built-ins, servers, rules).
        first: dict[Selector, ParsedRule] = {}
        for row in [*builtins, *servers]:
            for selector in row.selectors():
                first.setdefault(selector, row)
        for rule in self.out.rules:
            at: NodePath = ("rules", rule.index if rule.index is not None else 0)
            selectors = rule.selectors()
            for other in _in_order([first[s] for s in selectors if s in first], builtins, servers):
                if rule.action == "block" and any(other is s for s in servers):
                    continue  # reported as lockout-block-covers-server
                other_where = other.label
                if other.index is not None:
                    line = self.doc.location(("rules", other.index)).line
                    other_where = f"the {other.action} {other.label} (line {line})"
                if rule.action == other.action:
                    self.add(
                        at,
                        "duplicate-rule",
                        Severity.ERROR,
                        f"{rule.label} matches exactly the same traffic as {other_where}",
                        "remove one of them; netsh may refuse a filter that already exists",
                    )
                else:
                    self.add(
                        at,
                        "permit-block-tie",
                        Severity.ERROR,
                        f"{rule.label} ({rule.action}) matches exactly the same traffic as "
                        f"{other_where}",
                        "Windows orders filters from most to least specific and the "
                        "tie-break between equal filters is undefined; make the permit "
                        "strictly narrower (address, port or protocol)"
                        + ("" if other.index is not None else ", or turn the built-in row off"),
                    )
                break
            for selector in selectors:
                first.setdefault(selector, rule)

    def _overlaps(self) -> None:
        """A permit and a block that overlap while neither is inside the other.

        Windows applies the most specific filter; when one filter is a subset of the other the
        subset wins, but for partly overlapping filters (one narrower by address, the other by
        port or protocol) which one is "more specific" is undocumented.
        """
        builtins = builtin_rows(
            _flag(self.data, "allow", "dns"), _flag(self.data, "allow", "dhcp"), False
        )
        rows = [*builtins, *self._server_rows(), *self.out.rules]
        permits = [r for r in rows if r.action == "permit"]
        blocks = [r for r in self.out.rules if r.action == "block"]
        for block in blocks:
            partners = [
                permit
                for permit in permits
                if not permit.selectors() & block.selectors()  # equal: duplicate or tie
                and _ambiguous(permit, block)
            ]
            at: NodePath = ("rules", block.index if block.index is not None else 0)
            built_in = [p for p in partners if any(p is b for b in builtins)]
            own = [p for p in partners if not any(p is b for b in builtins)]
            if own:
                named = ", ".join(self._describe(p) for p in own)
                self.add(
                    at,
                    "permit-block-overlap",
                    Severity.WARNING,
                    f"{block.label} (block) partly overlaps {named}, without either filter "
                    "containing the other",
                    "which filter wins for the shared traffic is undocumented; make each "
                    "permit a subset of the block, or the block a subset of the permit",
                )
            if built_in:
                named = ", ".join(p.label for p in built_in)
                self.add(
                    at,
                    "permit-block-overlap-builtin",
                    Severity.INFO,
                    f"{block.label} (block) partly overlaps {named}",
                    "DNS/DHCP traffic to this block's addresses may still pass, or may be "
                    "blocked (which filter wins is undocumented); if it matters, narrow the "
                    "block or turn the built-in row off under allow:",
                )

    def _describe(self, row: ParsedRule) -> str:
        if row.index is None:
            return row.label
        return f"{row.label} (line {self.doc.location(('rules', row.index)).line})"

    # --- lock-out --------------------------------------------------------------------------

    def _blocks_everything(self) -> bool:
        if _flag(self.data, "block_all"):
            return True
        return any(
            r.action == "block"
            and r.src.kind in ("any", "me")
            and r.dst.kind in ("any", "me")
            and not r.src_port
            and not r.dst_port
            and r.protocol_class == "any"
            for r in self.out.rules
        )

    def _lockouts(self) -> None:
        from_config = _flag(self.data, "servers", "from_client_config")
        urls = _get(self.data, "servers", "urls")
        has_urls = isinstance(urls, list) and len(urls) > 0
        blocks_all = self._blocks_everything()
        if blocks_all and not from_config and not has_urls:
            path: NodePath = ("servers", "from_client_config")
            if _get(self.data, "servers", "from_client_config") is None:
                path = ("servers",) if "servers" in self.data else ("block_all",)
            self.add(
                path,
                "lockout-no-server",
                Severity.ERROR,
                "this profile cuts the responders off: everything is blocked and no "
                "Velociraptor server is permitted",
                "set servers.from_client_config: true, or list the server in servers.urls",
            )
        if not blocks_all:
            where_at: NodePath = ("block_all",)
            self.add(
                where_at,
                "no-block-all",
                Severity.WARNING,
                "block_all is off and no rule blocks all traffic: the host is not isolated",
                "turn block_all on unless this profile deliberately blocks only a few hosts",
            )
        for rule in self.out.rules:
            if rule.action != "block":
                continue
            for url in self.out.urls:
                if _block_covers(rule, url):
                    at: NodePath = ("rules", rule.index if rule.index is not None else 0)
                    self.add(
                        at,
                        "lockout-block-covers-server",
                        Severity.ERROR,
                        f"{rule.label} blocks the server {url.url} "
                        f"({url.host} port {url.port}/tcp)",
                        "the server permit would then depend on netsh's undocumented "
                        "filter ordering; exclude the server from the block (split the "
                        "range or network around it)",
                    )
        if not _flag(self.data, "allow", "dns"):
            for index, url in enumerate(self.out.urls):
                if url.host_kind == "dns":
                    self.add(
                        ("servers", "urls", index),
                        "dns-off-with-hostname",
                        Severity.WARNING,
                        f"allow.dns is off but servers.urls[{index}] names the host {url.host}",
                        "the client and the connectivity check resolve the name again after "
                        "the policy is in force; allow DNS or use an address",
                    )
            if from_config:
                self.add(
                    ("allow", "dns"),
                    "dns-off-with-hostname",
                    Severity.WARNING,
                    "allow.dns is off while the client config's server URLs are permitted; "
                    "they usually name a host",
                    "allow DNS unless every client config uses an IP address",
                )
        if not _flag(self.data, "allow", "dhcp"):
            self.add(
                ("allow", "dhcp"),
                "dhcp-off",
                Severity.WARNING,
                "allow.dhcp is off: a DHCP host loses its address when its lease expires, "
                "and the responders lose the host",
                "keep DHCP allowed unless every quarantined host has a static address",
            )
        if not _flag(self.data, "rollback", "connectivity_check"):
            self.add(
                ("rollback", "connectivity_check"),
                "rollback-disabled",
                Severity.WARNING,
                "rollback.connectivity_check is off: nothing removes a policy that locks "
                "the responders out",
                "keep the connectivity check on; it costs seconds and saves a site visit",
            )

    def _check_budget(self) -> None:
        """Mirror the artifact's pre-flight: timeout × (server addresses + 1) ≤ 480 s."""
        timeout = _get(self.data, "rollback", "timeout_seconds")
        if not _flag(self.data, "rollback", "connectivity_check"):
            return
        if isinstance(timeout, bool) or not isinstance(timeout, int) or not 1 <= timeout <= 120:
            return  # missing (the default fits) or out of range (reported by the schema)
        urls = _get(self.data, "servers", "urls")
        own = sum(1 for u in urls if isinstance(u, str) and u) if isinstance(urls, list) else 0
        budget = timeout * (own + 1)
        path: NodePath = ("rollback", "timeout_seconds")
        if budget > _PROBE_BUDGET:
            self.add(
                path,
                "check-budget",
                Severity.ERROR,
                f"the connectivity probes take up to {timeout} s × ({own} server URLs + the "
                f"negative check) = {budget} s, over the artifact's {_PROBE_BUDGET} s budget",
                f"lower rollback.timeout_seconds to {_PROBE_BUDGET // (own + 1)} or less, or "
                "list fewer server URLs; the artifact refuses to run otherwise",
            )
        elif budget > _PROBE_BUDGET_TIGHT and _flag(self.data, "servers", "from_client_config"):
            self.add(
                path,
                "check-budget",
                Severity.WARNING,
                f"the connectivity probes take up to {budget} s for the profile's own "
                f"{own} server URLs and the negative check, and the client config may add more",
                f"every extra server address (a name may resolve to several) adds {timeout} s "
                f"and the artifact refuses over {_PROBE_BUDGET} s; lower "
                "rollback.timeout_seconds",
            )

    def _negative_check(self) -> None:
        value = _get(self.data, "rollback", "negative_check_url")
        path: NodePath = ("rollback", "negative_check_url")
        if not isinstance(value, str):
            return
        try:
            url = parse_url(value, schemes=("https", "http"), rule="negative-check-url")
        except UrlError as exc:
            self.add(
                path,
                "negative-check-url",
                Severity.ERROR,
                f"rollback.negative_check_url: {exc.message}",
                exc.hint,
            )
            return
        local = _never_filtered(url)
        if local:
            self.add(
                path,
                "negative-check-url",
                Severity.ERROR,
                f"rollback.negative_check_url {url.url} points at {local}",
                "IPsec never filters loopback, unspecified or link-local traffic, so the "
                "check would always succeed and prove nothing; use a public host that the "
                "quarantine blocks, e.g. https://www.example.com/",
            )
            return
        for server in self.out.urls:
            if server.host == url.host:
                self.add(
                    path,
                    "negative-check-is-server",
                    Severity.ERROR,
                    f"the negative check {url.url} points at the server {server.url}",
                    "the negative check needs a host that the quarantine blocks, e.g. a "
                    "public web site",
                )
                return
        probe = ParsedRule(
            None, "", "permit", Address("me", "me"), 0, _url_address(url), url.port, "tcp", True, ""
        )
        for rule in self.out.rules:
            if rule.action == "permit" and _permit_lets_through(rule, probe):
                self.add(
                    path,
                    "negative-check-permitted",
                    Severity.ERROR,
                    f"{rule.label} permits the negative check {url.url}",
                    "the check would always reach it and remove the policy; pick a host "
                    "that no permit covers",
                )
                return


Directional = tuple[Address, int, Address, int, str]


def _directions(rule: ParsedRule) -> list[Directional]:
    forward = (rule.src, rule.src_port or 0, rule.dst, rule.dst_port or 0, rule.protocol_class)
    if not rule.mirrored:
        return [forward]
    return [forward, (forward[2], forward[3], forward[0], forward[1], forward[4])]


def _address_within(inner: Address, outer: Address) -> bool:
    if outer.kind == "any" or inner.key() == outer.key():
        return True
    if inner.low is None or inner.high is None or outer.low is None or outer.high is None:
        return False
    return inner.low.version == outer.low.version and (
        int(outer.low) <= int(inner.low) and int(inner.high) <= int(outer.high)
    )


def _addresses_meet(a: Address, b: Address) -> bool:
    if a.kind == "any" or b.kind == "any" or a.key() == b.key():
        return True
    if a.low is None or a.high is None or b.low is None or b.high is None:
        return False
    return a.low.version == b.low.version and not (
        int(a.high) < int(b.low) or int(b.high) < int(a.low)
    )


def _within(inner: Directional, outer: Directional) -> bool:
    return (
        _address_within(inner[0], outer[0])
        and outer[1] in (0, inner[1])
        and _address_within(inner[2], outer[2])
        and outer[3] in (0, inner[3])
        and outer[4] in ("any", inner[4])
    )


def _meet(a: Directional, b: Directional) -> bool:
    return (
        _addresses_meet(a[0], b[0])
        and (0 in (a[1], b[1]) or a[1] == b[1])
        and _addresses_meet(a[2], b[2])
        and (0 in (a[3], b[3]) or a[3] == b[3])
        and ("any" in (a[4], b[4]) or a[4] == b[4])
    )


def _ambiguous(permit: ParsedRule, block: ParsedRule) -> bool:
    for p in _directions(permit):
        for b in _directions(block):
            if _meet(p, b) and not _within(p, b) and not _within(b, p):
                return True
    return False


def _in_order(
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


def _traffic(rule: ParsedRule) -> str:
    ports = [str(p) for p in (rule.src_port, rule.dst_port) if p]
    what = rule.protocol_class
    return f"{what} port {'/'.join(ports)}" if ports else f"protocol {what}"


def _never_filtered(url: ParsedUrl) -> str | None:
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


def _url_address(url: ParsedUrl) -> Address:
    if url.host_kind == "dns":
        return Address("dns", url.host)
    ip = ipaddress.ip_address(url.host)
    return Address("ipv4" if ip.version == 4 else "ipv6", url.host, "", ip, ip)


def _covers_specifically(address: Address, target: Address) -> bool:
    """True when `address` names `target` (not through `any`)."""
    if target.kind == "dns":
        return address.kind == "dns" and address.netsh == target.netsh
    if target.low is None:
        return False
    return address.contains(target.low)


def _port_covers(port: int | None, wanted: int) -> bool:
    return not port or port == wanted


def _block_covers(rule: ParsedRule, url: ParsedUrl) -> bool:
    """Does block `rule` match the TCP flow between this host and the server, either way?

    The host's side of that flow uses an ephemeral port, so only a block with no port on the
    host's side covers it; the server's side must be named specifically (`any` is the
    documented block-all idiom, which the narrower server permit overrides).
    """
    if rule.protocol_class not in ("any", "tcp"):
        return False
    server = _url_address(url)
    orientations = [(rule.src, rule.src_port, rule.dst, rule.dst_port)]
    if rule.mirrored:
        orientations.append((rule.dst, rule.dst_port, rule.src, rule.src_port))
    for first, first_port, second, second_port in orientations:
        # this host:ephemeral -> server:port
        if (
            first.kind != "keyword"
            and not first_port
            and _covers_specifically(second, server)
            and _port_covers(second_port, url.port)
        ):
            return True
        # server:port -> this host:ephemeral
        if (
            _covers_specifically(first, server)
            and _port_covers(first_port, url.port)
            and second.kind != "keyword"
            and not second_port
        ):
            return True
    return False


def _permit_lets_through(rule: ParsedRule, probe: ParsedRule) -> bool:
    if rule.protocol_class not in ("any", "tcp"):
        return False
    target = probe.dst
    orientations = [(rule.src, rule.dst, rule.dst_port)]
    if rule.mirrored:
        orientations.append((rule.dst, rule.src, rule.src_port))
    for local, remote, remote_port in orientations:
        if (
            local.kind in ("me", "any")
            and _port_covers(remote_port, probe.dst_port or 0)
            and (_covers_specifically(remote, target))
        ):
            return True
    return False
