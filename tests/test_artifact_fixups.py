"""Velociraptor's YAML fix-ups, and that diagnostics still point at the author's own lines."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from vr_quarantine.artifact import sanitize


def test_bare_query_and_precondition_become_literal_blocks() -> None:
    text = "precondition:\n  SELECT 1\n  FROM x\nsources:\n- query:\n    SELECT 2\n"
    fixed = sanitize(text)
    assert "precondition: |\n" in fixed.text
    assert "- query: |\n" in fixed.text
    lines = fixed.text.split("\n")
    assert fixed.line(lines.index("  SELECT 1") + 1) == 2
    assert fixed.line(lines.index("    SELECT 2") + 1) == 6


def test_select_list_items_become_literal_blocks_with_columns_kept() -> None:
    text = "queries:\n  - SELECT 1 FROM x\n  - LET y = 1\n"
    fixed = sanitize(text)
    lines = fixed.text.split("\n")
    assert lines[1] == "  - |"
    assert lines[2] == "    SELECT 1 FROM x"
    assert fixed.line(3) == 2 and fixed.line(5) == 3


def test_crlf_is_normalised_and_untouched_text_is_unchanged() -> None:
    assert sanitize("a: 1\r\nb: 2\r\n").text == "a: 1\nb: 2\n"
    plain = sanitize("name: X\nquery: |\n  SELECT 1 FROM x\n")
    assert plain.origin is None and plain.line(3) == 3


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "a: 1",
                "query:",
                "  precondition:   ",
                "  - SELECT 1",
                "  - let x = 1",
                " - // c",
                "",
                "x: |",
            ]
        ),
        max_size=12,
    )
)
def test_line_map_is_monotonic_and_covers_every_line(lines: list[str]) -> None:
    text = "\n".join(lines)
    fixed = sanitize(text)
    mapped = [fixed.line(i) for i in range(1, fixed.text.count("\n") + 2)]
    assert mapped == sorted(mapped)
    assert set(range(1, text.count("\n") + 2)) <= set(mapped)


_PIECES = st.sampled_from(
    [
        "query:",
        "Query:",
        "precondition:",
        "PRECONDıTION:",
        "İ",
        "-",
        " ",
        "\n",
        "\t",
        "\r",
        "x",
        "sub",
        "- SELECT",
        "-  let",
        "- //",
        ":",
        "|",
        "  -  Select 1",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=16).map("".join))
def test_the_fast_finders_find_exactly_what_the_loaders_expressions_find(text: str) -> None:
    from vr_quarantine.artifact.fixups import QUERIES_RE, QUERY_RE, bare_keys, list_items

    assert list(bare_keys(text)) == [(m.start(), m.end()) for m in QUERY_RE.finditer(text)]
    assert list(list_items(text)) == [
        (m.start(), m.group(1), m.group(2), m.end()) for m in QUERIES_RE.finditer(text)
    ]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_PIECES, max_size=12).map("".join),
    st.lists(st.sampled_from(["sources:", "sources: x", "\n", *_PIECES.elements]), max_size=12),
)
def test_a_shared_tail_gives_the_verdict_of_the_whole_text(head: str, tail: list[str]) -> None:
    """`sanitize` with `shared_tail` (render's texts: the `sources:` block found once per
    distinct block) fixes up exactly what it fixes up without: texts cut anywhere around a key
    or a list item, twice each so that the kept verdict of the tail serves the second."""
    text = head + "\n" + "".join(tail)
    for _ in range(2):
        assert sanitize(text, shared_tail="sources") == sanitize(text)


def test_a_shared_tail_with_something_to_fix_is_fixed_up_as_the_whole_text() -> None:
    head = "name: Custom.A\nsources:x\n"
    for tail in ("sources:\n- query:\n  SELECT 1\n", "sources:\n  - SELECT 1\n"):
        text = head + tail
        fixed = sanitize(text, shared_tail="sources")
        assert fixed == sanitize(text) and fixed.origin is not None
