"""Which characters a profile string can carry to where it ends up.

Rule descriptions travel in the artifact's CSV rule table and, through it, as ``description=...`` on
netsh's command line; the policy name becomes ``name=...``, ``filterlist=... PermitFilterList`` and
so on, and the description shows it in commands to paste into cmd.exe or PowerShell. A comma or
quote would split or reshape a CSV row, a line break ends the argument in the upstream
``clean_cmdline`` regex, and control characters have no business in either. The policy name is
held to a safe set (`NETSH_NAME_CHARACTERS`, see the ``policy-name-characters`` rule).
"""

from __future__ import annotations

import unicodedata

_CSV_BREAKERS = {",": "a comma", '"': "a double quote"}
NETSH_NAME_CHARACTERS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _-.()"
)
"""What cmd.exe, PowerShell and netsh all take literally inside ``name="..."``."""
_NAMED = {
    '"': "a double quote",
    "'": "a single quote",
    ",": "a comma",
    "=": "an equals sign",
    "\\": "a backslash",
    "%": "a percent sign (cmd.exe expands %VAR%)",
    "!": "an exclamation mark (cmd.exe expands !VAR!)",
    "$": "a dollar sign (PowerShell expands $VAR and $(...))",
    "`": "a backtick (PowerShell's escape character)",
    "^": "a caret",
    "&": "an ampersand",
    "|": "a pipe",
    "<": "a less-than sign",
    ">": "a greater-than sign",
    ";": "a semicolon",
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
    """The first character of an IPsec object name outside `NETSH_NAME_CHARACTERS`, described,
    or None; edge spaces count too."""
    for ch in text:
        if ch not in NETSH_NAME_CHARACTERS:
            return _NAMED.get(ch) or _describe_control(ch) or f"{ch!r} (U+{ord(ch):04X})"
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
