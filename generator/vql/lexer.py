"""The VQL lexer: vfilter's participle rules, tried in order at the current position.

vfilter (participle v2.1.4, ``lexer.MustSimple``) anchors every rule at the current position and
takes the FIRST rule that matches, not the longest. One compiled alternation of named groups,
matched with ``re.match`` at the position, gives exactly that behaviour (Python's ``re``, like Go's
RE2, prefers the leftmost alternative).

Two details make a slice-based Go lexer differ from ``pattern.match(text, pos)`` in Python, and are
reproduced here:

- participle runs each pattern on the remaining input, so ``^`` in the ``--`` and ``//`` comment
  rules matches wherever a token may start (``a, -- note`` is a comment): the rules below drop the
  ``^``.
- a leading ``\\b`` is always satisfied at the start of the remaining input when it begins with a
  letter, so ``5select`` lexes as ``5`` then the keyword ``SELECT``: the keyword rules drop the
  leading ``\\b`` (Python would look at the character before the position).

All classes are ASCII, as in Go (``\\s`` is ``[\\t\\n\\f\\r ]``, ``\\d`` is ``[0-9]``).
Not reproduced: Go's ``(?i)`` also folds the Kelvin sign and the long s (so ``ſelect`` is a
keyword in Go).

The whole text is lexed before parsing, as participle's peeking lexer does, so a lexer error
("invalid input text") is reported even when a parse error comes earlier in the text.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .gostring import from_go_bytes, go_bytes

# Token kinds. Keyword kinds are the upper-case keyword itself.
WHITESPACE = "whitespace"
COMMENT = "Comment"
NUMBER = "Number"
IDENT = "Ident"
SYMBOL_IDENT = "SymbolIdent"
OPERATOR = "Operator"
STRING = "String"
MULTILINE_STRING = "MultilineString"
ALT_OR = "AlternativeOR"
ALT_AND = "AlternativeAND"
EOF = "EOF"

_WS = r"[\t\n\f\r ]"
_KEYWORD_AFTER = r"(?![A-Za-z0-9_])"

# (group name, token kind, pattern) in vfilter's order.
_RULES: tuple[tuple[str, str, str], ...] = (
    ("ws", WHITESPACE, _WS + r"+"),
    ("mline", COMMENT, r"/\*(?s:.*?)\*/"),
    ("sqlc", COMMENT, r"--[^\n]*"),
    ("cppc", COMMENT, r"//[^\n]*"),
    ("EXPLAIN", "EXPLAIN", r"(?i:EXPLAIN)" + _KEYWORD_AFTER),
    ("SELECT", "SELECT", r"(?i:SELECT)" + _KEYWORD_AFTER),
    ("WHERE", "WHERE", r"(?i:WHERE)" + _KEYWORD_AFTER),
    ("AND", "AND", r"(?i:AND)" + _KEYWORD_AFTER),
    ("OR", "OR", r"(?i:OR)" + _KEYWORD_AFTER),
    ("altor", ALT_OR, r"\|+"),
    ("altand", ALT_AND, r"&&"),
    ("FROM", "FROM", r"(?i:FROM)" + _KEYWORD_AFTER),
    ("NOT", "NOT", r"(?i:NOT)" + _KEYWORD_AFTER),
    ("AS", "AS", r"(?i:AS)" + _KEYWORD_AFTER),
    ("IN", "IN", r"(?i:IN)" + _KEYWORD_AFTER),
    ("LIMIT", "LIMIT", r"(?i:LIMIT)" + _KEYWORD_AFTER),
    ("NULL", "NULL", r"(?i:NULL)" + _KEYWORD_AFTER),
    ("DESC", "DESC", r"(?i:DESC)" + _KEYWORD_AFTER),
    ("GROUPBY", "GROUPBY", r"(?i:GROUP" + _WS + r"+BY)" + _KEYWORD_AFTER),
    ("ORDERBY", "ORDERBY", r"(?i:ORDER" + _WS + r"+BY)" + _KEYWORD_AFTER),
    ("BOOL", "BOOL", r"(?i:TRUE|FALSE)" + _KEYWORD_AFTER),
    ("LET", "LET", r"(?i:LET)" + _KEYWORD_AFTER),
    ("num", NUMBER, r"-?(?:0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"),
    ("ident", IDENT, r"[a-zA-Z_][a-zA-Z0-9_]*|`[^`]+`"),
    ("symident", SYMBOL_IDENT, r"-[a-zA-Z_][a-zA-Z0-9_]*|-`[^`]+`"),
    ("op", OPERATOR, r"<>|!=|<=|>=|=>|=~|-|\+|[:*/%,.()=<>{}\[\]]"),
    ("mstr", MULTILINE_STRING, r"'''(?s:.*?)'''"),
    (
        "str",
        STRING,
        r"'(?:[^'\\]*(?:\\(?s:.)[^'\\]*)*)'" + r'|"(?:[^"\\]*(?:\\(?s:.)[^"\\]*)*)"',
    ),
)

_MASTER = re.compile("|".join(f"(?P<{name}>{pattern})" for name, _, pattern in _RULES))
# The same rules without the /* */ comment, used once no "*/" follows the position: each
# unclosed "/*" would otherwise scan to the end of the text (quadratic on "/* /* /* ...").
_MASTER_NO_MLINE = re.compile(
    "|".join(f"(?P<{name}>{pattern})" for name, _, pattern in _RULES if name != "mline")
)
_KIND_OF_GROUP = {name: kind for name, kind, _ in _RULES}
_UPPERCASED = frozenset({"IN", "DESC"})


class Token(NamedTuple):
    """One token. `value` is the source text (upper-cased for ``IN`` and ``DESC``, as vfilter's
    ``participle.Upper``); `offset` is the index in the text; `line`/`column` are 1-based and
    include the caller's offsets. Columns count characters (code points), as participle counts
    runes."""

    kind: str
    value: str
    offset: int
    line: int
    column: int


class VqlLexError(Exception):
    """Text that no lexer rule matches. Positions include the caller's offsets."""

    def __init__(self, message: str, line: int, column: int, text: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.text = text
        """The unlexable input, from the error position on (at most 10 characters)."""


def _go_quote(snippet: str) -> str:
    return '"' + snippet.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def tokenize(
    text: str, *, line_offset: int = 0, column_offset: int = 0
) -> tuple[list[Token], list[Token]]:
    """Split `text` into (tokens, comments); whitespace is dropped.

    Positions are the position in `text` plus the offsets (the column offset applies to every
    line). The token list ends with an ``EOF`` token positioned just after the text.
    Raises VqlLexError at the first character that no rule matches.
    """
    tokens: list[Token] = []
    comments: list[Token] = []
    match = _MASTER.match
    # Past this position no "/*" can be closed any more.
    mline_end = text.rfind("*/") - 2
    kinds = _KIND_OF_GROUP
    count = text.count
    pos = 0
    end = len(text)
    line = 1 + line_offset
    # Offset of the current line's first character, shifted so that column = pos - line_base.
    line_base = -1 - column_offset
    while pos < end:
        if pos > mline_end:
            match = _MASTER_NO_MLINE.match
            mline_end = end
        found = match(text, pos)
        if found is None:
            snippet = text[pos : pos + 10]
            raise VqlLexError(
                f"invalid input text {_go_quote(snippet)}", line, pos - line_base, snippet
            )
        kind = kinds[found.lastgroup]  # type: ignore[index]
        new_pos = found.end()
        if kind is not WHITESPACE:
            value = found.group()
            if kind in _UPPERCASED:
                value = value.upper()
            token = Token(kind, value, pos, line, pos - line_base)
            if kind is COMMENT:
                comments.append(token)
            else:
                tokens.append(token)
        newlines = count("\n", pos, new_pos)
        if newlines:
            line += newlines
            line_base = text.rfind("\n", pos, new_pos) - column_offset
        pos = new_pos
    tokens.append(Token(EOF, "", end, line, end - line_base))
    return tokens, comments


# ---------------------------------------------------------------- token values

_HEX = {c: int(c, 16) for c in "0123456789abcdefABCDEF"}


def unquote_string(token_text: str) -> str:
    """Decode a String or MultilineString token as vfilter's ``utils.Unquote`` does.

    ``'''...'''`` is returned verbatim. Otherwise the escapes are ``\\xHH`` (one raw byte, also
    ``\\XHH``), ``\\n``, ``\\r``, ``\\t`` and ``\\c`` -> ``c`` for any other ``c``. The decoding
    works on UTF-8 bytes, like Go; bytes that are not valid UTF-8 (e.g. ``\\xff``) come back as
    surrogate escapes, so ``gostring.go_bytes(value)`` gives Go's exact bytes.
    vfilter's quirks are kept: an ``\\x`` with fewer than two characters after it ends the string
    there, and an ``\\x`` followed by non-hex characters copies the input byte at the OUTPUT
    index (a bug in vfilter) and goes on from the ``x``.
    """
    if token_text.startswith("'''") and token_text.endswith("'''") and len(token_text) >= 6:
        return token_text[3:-3]
    if not token_text or token_text[0] not in "'\"":
        return token_text
    body = token_text[1:-1]
    if "\\" not in body:
        return body
    data = go_bytes(body)
    out = bytearray()
    last = len(data) - 1
    i = 0
    while i <= last:
        byte = data[i]
        if byte != 0x5C:  # backslash
            out.append(byte)
            i += 1
            continue
        if i >= last:
            break
        escaped = data[i + 1]
        if escaped in (0x78, 0x58):  # x X
            if i > last - 3:
                break
            high = _HEX.get(chr(data[i + 2]))
            low = _HEX.get(chr(data[i + 3]))
            if high is None or low is None:
                out.append(data[len(out)])
                i += 1
            else:
                out.append(high << 4 | low)
                i += 4
        elif escaped == 0x72:  # r
            out.append(0x0D)
            i += 2
        elif escaped == 0x6E:  # n
            out.append(0x0A)
            i += 2
        elif escaped == 0x74:  # t
            out.append(0x09)
            i += 2
        else:
            out.append(escaped)
            i += 2
    return from_go_bytes(bytes(out))


_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_HEX_LENGTHS = {"x": 2, "u": 4, "U": 8}


def unquote_ident(text: str) -> str:
    """vfilter's ``utils.Unquote_ident``: strip one pair of backticks and decode Go escapes.

    Applied by vfilter to a whole string that starts with a backtick (a name, or a formatted
    column expression): it drops the first and the last character, whatever the last one is, and
    decodes the rest with Go's ``strconv.UnquoteChar``. On an invalid escape it returns the
    undecoded remainder (a vfilter quirk, reproduced).
    """
    if not text or text[0] != "`":
        return text
    rest = text[1:-1]
    if "\\" not in rest:
        return rest
    out: list[str] = []
    i = 0
    n = len(rest)
    while i < n:
        char = rest[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        if i + 1 >= n:
            return rest[i:]
        code = rest[i + 1]
        if code in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[code])
            i += 2
        elif code == "\\":
            out.append("\\")
            i += 2
        elif code in _HEX_LENGTHS:
            digits = rest[i + 2 : i + 2 + _HEX_LENGTHS[code]]
            if len(digits) != _HEX_LENGTHS[code] or any(d not in _HEX for d in digits):
                return rest[i:]
            value = int(digits, 16)
            if code != "x" and (value > 0x10FFFF or 0xD800 <= value < 0xE000):
                return rest[i:]
            out.append(chr(value))
            i += 2 + len(digits)
        elif code in "01234567":
            digits = rest[i + 1 : i + 4]
            if len(digits) != 3 or any(d not in "01234567" for d in digits):
                return rest[i:]
            value = int(digits, 8)
            if value > 255:
                return rest[i:]
            out.append(chr(value))
            i += 4
        else:
            # \' and \" are errors when the quote is a backtick; so is any unknown escape.
            return rest[i:]
    return "".join(out)


_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_FLOAT_TEXT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def parse_go_int(text: str) -> int | None:
    """Go's ``strconv.ParseInt(text, 0, 64)`` for the spellings our lexer produces, or None."""
    sign = 1
    body = text
    if body and body[0] in "+-":
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if not body:
        return None
    try:
        if body[:2] in ("0x", "0X"):
            value = int(body[2:], 16)
        elif body[:2] in ("0b", "0B"):
            value = int(body[2:], 2)
        elif body[:2] in ("0o", "0O"):
            value = int(body[2:], 8)
        elif body[0] == "0" and len(body) > 1:
            value = int(body[1:], 8)
        elif body.isdigit() and body.isascii():
            value = int(body, 10)
        else:
            return None
    except ValueError:
        return None
    value *= sign
    if value < _INT64_MIN or value > _INT64_MAX:
        return None
    return value


def parse_go_float(text: str) -> float | None:
    """Go's ``strconv.ParseFloat(text, 64)`` for decimal spellings, or None (also on overflow)."""
    if _FLOAT_TEXT.fullmatch(text) is None:
        return None
    value = float(text)
    if value in (float("inf"), float("-inf")):
        return None
    return value


def number_value(text: str) -> int | float | None:
    """The value vfilter gives a Number token: ParseInt(s, 0, 64), else ParseFloat, else None.

    None means neither parse succeeds (e.g. a hex literal beyond 64 bits, or ``1e400``); vfilter
    then logs "Unable to parse ... as a number" and the value is NULL.
    """
    as_int = parse_go_int(text)
    if as_int is not None:
        return as_int
    return parse_go_float(text)
