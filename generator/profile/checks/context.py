"""What a profile check receives: the loaded document and what the checks learn from it once.

The document is read defensively (the schema may already have complained about a wrong type):
each check looks only at what it can use. The rules and server URLs are parsed once, here, and
the parsers' own findings (an address netsh refuses, a URL without a host) are handed to the
checks whose ids they carry.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from ...diagnostics import Diagnostic, Severity
from ...yamlsource import NodePath, YamlDocument
from ..addresses import Address
from ..rules import ParsedRule, RuleParser, Selector, builtin_rows
from ..schema import SchemaChecker, where
from ..urls import ParsedUrl, UrlError, parse_url
from .traffic import ambiguous, in_order, never_filtered, url_address


def value_at(data: Any, path: NodePath) -> Any:
    node = data
    for part in path:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


@dataclass(frozen=True)
class Overlap:
    """A block that partly overlaps permits: the profile's own, and the built-in ones."""

    block: ParsedRule
    own: list[ParsedRule]
    builtin: list[ParsedRule]


@dataclass(frozen=True)
class NegativeCheck:
    """``rollback.negative_check_url`` as the checks see it: parsed, or why it is unusable."""

    url: ParsedUrl | None
    problem: Diagnostic | None


class CheckContext:
    """One profile document, and the parsed rules, URLs and comparisons the checks share."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.data: dict[str, Any] = doc.data if isinstance(doc.data, dict) else {}

    def get(self, *path: str) -> Any:
        return value_at(self.data, path)

    def flag(self, *path: str, default: bool = True) -> bool:
        """A boolean setting, or its default when it is absent or not a boolean."""
        value = self.get(*path)
        return value if isinstance(value, bool) else default

    def diagnostic(
        self,
        path: NodePath,
        rule: str,
        severity: Severity,
        message: str,
        hint: str | None = None,
        *,
        key: bool = False,
    ) -> Diagnostic:
        return Diagnostic(self.doc.location(path, key=key), rule, severity, message, hint)

    def describe(self, row: ParsedRule) -> str:
        """A rule with its line (``rules[1] (line 12)``), or a built-in row's name."""
        if row.index is None:
            return row.label
        return f"{row.label} (line {self.doc.location(('rules', row.index)).line})"

    # --- parsed once ------------------------------------------------------------------------

    @functools.cached_property
    def _schema_findings(self) -> list[Diagnostic]:
        return SchemaChecker(self.doc).run()

    def schema_findings(self) -> list[Diagnostic]:
        """The JSON Schema's findings (``schema`` and ``yaml11-surprise``)."""
        return self._schema_findings

    @functools.cached_property
    def _parser(self) -> tuple[list[ParsedRule], list[Diagnostic]]:
        parser = RuleParser(self.doc)
        return parser.parse_all(), parser.diagnostics

    @property
    def rules(self) -> list[ParsedRule]:
        """The profile's rules that parsed into netsh terms (the others have findings)."""
        return self._parser[0]

    @functools.cached_property
    def _urls(self) -> tuple[list[tuple[int, ParsedUrl]], list[Diagnostic]]:
        urls = self.get("servers", "urls")
        parsed: list[tuple[int, ParsedUrl]] = []
        problems: list[Diagnostic] = []
        for index, url in enumerate(urls if isinstance(urls, list) else []):
            if not isinstance(url, str) or not url:
                continue
            path: NodePath = ("servers", "urls", index)
            try:
                parsed.append(
                    (index, parse_url(url, schemes=("https", "wss"), rule="server-url-syntax"))
                )
            except UrlError as exc:
                problems.append(
                    self.diagnostic(
                        path, exc.rule, Severity.ERROR, f"{where(path)}: {exc.message}", exc.hint
                    )
                )
        return parsed, problems

    @property
    def urls(self) -> list[ParsedUrl]:
        """The server URLs that parsed, in order."""
        return [url for _, url in self._urls[0]]

    @property
    def indexed_urls(self) -> list[tuple[int, ParsedUrl]]:
        """The server URLs that parsed, with their index in ``servers.urls``."""
        return self._urls[0]

    def parse_problems(self) -> list[Diagnostic]:
        """Every finding of the rule and URL parsers."""
        return [*self._parser[1], *self._urls[1]]

    def parse_findings(self, rule: str) -> list[Diagnostic]:
        """The rule and URL parsers' findings with the id `rule`."""
        return [d for d in self.parse_problems() if d.rule == rule]

    # --- comparisons ------------------------------------------------------------------------

    def builtins(self, *, block_all: bool) -> list[ParsedRule]:
        return builtin_rows(
            self.flag("allow", "dns"),
            self.flag("allow", "dhcp"),
            block_all and self.flag("block_all"),
        )

    @functools.cached_property
    def server_rows(self) -> list[ParsedRule]:
        """The permits the artifact adds for the profile's own server URLs."""
        return [
            ParsedRule(
                None,
                f"the server permit for servers.urls[{index}]",
                "permit",
                Address("me", "me"),
                0,
                url_address(url),
                url.port,
                "tcp",
                True,
                "",
            )
            for index, url in enumerate(self.urls)
        ]

    @functools.cached_property
    def first_matches(self) -> list[tuple[ParsedRule, ParsedRule]]:
        """Each rule with the first earlier row (built-ins, server permits, rules) that matches
        exactly the same traffic in some direction; a block equal to a server permit is left to
        lockout-block-covers-server."""
        builtins = self.builtins(block_all=True)
        servers = self.server_rows
        first: dict[Selector, ParsedRule] = {}
        for row in [*builtins, *servers]:
            for selector in row.selectors():
                first.setdefault(selector, row)
        found: list[tuple[ParsedRule, ParsedRule]] = []
        for rule in self.rules:
            selectors = rule.selectors()
            for other in in_order([first[s] for s in selectors if s in first], builtins, servers):
                if rule.action == "block" and any(other is s for s in servers):
                    continue
                found.append((rule, other))
                break
            for selector in selectors:
                first.setdefault(selector, rule)
        return found

    def where_other(self, other: ParsedRule) -> str:
        if other.index is None:
            return other.label
        line = self.doc.location(("rules", other.index)).line
        return f"the {other.action} {other.label} (line {line})"

    @functools.cached_property
    def overlaps(self) -> list[Overlap]:
        """Blocks that partly overlap permits, neither filter containing the other.

        Windows applies the most specific filter; when one filter is a subset of the other the
        subset wins, but for partly overlapping filters (one narrower by address, the other by
        port or protocol) which one is "more specific" is undocumented.
        """
        builtins = self.builtins(block_all=False)
        rows = [*builtins, *self.server_rows, *self.rules]
        permits = [r for r in rows if r.action == "permit"]
        found: list[Overlap] = []
        for block in (r for r in self.rules if r.action == "block"):
            partners = [
                permit
                for permit in permits
                if not permit.selectors() & block.selectors()  # equal: duplicate or tie
                and ambiguous(permit, block)
            ]
            own = [p for p in partners if not any(p is b for b in builtins)]
            built_in = [p for p in partners if any(p is b for b in builtins)]
            if own or built_in:
                found.append(Overlap(block, own, built_in))
        return found

    @functools.cached_property
    def blocks_everything(self) -> bool:
        """block_all, or a rule that blocks every address, port and protocol."""
        if self.flag("block_all"):
            return True
        return any(
            r.action == "block"
            and r.src.kind in ("any", "me")
            and r.dst.kind in ("any", "me")
            and not r.src_port
            and not r.dst_port
            and r.protocol_class == "any"
            for r in self.rules
        )

    @functools.cached_property
    def negative_check(self) -> NegativeCheck | None:
        """The negative check URL, parsed (None when the profile has none)."""
        value = self.get("rollback", "negative_check_url")
        path: NodePath = ("rollback", "negative_check_url")
        if not isinstance(value, str):
            return None
        try:
            url = parse_url(value, schemes=("https", "http"), rule="negative-check-url")
        except UrlError as exc:
            message = f"rollback.negative_check_url: {exc.message}"
            return NegativeCheck(
                None,
                self.diagnostic(path, "negative-check-url", Severity.ERROR, message, exc.hint),
            )
        local = never_filtered(url)
        if local:
            return NegativeCheck(
                None,
                self.diagnostic(
                    path,
                    "negative-check-url",
                    Severity.ERROR,
                    f"rollback.negative_check_url {url.url} points at {local}",
                    "IPsec never filters loopback, unspecified or link-local traffic, so the "
                    "check would always succeed and prove nothing; use a public host that the "
                    "quarantine blocks, e.g. https://www.example.com/",
                ),
            )
        return NegativeCheck(url, None)
