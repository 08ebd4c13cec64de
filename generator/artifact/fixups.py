"""Velociraptor's YAML fix-ups (``sanitize_artifact_yaml``), with a map back to the author's lines.

Before unmarshalling an artifact, Velociraptor's repository loader rewrites three things:
CRLF becomes LF; a bare ``query:`` or ``precondition:`` line gets `` |`` so that the following
lines form a literal block; ``- SELECT``, ``- LET`` and ``- //`` list items become literal blocks.
The two rewrites insert line breaks, so every diagnostic is mapped back through `Sanitized.line`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Go's \s is [\t\n\f\r ]; Python's would also match Unicode spaces.
_WS = r"[\t\n\f\r ]"
QUERY_RE = re.compile(rf"(?im)^(?:{_WS}|-)*(precondition|query):{_WS}*$")
QUERIES_RE = re.compile(r"(?im)(^ +- +)(SELECT|LET|//)")


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


def _rewrite(text: str, origin: list[int], bare_key: bool) -> tuple[str, list[int]]:
    pattern = QUERY_RE if bare_key else QUERIES_RE
    writer = _Writer(origin)
    pos = 0
    for match in pattern.finditer(text):
        writer.copy(text[pos : match.start()])
        if bare_key:
            writer.copy(match.group(0))
            writer.insert(" |\n")
        else:
            lead = match.group(1)
            writer.copy(lead)
            writer.insert("|\n" + " " * len(lead))
            writer.copy(match.group(2))
        pos = match.end()
    writer.copy(text[pos:])
    return "".join(writer.parts), writer.origin


def sanitize(text: str) -> Sanitized:
    """Apply Velociraptor's fix-ups; cheap when there is nothing to fix."""
    text = text.replace("\r\n", "\n")
    if not QUERY_RE.search(text) and not QUERIES_RE.search(text):
        return Sanitized(text, None)
    origin = list(range(1, text.count("\n") + 2))
    text, origin = _rewrite(text, origin, bare_key=True)
    text, origin = _rewrite(text, origin, bare_key=False)
    return Sanitized(text, tuple(origin))
