"""The serializer writes the same text with libyaml's emitter as with PyYAML's own, and its
shortcut for common ASCII strings the same text as both."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from vr_quarantine.render import yamltext

BMP = st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",))
PIECE = st.one_of(
    BMP,
    st.sampled_from(["\n", "\r", "\t", "\x85", "\u2028", "\ufeff", " ", "- ", ": ", "'"]),
    st.sampled_from(["SELECT", "query:", "- LET", "#", "|", ">", "null", "0x1F", "\\"]),
)
TEXT = st.lists(PIECE, max_size=20).map("".join)


@pytest.mark.skipif(yamltext.CSafeDumper is None, reason="PyYAML built without libyaml")
@settings(max_examples=400, deadline=None)
@given(st.one_of(TEXT, st.lists(TEXT, max_size=4)), st.sampled_from([0, 4]), st.booleans())
def test_libyaml_writes_bmp_strings_exactly_as_pyyaml(
    value: str | list[str], indent: int, block: bool
) -> None:
    assert yamltext._dumper_for(value) is not yamltext._Dumper
    fast = yamltext._to_yaml(value, indent, block)
    original = yamltext._dumper_for
    try:
        yamltext._dumper_for = lambda v: yamltext._Dumper  # type: ignore[assignment]
        slow = yamltext._to_yaml(value, indent, block)
    finally:
        yamltext._dumper_for = original  # type: ignore[assignment]
    assert fast == slow


@pytest.mark.parametrize("value", ["\U0001f512 locked", ["a", "\U0001f600"], "\ud800"])
def test_other_characters_take_pyyamls_emitter(value: str | list[str]) -> None:
    assert yamltext._dumper_for(value) is yamltext._Dumper


ASCII_PIECE = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.sampled_from(["\n", "\n\n", " ", "  ", ": ", " #", ":", "- ", "\t", "---", "..."]),
    st.sampled_from(["true", "no", "null", "~", "1", "0x1F", "1.5", "2024-01-01", "=", "<<"]),
    st.sampled_from(["SELECT", "query:", "- LET", "C:\\Windows", "https://a.example/", "Y"]),
)
ASCII_TEXT = st.lists(ASCII_PIECE, max_size=12).map("".join)


@settings(max_examples=1500, deadline=None)
@given(ASCII_TEXT, st.sampled_from([0, 2, 4]), st.booleans())
def test_the_serializers_shortcut_writes_what_both_emitters_write(
    value: str, indent: int, block: bool
) -> None:
    """`to_yaml` writes common ASCII strings without the emitter: the text must be the one
    PyYAML's emitter and libyaml's both write, and it must read back as the value."""
    shortcut = yamltext._plain_ascii_text(value)
    if shortcut is None:
        return
    original = yamltext._dumper_for
    try:
        for dumper in yamltext._DUMPERS:  # PyYAML's emitter, and libyaml's when built
            yamltext._dumper_for = lambda v, d=dumper: d  # type: ignore[misc]
            assert yamltext._indented(shortcut, indent, block) == yamltext._to_yaml(
                value, indent, block
            )
    finally:
        yamltext._dumper_for = original  # type: ignore[assignment]
    assert yaml.safe_load(f"key: {yamltext._indented(shortcut, 2, False)}\n") == {"key": value}


@pytest.mark.parametrize(
    "value",
    [
        "Custom.Bench.Quarantine.P0001",
        "Isolated by the security team, call 555 0001.",
        "https://vr1.example.org:8000/",
        "C:\\Windows\\System32\\curl.exe",
        "Bench profile 1.\n\nQuarantines a host.\n",
        "line one\n  indented\nlast",
        "keeps\n\n",
    ],
)
def test_the_shortcut_serves_the_common_profile_strings(value: str) -> None:
    assert yamltext._plain_ascii_text(value) is not None
    assert yamltext._string_to_yaml(value, 4, False) == yamltext._to_yaml(value, 4, False)


@pytest.mark.parametrize("value", ["30", "true", "null", "a: b", "a #b", " a", "a ", "x\ty\nz"])
def test_values_the_shortcut_cannot_prove_take_the_emitter(value: str) -> None:
    assert yamltext._plain_ascii_text(value) is None
