"""Which characters a profile string can carry to where it ends up.

Rule descriptions travel in the artifact's CSV rule table and, through it, as ``description=...`` on
netsh's command line; the policy name becomes ``name=...``, ``filterlist=... PermitFilterList`` and
so on. A comma or quote would split or reshape a CSV row, a line break ends the argument in the
upstream ``clean_cmdline`` regex, and control characters have no business in either.
"""

from __future__ import annotations

import unicodedata

_CSV_BREAKERS = {",": "a comma", '"': "a double quote"}
_NETSH_BREAKERS = {
    '"': "a double quote",
    "'": "a single quote",
    ",": "a comma",
    "=": "an equals sign",
    "\\": "a backslash",
    "%": "a percent sign",
    "^": "a caret",
    "&": "an ampersand",
    "|": "a pipe",
    "<": "a less-than sign",
    ">": "a greater-than sign",
}


def _describe_control(ch: str) -> str | None:
    if ch == "\n" or ch == "\r":
        return "a line break"
    if ch == "\t":
        return "a tab"
    category = unicodedata.category(ch)
    if category in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
        return f"the control or invisible character U+{ord(ch):04X}"
    return None


def _first(text: str, table: dict[str, str]) -> str | None:
    # Printable text holds no control character (every category _describe_control names is
    # non-printable): only the table's characters remain to look for.
    if text.isprintable() and not set(text) & table.keys():
        return None
    for ch in text:
        if ch in table:
            return table[ch]
        control = _describe_control(ch)
        if control:
            return control
    return None


def unsafe_in_csv_field(text: str) -> str | None:
    """What in `text` the CSV rule table and netsh's command line cannot carry, or None."""
    found = _first(text, _CSV_BREAKERS)
    if found:
        return found
    if text != text.strip():
        return "leading or trailing spaces"
    return None


def unsafe_in_netsh_name(text: str) -> str | None:
    """What in an IPsec object name is unsafe on netsh's command line, or None."""
    found = _first(text, _NETSH_BREAKERS)
    if found:
        return found
    if text != text.strip():
        return "leading or trailing spaces"
    return None


def unsafe_in_line(text: str) -> str | None:
    """Control characters or line breaks in a one-line text (the user message)."""
    if text.isprintable():
        return None
    for ch in text:
        control = _describe_control(ch)
        if control:
            return control
    return None


def unsafe_in_prose(text: str) -> str | None:
    """Control characters in free text (line breaks and tabs allowed)."""
    if text.replace("\n", "").replace("\t", "").isprintable():
        return None
    for ch in text:
        if ch in "\n\t":
            continue
        control = _describe_control(ch)
        if control:
            return control
    return None
