"""Go RE2 regular expressions, through Google's RE2 binding, compiled once per pattern.

VQL's regexes (``=~``, ``filter``, ``split``, ``regex_replace``, linter suppressions) are Go
``regexp`` patterns; this module gives Go's compile errors, ``FindAll``, ``ReplaceAllString``,
``Expand`` and ``Split``. The ``=~`` operator's own rules live in the evaluator.

Texts are Go strings as the evaluator holds them (`gostring`): RE2 sees each invalid byte as
U+FFFD, as Go's ``regexp`` decodes it (``utf8.DecodeRuneInString`` gives ``RuneError``), and the
groups it returns are the string's own bytes. A pattern with an invalid byte is Go's
``ErrInvalidUTF8`` (``regexp/syntax/parse.go``, ``checkUTF8``/``nextRune``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import re2

from .gostring import has_surrogate, well_formed


class VqlRegexError(ValueError):
    """A pattern RE2 refuses; the message names it."""


# RE2's error texts and Go's (regexp/syntax ErrorCode) for the same errors.
_GO_ERROR_CODES = {
    "missing ]": "missing closing ]",
    "missing )": "missing closing )",
    "unexpected )": "unexpected )",
    "bad repetition operator": "invalid nested repetition operator",
    "invalid repetition size": "invalid repeat count",
    "invalid named capture group": "invalid named capture",
    "no argument for repetition operator": "missing argument to repetition operator",
    "invalid perl operator": "invalid or unsupported Perl syntax",
    "pattern too large - compile failed": "expression too large",
    "pattern too large - reverse compile failed": "expression too large",
    "excessive depth": "expression nests too deeply",
}


def go_error_text(detail: str) -> str:
    """Go's ``regexp.Compile`` error for an RE2 error text: ``error parsing regexp: <code>:
    `<fragment>```, as Velociraptor logs it."""
    if detail.startswith("trailing \\"):
        return "error parsing regexp: trailing backslash at end of expression: ``"
    code, _, fragment = detail.partition(": ")
    return f"error parsing regexp: {_GO_ERROR_CODES.get(code, code)}: `{fragment}`"


@lru_cache(maxsize=512)
def compile_re2(pattern: str) -> Any:
    if has_surrogate(pattern):
        bad = next(i for i, char in enumerate(pattern) if has_surrogate(char))
        raise VqlRegexError(f"error parsing regexp: invalid UTF-8: `{pattern[bad:]}`")
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else ""
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise VqlRegexError(go_error_text(str(detail))) from None


class _GoMatch:
    """A match over a Go string that RE2 saw well-formed (same positions): its groups are the
    string's own slices, invalid bytes kept, as Go's ``FindStringSubmatch`` returns them."""

    __slots__ = ("_match", "_text")

    def __init__(self, match: Any, text: str) -> None:
        self._match = match
        self._text = text

    def span(self, group: int = 0) -> tuple[int, int]:
        span: tuple[int, int] = self._match.span(group)
        return span

    def start(self, group: int = 0) -> int:
        return self.span(group)[0]

    def end(self, group: int = 0) -> int:
        return self.span(group)[1]

    def group(self, group: int | str = 0) -> str | None:
        index = self._match.re.groupindex.get(group) if isinstance(group, str) else group
        if index is None:
            raise IndexError("bad group name")
        start, end = self.span(index)
        return None if start < 0 else self._text[start:end]


def finditer(compiled: Any, text: str) -> Iterator[Any]:
    """RE2's ``finditer`` over the Go string `text`."""
    if not has_surrogate(text):
        yield from compiled.finditer(text)
        return
    for match in compiled.finditer(well_formed(text)):
        yield _GoMatch(match, text)


def search(pattern: str, text: str) -> Any:
    """Go ``regexp.FindStringSubmatch``: the leftmost match or None."""
    compiled = compile_re2(pattern)
    if not has_surrogate(text):
        return compiled.search(text)
    match = compiled.search(well_formed(text))
    return None if match is None else _GoMatch(match, text)


def matches(pattern: str, text: str) -> bool:
    return search(pattern, text) is not None


def expand_go_template(template: str, match: Any) -> str:
    """Go ``Regexp.Expand``: ``$1``, ``${1}``, ``$name``, ``${name}`` and ``$$``."""
    out: list[str] = []
    i = 0
    n = len(template)
    while i < n:
        dollar = template.find("$", i)
        if dollar < 0:
            out.append(template[i:])
            break
        out.append(template[i:dollar])
        i = dollar
        char = "$"
        if i + 1 >= n:
            out.append(char)
            i += 1
            continue
        nxt = template[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
            continue
        if nxt == "{":
            end = template.find("}", i + 2)
            if end < 0:
                out.append(char)
                i += 1
                continue
            name = template[i + 2 : end]
            i = end + 1
        else:
            j = i + 1
            while j < n and (template[j].isalnum() or template[j] == "_"):
                j += 1
            name = template[i + 1 : j]
            if not name:
                out.append(char)
                i += 1
                continue
            i = j
        out.append(_group(match, name))
    return "".join(out)


def _group(match: Any, name: str) -> str:
    try:
        value = match.group(int(name)) if name.isdigit() else match.group(name)
    except (IndexError, KeyError, ValueError, re2.error):
        return ""
    return value or ""


class ResultTooLarge(ValueError):
    """A result would pass the size the caller allows (`size`: characters or parts so far)."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def go_find_all(compiled: Any, text: str) -> list[Any]:
    """Go ``FindAll``: successive non-overlapping matches (see `go_find_iter`)."""
    return list(go_find_iter(compiled, text))


def go_find_iter(compiled: Any, text: str) -> Iterator[Any]:
    """Go ``FindAll``, one match at a time: successive non-overlapping matches; an empty match
    right after the previous match is skipped (Python's finditer keeps it)."""
    last_end = -1
    for match in finditer(compiled, text):
        start, end = match.span()
        if start == end and start == last_end:
            continue
        yield match
        last_end = end


def replace_all(
    compiled: Any,
    text: str,
    template: str,
    max_len: int | None = None,
    tick: Callable[[], None] | None = None,
) -> str:
    """Go ``Regexp.ReplaceAllString`` with an already compiled pattern; `ResultTooLarge` as
    soon as the result passes `max_len` characters; `tick` is called every few hundred
    matches (a caller's clock)."""
    out: list[str] = []
    length = 0
    last = 0
    literal = "$" not in template
    for count, match in enumerate(go_find_iter(compiled, text)):
        if tick is not None and not count & 255:
            tick()
        start, end = match.span()
        piece = template if literal else expand_go_template(template, match)
        out.append(text[last:start])
        out.append(piece)
        length += start - last + len(piece)
        if max_len is not None and length > max_len:
            raise ResultTooLarge(length)
        last = end
    out.append(text[last:])
    return "".join(out)


def split(
    pattern: str,
    text: str,
    max_parts: int | None = None,
    tick: Callable[[], None] | None = None,
) -> list[str]:
    """Go ``Regexp.Split(s, -1)``; `ResultTooLarge` as soon as there are more than
    `max_parts` parts; `tick` is called every few hundred parts."""
    if text == "":
        return [""] if pattern != "" else []
    compiled = compile_re2(pattern)
    parts: list[str] = []
    last = 0
    for match in finditer(compiled, text):
        start, end = match.span()
        if end == 0 and start == 0:
            continue
        parts.append(text[last:start])
        if max_parts is not None and len(parts) > max_parts:
            raise ResultTooLarge(len(parts))
        if tick is not None and not len(parts) & 255:
            tick()
        last = end
    parts.append(text[last:])
    return parts
