"""Random edits to valid profiles always end in diagnostics or a clean model, never a crash.

Edits: wrong types, hostile strings (unicode, line breaks, quotes, commas, control characters),
deleted keys, unknown keys, huge integers, tricky addresses; and raw text damage. A model that
does come out must be safe to render: nothing in it that the CSV table or netsh cannot carry.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vr_quarantine.cli import main
from vr_quarantine.diagnostics import Severity
from vr_quarantine.profile import RULES, ProfileResult, load_profile
from vr_quarantine.profile.text import (
    unsafe_in_csv_field,
    unsafe_in_line,
    unsafe_in_netsh_name,
    unsafe_in_prose,
)

from tests.clirunner import CliRunner
from tests.fuzz_strategies import parent_of, value_paths

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    *sorted((ROOT / "examples").glob("*.yaml")),
    ROOT / "generator" / "profile" / "default.yaml",
]
TEXTS = [p.read_text(encoding="utf-8") for p in SOURCES]
DATA = [yaml.safe_load(t) for t in TEXTS]
KNOWN = set(RULES)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TRICKY = st.sampled_from(
    [
        "me",
        "ANY",
        "dns",
        "Gateway",
        "0.0.0.0",
        "255.255.255.255",
        "10.0.0.0/8",
        "10.0.0.1/0",
        "2001:db8::/32",
        "::",
        "::1-::",
        "1.2.3.4-1.2.3.4",
        "fe80::1%12",
        "[2001:db8::1]",
        "a" * 300,
        "-",
        "1.2.3.4-",
        "xn--bcher-kva.example",
        "exa mple.org",
        "1.2.3",
        "999.1.1.1",
        "http://x",
        "https://[::1]:0/",
        "wss://[::1]:65536/",
        "https://h:8000:9/",
        "https://h/,x",
        "Custom.Ok",
        "Custom.1x",
        "",
        " ",
        "\u202e",
        "a\u0000b",
        "é" * 10,
    ]
)
HOSTILE = st.one_of(
    st.text(max_size=40),
    st.text(
        alphabet=st.sampled_from(list(",\"'\n\r\t\\%=&|<>^\x00\x1b\u2028 aZ9.:-/[]")), max_size=20
    ),
    TRICKY,
)
LEAF = st.one_of(
    HOSTILE,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
VALUE = st.one_of(
    LEAF,
    st.lists(LEAF, max_size=3),
    st.dictionaries(st.text(max_size=8), LEAF, max_size=3),
)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = copy.deepcopy(draw(st.sampled_from(DATA)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in value_paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = parent_of(data, path)
        op = draw(st.sampled_from(["set", "delete", "insert", "rule"]))
        if op == "set":
            parent[path[-1]] = draw(VALUE)
        elif op == "delete":
            del parent[path[-1]]
        elif op == "insert" and isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(VALUE)
        elif op == "rule":
            rule = {
                "action": draw(st.sampled_from(["permit", "block", "Permit", "negotiate"])),
                "source": draw(TRICKY),
                "destination": draw(st.one_of(TRICKY, HOSTILE)),
            }
            for key in (
                "source_port",
                "destination_port",
                "protocol",
                "source_mask",
                "destination_mask",
                "mirrored",
                "description",
            ):
                if draw(st.booleans()):
                    rule[key] = draw(
                        st.one_of(
                            LEAF, st.sampled_from(["tcp", "udp", "icmp", 6, 24, "255.255.255.0"])
                        )
                    )
            rules = data.setdefault("rules", [])
            if isinstance(rules, list):
                rules.append(rule)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


@st.composite
def damaged_text(draw: st.DrawFn) -> bytes:
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        pos = draw(st.integers(min_value=0, max_value=len(text)))
        cut = draw(st.integers(min_value=0, max_value=10))
        text = text[:pos] + draw(HOSTILE) + text[pos + cut :]
    raw = text.encode("utf-8", errors="surrogatepass")
    if draw(st.booleans()):
        raw += draw(st.binary(max_size=4))
    return raw


def _check(raw: bytes) -> ProfileResult:
    result = load_profile("fuzz.yaml", raw)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert (result.profile is None) == bool(errors)
    lines = raw.count(b"\n") + 2
    for diag in result.diagnostics:
        assert diag.rule in KNOWN, diag
        assert 1 <= diag.location.line <= lines, diag
        assert diag.message and len(diag.message) < 400, diag
    profile = result.profile
    if profile is not None:
        assert unsafe_in_netsh_name(profile.policy_name) is None
        art = profile.artifact
        for line in (art.author, art.engagement or "", *art.references):
            assert unsafe_in_line(line) is None
        for prose in (art.description, art.reason or ""):
            assert unsafe_in_prose(prose) is None
        for url in (*(u.url for u in profile.server_urls), profile.rollback.negative_check_url):
            assert url is None or (unsafe_in_line(url) is None and " " not in url)
        assert len(profile.message) <= 255 and unsafe_in_line(profile.message) is None
        for rule in profile.rules:
            assert unsafe_in_csv_field(rule.description) is None
            for text in (rule.src_addr, rule.dst_addr, rule.src_mask, rule.dst_mask):
                assert unsafe_in_csv_field(text) is None and " " not in text
            assert (
                rule.protocol is None
                or rule.protocol in ("any", "icmp", "tcp", "udp", "raw")
                or 0 <= int(rule.protocol) <= 255
            )
        assert profile.server_urls or profile.use_client_server_urls or not profile.block_all
    return result


@SETTINGS
@given(mutated())
def test_mutated_profiles_never_crash(raw: bytes) -> None:
    _check(raw)


@SETTINGS
@given(damaged_text())
def test_damaged_text_never_crashes(raw: bytes) -> None:
    _check(raw)


@settings(max_examples=30, deadline=None)
@given(st.one_of(mutated(), damaged_text()))
def test_cli_never_shows_a_traceback(raw: bytes) -> None:
    result = CliRunner().invoke(main, ["validate", "-"], input=raw)
    unreadable = "[yaml-encoding]" in result.output or "[yaml-too-large]" in result.output
    assert result.exit_code in ((2,) if unreadable else (0, 1)), result.output
    assert "internal error" not in result.output
    assert "Traceback" not in result.output
