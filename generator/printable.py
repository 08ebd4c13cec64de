"""Text that every output format can carry, whatever a hostile input put in it.

Profiles, artifacts, scenarios and file names reach messages and reports as they were written.
Some of what they may hold cannot be printed, or should not be:

- a lone surrogate (a file name that is not UTF-8, which Python decodes to ``\\udcff``, or a
  value a VQL function built; the YAML loader refuses ``"\\ud800"`` escapes) has no UTF-8
  encoding: printing it fails;
- control characters (ESC, BEL, CR, C1 controls) drive the terminal: colours, cursor moves,
  the window title, even the clipboard (OSC 52), and CR or LF forge report lines;
- bidirectional controls (U+202A-U+202E, U+2066-U+2069) reorder what a reader sees.

`printable` writes each of these as a Python-style escape (``\\x1b``, ``\\ud800``, ``\\u202e``),
so text reports show what is really there. `json_text` keeps the data: controls (C0, DEL, C1)
and bidirectional characters become JSON escapes (the same characters to a JSON reader, inert
in a terminal that shows the file), and a lone surrogate, which no UTF-8 text can hold, becomes
the visible text ``\\ud800``; a JSON or SARIF report is valid UTF-8 that every consumer reads
alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

_SURROGATES = "\ud800-\udfff"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_UNPRINTABLE = re.compile(f"[{_CONTROLS}{_SURROGATES}{_BIDI}]")
_UNPRINTABLE_OR_LF = re.compile(f"[\n{_CONTROLS}{_SURROGATES}{_BIDI}]")
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_SURROGATES}{_BIDI}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, newlines: bool = False) -> str:
    """`text` with surrogates, control and bidirectional characters escaped.

    Tabs are kept; line feeds are kept only with ``newlines=True`` (multi-line output such as a
    simulation report), and escaped otherwise (one-line fields such as a message or a path).
    """
    pattern = _UNPRINTABLE if newlines else _UNPRINTABLE_OR_LF
    return pattern.sub(_escape, text)


def json_text(document: Any, *, default: Callable[[Any], Any] | None = None) -> str:
    """`document` as indented JSON: non-ASCII kept, controls and bidirectional characters
    escaped, lone surrogates written as text (json.dumps leaves them inside strings only)."""
    text = json.dumps(document, indent=2, ensure_ascii=False, default=default)
    return _JSON_UNSAFE.sub(_json_escape, text) + "\n"


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF:  # a lone surrogate: shown as text, as `printable` shows it
        return f"\\\\u{code:04x}"
    return f"\\u{code:04x}"  # a JSON escape: the same character to every JSON reader
