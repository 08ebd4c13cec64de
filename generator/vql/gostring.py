"""Go strings as the parser and evaluator hold them.

A Go string is bytes, usually but not always UTF-8. The evaluator holds one as Python text: valid
UTF-8 decoded, and each byte that is not valid UTF-8 as the surrogate escape U+DC80+byte
(``bytes.decode("utf-8", "surrogateescape")``, as VQL's ``'\\xff'`` decodes), so `go_bytes`
gives Go's exact bytes back. Any other lone surrogate cannot be in a Go string: where a Python
library makes one (``json`` decodes the escape ``"\\ud800"``), the evaluator replaces it by U+FFFD
as Go's decoders do, and `go_bytes` writes U+FFFD's bytes for one that slips through, so no
encoder ever meets a lone surrogate.

`well_formed` is the text as Go reads it rune by rune (``utf8.DecodeRuneInString``, which
``regexp`` and ``encoding/json``'s encoder use): each invalid byte is U+FFFD, and the length in
characters is unchanged, so a position in one is a position in the other.
"""

from __future__ import annotations

import codecs
import re

_SURROGATE = re.compile("[\ud800-\udfff]")
_REPLACEMENT = "\ufffd".encode()


def _go_bytes_errors(error: UnicodeError) -> tuple[bytes, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = bytearray()
    for char in error.object[error.start : error.end]:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(code - 0xDC00)  # an invalid byte, held as its surrogate escape
        else:
            out += _REPLACEMENT
    return bytes(out), error.end


codecs.register_error("vrq-go-bytes", _go_bytes_errors)


def go_bytes(text: str) -> bytes:
    """The bytes of the Go string that `text` holds."""
    return text.encode("utf-8", "vrq-go-bytes")


def from_go_bytes(data: bytes) -> str:
    """The Go string of `data`, as the evaluator holds it."""
    return data.decode("utf-8", "surrogateescape")


def joined(text: str) -> str:
    """`text`, made of Go strings put together, as one Go string: bytes that were invalid
    apart may be valid together (``"\\xc3" + "\\xa9"`` is "é", as in Go)."""
    return from_go_bytes(go_bytes(text)) if _SURROGATE.search(text) else text


def has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def well_formed(text: str) -> str:
    """`text` as Go decodes it rune by rune: each invalid byte (or stray surrogate) is U+FFFD."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text
