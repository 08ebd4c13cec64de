"""The VQL lexer reproduces vfilter's ordered, first-match-wins rules and its value decoding."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vr_quarantine.vql.lexer import (
    EOF,
    IDENT,
    NUMBER,
    OPERATOR,
    SYMBOL_IDENT,
    VqlLexError,
    number_value,
    tokenize,
    unquote_ident,
    unquote_string,
)


def kinds_values(text: str) -> list[tuple[str, str]]:
    tokens, _ = tokenize(text)
    return [(t.kind, t.value) for t in tokens if t.kind != EOF]


def test_minus_is_greedy_so_x_minus_1_is_two_values() -> None:
    assert kinds_values("x-1") == [(IDENT, "x"), (NUMBER, "-1")]
    assert kinds_values("x -y") == [(IDENT, "x"), (SYMBOL_IDENT, "-y")]
    assert kinds_values("x - 1") == [(IDENT, "x"), (OPERATOR, "-"), (NUMBER, "1")]


def test_plus_is_never_part_of_a_number() -> None:
    assert kinds_values("x+1") == [(IDENT, "x"), (OPERATOR, "+"), (NUMBER, "1")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Inbound", [(IDENT, "Inbound")]),
        ("selected", [(IDENT, "selected")]),
        ("as_of", [(IDENT, "as_of")]),
        ("select", [("SELECT", "select")]),
        ("SeLeCt", [("SELECT", "SeLeCt")]),
        ("in", [("IN", "IN")]),
        ("desc", [("DESC", "DESC")]),
        ("group  by", [("GROUPBY", "group  by")]),
        ("ORDER\n BY", [("ORDERBY", "ORDER\n BY")]),
        ("True false", [("BOOL", "True"), ("BOOL", "false")]),
        ("`Limit`", [(IDENT, "`Limit`")]),
        ("`Column Name`", [(IDENT, "`Column Name`")]),
    ],
)
def test_keywords_are_case_insensitive_and_need_word_boundaries(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert kinds_values(text) == expected


def test_keyword_right_after_a_number_is_still_a_keyword() -> None:
    # participle matches each rule on the remaining input, where \b holds at its start.
    assert kinds_values("5AND") == [(NUMBER, "5"), ("AND", "AND")]


def test_comments_start_anywhere_a_token_may_start() -> None:
    tokens, comments = tokenize("a, -- note\nb // other\n/* multi\nline */ c")
    assert [t.value for t in tokens if t.kind != EOF] == ["a", ",", "b", "c"]
    assert [c.value for c in comments] == ["-- note", "// other", "/* multi\nline */"]
    assert [(c.line, c.column) for c in comments] == [(1, 4), (2, 3), (3, 1)]


def test_hash_is_not_a_comment() -> None:
    with pytest.raises(VqlLexError) as info:
        tokenize("x # y")
    assert (info.value.line, info.value.column) == (1, 3)
    assert info.value.message.startswith("invalid input text")


@pytest.mark.parametrize("char", [";", "!", "&", "#", "$", "@", "^", "~", "?"])
def test_unlexable_characters(char: str) -> None:
    with pytest.raises(VqlLexError) as info:
        tokenize(f"SELECT a{char} FROM b")
    assert (info.value.line, info.value.column) == (1, 9)


def test_percent_lexes_as_an_operator() -> None:
    assert kinds_values("a % b")[1] == (OPERATOR, "%")


@pytest.mark.parametrize(
    "op", ["<>", "!=", "<=", ">=", "=>", "=~", "-", "+", ":", "*", "/", "%", ",", ".", "="]
)
def test_operators(op: str) -> None:
    assert kinds_values(f"a {op} b")[1] == (OPERATOR, op)


def test_alternative_or_and_and() -> None:
    assert kinds_values("a | b || c ||| d && e") == [
        (IDENT, "a"),
        ("AlternativeOR", "|"),
        (IDENT, "b"),
        ("AlternativeOR", "||"),
        (IDENT, "c"),
        ("AlternativeOR", "|||"),
        (IDENT, "d"),
        ("AlternativeAND", "&&"),
        (IDENT, "e"),
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("010", 8),
        ("0x1F", 31),
        ("-0x10", -16),
        ("10", 10),
        ("-5", -5),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("09", 9.0),  # not octal: ParseInt fails, ParseFloat accepts it
        ("9223372036854775807", 9223372036854775807),
        ("9223372036854775808", 9.223372036854776e18),
        ("0xFFFFFFFFFFFFFFFFFF", None),
        ("1e400", None),
    ],
)
def test_numbers_follow_go_parseint_then_parsefloat(text: str, value: float | None) -> None:
    assert number_value(text) == value
    if value is not None:
        assert type(number_value(text)) is type(value)


def test_five_dot_is_not_a_float() -> None:
    assert kinds_values("5.") == [(NUMBER, "5"), (OPERATOR, ".")]


def test_capital_hex_prefix_is_not_hex() -> None:
    assert kinds_values("0X1F") == [(NUMBER, "0"), (IDENT, "X1F")]


@pytest.mark.parametrize(
    ("token", "value"),
    [
        (r"'0\;'", "0;"),
        (r"'^(\\w+)$'", r"^(\w+)$"),
        (r"'a\nb\tc\rd'", "a\nb\tc\rd"),
        (r"'it\'s'", "it's"),
        (r'"say \"hi\""', 'say "hi"'),
        (r"'\x41\x42'", "AB"),
        (r"'\X41'", "A"),
        (r"'\xc3\xa9'", "é"),
        ("'''raw \\n '' text'''", "raw \\n '' text"),
        ("'multi\nline'", "multi\nline"),
        (r"'a\x4'", "a"),  # an \x too close to the end stops the string there
        (r"'\xZZ'", r"\xZZ"),  # invalid hex: vfilter copies bytes verbatim
    ],
)
def test_string_escapes(token: str, value: str) -> None:
    assert unquote_string(token) == value


def test_raw_byte_escapes_keep_go_bytes() -> None:
    value = unquote_string(r"'\xff'")
    assert value.encode("utf-8", "surrogateescape") == b"\xff"


def test_triple_quote_always_opens_a_raw_string() -> None:
    assert kinds_values("'''a'b'''") == [("MultilineString", "'''a'b'''")]
    assert kinds_values("''") == [("String", "''")]


def test_unterminated_string_is_a_lexer_error() -> None:
    with pytest.raises(VqlLexError) as info:
        tokenize("SELECT 'abc FROM x")
    assert info.value.column == 8


@pytest.mark.parametrize(
    ("text", "name"),
    [("`Hello World`", "Hello World"), ("`**`", "**"), ("plain", "plain"), ("`a\\tb`", "a\tb")],
)
def test_backtick_names(text: str, name: str) -> None:
    assert unquote_ident(text) == name


def test_positions_after_multiline_tokens() -> None:
    tokens, comments = tokenize("/* a\nb */ x 'p\nq' y\n\tz")
    assert [(t.value, t.line, t.column) for t in tokens[:-1]] == [
        ("x", 2, 6),
        ("'p\nq'", 2, 8),
        ("y", 3, 4),
        ("z", 4, 2),
    ]
    assert (comments[0].line, comments[0].column) == (1, 1)


def test_columns_count_characters_not_bytes() -> None:
    tokens, _ = tokenize("'é' x")
    assert tokens[1].column == 5


def test_positions_apply_offsets_to_every_line() -> None:
    tokens, _ = tokenize("a\n  b", line_offset=10, column_offset=4)
    assert [(t.value, t.line, t.column) for t in tokens] == [
        ("a", 11, 5),
        ("b", 12, 7),
        ("", 12, 8),
    ]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_either_lexes_or_raises_a_lex_error(text: str) -> None:
    try:
        tokens, comments = tokenize(text)
    except VqlLexError as error:
        assert error.line >= 1 and error.column >= 1
        return
    assert tokens[-1].kind == EOF
    # Tokens and comments never overlap and appear in order.
    offsets = sorted(t.offset for t in [*tokens[:-1], *comments])
    assert offsets == sorted(set(offsets))


def test_unclosed_block_comments_lex_as_slash_and_star() -> None:
    tokens, comments = tokenize("/* a */ " + "/* " * 3000)
    assert [c.value for c in comments] == ["/* a */"]
    assert [t.value for t in tokens[:-1]] == ["/", "*"] * 3000


def test_a_star_slash_cannot_close_its_own_opening() -> None:
    assert kinds_values("/*/") == [(OPERATOR, "/"), (OPERATOR, "*"), (OPERATOR, "/")]
