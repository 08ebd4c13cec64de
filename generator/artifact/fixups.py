"""Velociraptor's YAML fix-ups (``sanitize_artifact_yaml``), with a map back to the author's lines.

Before unmarshalling an artifact, Velociraptor's repository loader rewrites three things:
CRLF becomes LF; a bare ``query:`` or ``precondition:`` line gets `` |`` so that the following
lines form a literal block; ``- SELECT``, ``- LET`` and ``- //`` list items become literal blocks.
The two rewrites insert line breaks, so every diagnostic is mapped back through `Sanitized.line`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

# Go's \s is [\t\n\f\r ]; Python's would also match Unicode spaces.
_WS = r"[\t\n\f\r ]"
QUERY_RE = re.compile(rf"(?im)^(?:{_WS}|-)*(precondition|query):{_WS}*$")
QUERIES_RE = re.compile(r"(?im)(^ +- +)(SELECT|LET|//)")

# The same matches, found faster: Python's engine tries `(?m)^` at every character of a 40 kB
# artifact, while these start from a literal (a key, or a line break).
_KEY_TAIL_RE = re.compile(rf"(?im)(precondition|query):{_WS}*$")
_ITEM_RE = re.compile(r"\n( +- +)((?i:SELECT|LET|//))")
_FIRST_ITEM_RE = re.compile(r"( +- +)((?i:SELECT|LET|//))")
_PREFIX_CHARS = frozenset("\t\n\f\r -")


@dataclass(frozen=True)
class Sanitized:
    text: str
    origin: tuple[int, ...] | None
    """1-based original line of each 1-based sanitized line (index line-1); None when unchanged."""

    def line(self, line: int) -> int:
        """The author's line for a line of the sanitized text."""
        if self.origin is None or line <= 0:
            return line
        if line > len(self.origin):
            return self.origin[-1] + (line - len(self.origin))
        return self.origin[line - 1]


class _Writer:
    """Builds the rewritten text and, for each output line, the input line it came from."""

    def __init__(self, source_origin: list[int]) -> None:
        self.parts: list[str] = []
        self.origin: list[int] = [source_origin[0]]
        self.source_origin = source_origin
        self.source_line = 0

    def copy(self, text: str) -> None:
        self.parts.append(text)
        for _ in range(text.count("\n")):
            self.source_line += 1
            self.origin.append(
                self.source_origin[min(self.source_line, len(self.source_origin) - 1)]
            )

    def insert(self, text: str) -> None:
        self.parts.append(text)
        current = self.source_origin[min(self.source_line, len(self.source_origin) - 1)]
        self.origin.extend([current] * text.count("\n"))


def _keys(text: str) -> Iterator[int]:
    """Where a ``query:``/``precondition:`` key (any case) ends its line, in order."""
    lowered = text.lower()
    if len(lowered) != len(text) or "\u0131" in text:  # dotless i also matches (?i)i
        yield from (tail.start() for tail in _KEY_TAIL_RE.finditer(text))
        return
    found: list[int] = []
    for word in ("query:", "precondition:"):
        at = lowered.find(word)
        while at >= 0:
            found.append(at)
            at = lowered.find(word, at + 1)
    yield from (at for at in sorted(found) if _KEY_TAIL_RE.match(text, at))


def bare_keys(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every `QUERY_RE` match, in `QUERY_RE.finditer`'s order and spans."""
    pos = 0
    for key in _keys(text):
        if key < pos:
            continue
        first = key
        while first > pos and text[first - 1] in _PREFIX_CHARS:
            first -= 1
        if first == 0 or text[first - 1] == "\n":
            start = first
        else:
            start = text.find("\n", first, key) + 1
            if start == 0:
                continue  # no line starts between the key and the text before it
        match = QUERY_RE.match(text, start)
        if match is not None:
            yield match.start(), match.end()
            pos = match.end()


def list_items(text: str) -> Iterator[tuple[int, str, str, int]]:
    """(start, lead, word, end) of every `QUERIES_RE` match, as `QUERIES_RE.finditer` finds it."""
    first = _FIRST_ITEM_RE.match(text)
    if first is not None:
        yield 0, first.group(1), first.group(2), first.end()
    for match in _ITEM_RE.finditer(text, first.end() - 1 if first is not None else 0):
        yield match.start(1), match.group(1), match.group(2), match.end()


def _rewrite(text: str, origin: list[int], bare_key: bool) -> tuple[str, list[int]]:
    writer = _Writer(origin)
    pos = 0
    if bare_key:
        for start, end in bare_keys(text):
            writer.copy(text[pos:start])
            writer.copy(text[start:end])
            writer.insert(" |\n")
            pos = end
    else:
        for start, lead, word, end in list_items(text):
            writer.copy(text[pos:start])
            writer.copy(lead)
            writer.insert("|\n" + " " * len(lead))
            writer.copy(word)
            pos = end
    writer.copy(text[pos:])
    return "".join(writer.parts), writer.origin


def _nothing_to_fix(text: str) -> bool:
    return next(bare_keys(text), None) is None and next(list_items(text), None) is None


# The verdict for the last distinct tails (`sanitize`'s `shared_tail`).
_nothing_to_fix_in_tail = functools.lru_cache(maxsize=32)(_nothing_to_fix)


def sanitize(text: str, *, shared_tail: str | None = None) -> Sanitized:
    """Apply Velociraptor's fix-ups; cheap when there is nothing to fix.

    `shared_tail`: a top-level key whose block (from the first line that starts with it to
    the end) many of the texts share (render's `sources:` block): whether that block has
    anything to fix is found once per distinct block. The verdict for the whole text is the
    same: the text is cut after a line break, so every line lies wholly on one side and starts
    a line on both sides. A `QUERIES_RE` match lies within one line. A `QUERY_RE` match can
    span lines, but only across whitespace and ``-``: one that starts on the head's side and
    reaches the tail would have to pass the tail's first character, the key's first letter,
    which is neither; its end (``$``) is at a line break of the head, or for the head alone at
    the head's end, where the whole text has its match one character earlier, before the head's
    last line break."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    cut = text.find(f"\n{shared_tail}:") + 1 if shared_tail else 0
    if cut and shared_tail and shared_tail[0] not in _PREFIX_CHARS:
        if _nothing_to_fix(text[:cut]) and _nothing_to_fix_in_tail(text[cut:]):
            return Sanitized(text, None)
    elif _nothing_to_fix(text):
        return Sanitized(text, None)
    origin = list(range(1, text.count("\n") + 2))
    text, origin = _rewrite(text, origin, bare_key=True)
    text, origin = _rewrite(text, origin, bare_key=False)
    return Sanitized(text, tuple(origin))
