"""The serializer writes the same text with libyaml's emitter as with PyYAML's own."""

from __future__ import annotations

import pytest
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
