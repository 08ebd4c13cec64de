"""Velociraptor's CSV reader, as ``parse_csv`` uses it.

A port of ``file_store/csv/reader.go`` (Velociraptor's copy of Go's ``encoding/csv``), on the
bytes of a Go string (`gostring`), with the options ``parse_csv`` sets
(``vql/parsers/csv/csv.go``: ``TrimLeadingSpace`` and ``LazyQuotes`` on):

- records end at ``\\n`` only; ``\\r\\n`` at the end of a line is ``\\n`` (also inside a quoted
  field), a ``\\r`` before the end of the input is dropped, and any other ``\\r`` is data;
- blank lines and, with a ``comment`` character, lines starting with it are skipped; a UTF-8
  byte-order mark at the start is swallowed;
- leading white space (Go's ``unicode.IsSpace``) of every field is trimmed;
- lazy quotes: a ``"`` inside an unquoted field is data, a quote in a quoted field not followed
  by a quote, the separator or the end of the line is data, and a quoted field still open at
  the end of the input ends there; so a record never has a parse error;
- the first record sets the number of fields: later records are cut or padded with "" to it;
- an invalid separator or comment (NUL, ``\\r``, ``\\n``, U+FFFD, or both the same) is
  ``errInvalidDelim`` for every record.

`typed` is the reader's ``ReadAny``: "true"/"false" are booleans, "base64:..." decodes (kept
as text when it does not), a leading space is dropped (and the rest kept as text), "{" and "["
are JSON when they parse, then ``strconv.Atoi`` and ``strconv.ParseFloat``, else the text.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable, Iterator
from typing import Any

from ..gostring import from_go_bytes, go_bytes

INVALID_DELIMITER = "csv: invalid field or comment delimiter"
"""``errInvalidDelim``'s text."""

_BOM = b"\xef\xbb\xbf"
# Go's unicode.IsSpace: Latin-1's \t \n \v \f \r, space, U+0085, U+00A0, and White_Space.
_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)


class CsvDelimiterError(ValueError):
    """The separator or comment character cannot be used (``errInvalidDelim``)."""


def _valid_delimiter(char: str) -> bool:
    return char not in ("\x00", "\r", "\n", "\ufffd") and not 0xD800 <= ord(char) <= 0xDFFF


def _trim_leading_space(line: bytes) -> bytes:
    if not line or 0x20 < line[0] < 0x80:
        return line
    text = line.decode("utf-8", "surrogateescape")
    stripped = text.lstrip(_SPACE)
    return line[len(go_bytes(text[: len(text) - len(stripped)])) :]


def _length_nl(line: bytes) -> int:
    return 1 if line.endswith(b"\n") else 0


class Reader:
    """``csv.Reader`` over `data` with ``parse_csv``'s options; `comma` and `comment` are
    single characters (`comment` "" for none)."""

    def __init__(self, data: bytes, comma: str = ",", comment: str = "") -> None:
        self._data = data[3:] if data.startswith(_BOM) else data
        self._pos = 0
        self._comma = comma
        self._comma_bytes = comma.encode("utf-8", "surrogatepass")
        self._comment = comment.encode("utf-8", "surrogatepass") if comment else b""
        self.fields_per_record = 0
        self._valid = (
            _valid_delimiter(comma)
            and comma != comment
            and (not comment or _valid_delimiter(comment))
        )

    def _read_line(self) -> bytes | None:
        """``readLine``: the next line with its ``\\n``, or None at the end of the input."""
        data = self._data
        if self._pos >= len(data):
            return None
        end = data.find(b"\n", self._pos)
        if end < 0:
            line = data[self._pos :]
            self._pos = len(data)
            if line.endswith(b"\r"):  # "For backwards compatibility, drop trailing \r before EOF"
                line = line[:-1]
        else:
            line = data[self._pos : end + 1]
            self._pos = end + 1
        if line.endswith(b"\r\n"):
            line = line[:-2] + b"\n"
        return line

    def read(self) -> list[str] | None:
        """``Read``: the next record, or None at the end of the input."""
        if not self._valid:
            raise CsvDelimiterError(INVALID_DELIMITER)
        while True:
            line = self._read_line()
            if line is None:
                return None
            if self._comment and line.startswith(self._comment):
                continue
            if len(line) == _length_nl(line):
                continue
            break
        fields: list[bytes] = []
        buffer = bytearray()
        comma = self._comma_bytes
        while True:  # parseField
            line = _trim_leading_space(line)
            if not line or line[0] != 0x22:  # an unquoted field
                index = line.find(comma)
                field = line[:index] if index >= 0 else line[: len(line) - _length_nl(line)]
                fields.append(field)
                if index >= 0:
                    line = line[index + len(comma) :]
                    continue
                break
            line = line[1:]  # a quoted field
            buffer.clear()
            next_field = False
            while True:
                index = line.find(b'"')
                if index >= 0:
                    buffer += line[:index]
                    line = line[index + 1 :]
                    if line.startswith(b'"'):
                        buffer += b'"'
                        line = line[1:]
                    elif line.startswith(comma):
                        line = line[len(comma) :]
                        next_field = True
                        break
                    elif len(line) == _length_nl(line):
                        break
                    else:
                        buffer += b'"'  # lazy quotes: a bare quote is data
                elif line:
                    buffer += line
                    line = self._read_line() or b""
                else:
                    break  # lazy quotes: the input ended inside the field
            fields.append(bytes(buffer))
            if not next_field:
                break
        record = [from_go_bytes(f) for f in fields]
        if self.fields_per_record > 0:
            record = (record + [""] * self.fields_per_record)[: self.fields_per_record]
        elif self.fields_per_record == 0:
            self.fields_per_record = len(record)
        return record


_INT = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX_FLOAT = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+")
_SPECIAL = re.compile(r"[+-]?(?:inf|infinity)|nan", re.IGNORECASE)


def go_atoi(text: str) -> int | None:
    """Go's ``strconv.Atoi`` (64-bit): a sign and decimal digits, within int64."""
    if not _INT.fullmatch(text):
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


def go_parse_float(text: str) -> float | None:
    """Go's ``strconv.ParseFloat(text, 64)`` without underscores: decimal and hexadecimal
    spellings, ``inf``/``infinity`` with a sign and ``nan``; None when it fails, also when the
    value is out of range (Go returns ErrRange)."""
    if _SPECIAL.fullmatch(text):
        return float(text)
    try:
        if _DECIMAL.fullmatch(text):
            value = float(text)
        elif _HEX_FLOAT.fullmatch(text):
            sign = -1.0 if text.startswith("-") else 1.0
            value = sign * float.fromhex(text.lstrip("+-"))
        else:
            return None
    except OverflowError:
        return None
    return None if value in (float("inf"), float("-inf")) else value


def typed(item: str, from_json: Callable[[str], tuple[bool, Any]]) -> Any:
    """``ReadAny``'s value for one field; `from_json` decodes JSON text (ok, value)."""
    if item == "true":
        return True
    if item == "false":
        return False
    if item.startswith("base64:"):
        # Go's base64.StdEncoding: padding required, line breaks ignored. The value is a Go
        # []byte, which the evaluator holds as a Go string (see `gostring`).
        encoded = go_bytes(item[7:]).replace(b"\r", b"").replace(b"\n", b"")
        try:
            return from_go_bytes(binascii.a2b_base64(encoded, strict_mode=True))
        except (binascii.Error, ValueError):
            return item
    if item.startswith(" "):
        return item[1:]
    if item.startswith("{") or item.startswith("["):
        ok, value = from_json(item)
        wanted = dict if item.startswith("{") else list
        return value if ok and isinstance(value, wanted) else item
    as_int = go_atoi(item)
    if as_int is not None:
        return as_int
    as_float = go_parse_float(item)
    return item if as_float is None else as_float


def records(reader: Reader) -> Iterator[list[str]]:
    while (record := reader.read()) is not None:
        yield record
