"""Where a character of a VQL text sits in the artifact file, and where an error is shown.

A VQL text is a YAML scalar: a literal block keeps its lines (shifted by the block's indent),
a folded, plain or quoted scalar may gather several file lines into one and drop characters
(escapes, folding), so those are aligned character by character with the raw file. The result
goes through the fix-up line map, so a position is always the author's own line and column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..yamlsource import Scalar
from .fixups import Sanitized


@dataclass(frozen=True)
class Line:
    file_line: int
    column_offset: int
    chars: tuple[tuple[int, int], ...] | None = None
    """For folded or quoted scalars: the file (line, column) of each character of this line."""


class PositionMap:
    """Maps a 1-based (line, column) inside a VQL text to the file's (line, column).

    The line table is built on the first question (most texts are never asked: they have no
    finding).
    """

    def __init__(self, lines: Callable[[], list[Line]], sanitized: Sanitized) -> None:
        self._build = lines
        self._lines: list[Line] | None = None
        self._sanitized = sanitized

    def __call__(self, line: int, column: int) -> tuple[int, int]:
        if self._lines is None:
            self._lines = self._build()
        if not self._lines:
            return self._sanitized.line(1), 1
        entry = self._lines[min(max(line, 1), len(self._lines)) - 1]
        file_line, col = entry.file_line, entry.column_offset + max(column, 1)
        if entry.chars:
            file_line, col = entry.chars[min(max(column, 1), len(entry.chars)) - 1]
        return self._sanitized.line(file_line), col


def clamp(text: str, line: int, column: int) -> tuple[int, int]:
    """An error at the end of input is shown at the text's last character, not past the block."""
    body = text.rstrip()
    last_line = body.count("\n") + 1
    last_column = len(body) - body.rfind("\n") - 1
    if (line, column) > (last_line, last_column):
        return last_line, last_column
    return line, column


def scalar_lines(source: str, scalar: Scalar, text: str) -> list[Line]:
    """Where each line of a scalar's value sits in the (fixed-up) file."""
    if scalar.style in ("|", ">"):
        return _block_lines(source, scalar, text)
    return _aligned_lines(source, scalar, text)


def _block_lines(source: str, scalar: Scalar, text: str) -> list[Line]:
    file_lines = source.split("\n")
    first = scalar.line  # 1-based line of the indicator; content starts on the next line
    indent = 0
    for candidate in file_lines[first : scalar.end_line]:
        if candidate.strip():
            indent = len(candidate) - len(candidate.lstrip(" "))
            break
    count = text.count("\n") + 1
    if scalar.style == "|":
        return [Line(first + 1 + k, indent) for k in range(count)]
    # Folded: each value line may gather several file lines; map character by character.
    return _aligned_lines(source, scalar, text, start=(first + 1, 1))


def _aligned_lines(
    source: str, scalar: Scalar, text: str, start: tuple[int, int] | None = None
) -> list[Line]:
    """Align the value with the raw source greedily (folding and escapes only drop characters)."""
    file_lines = source.split("\n")
    line, col = start if start else (scalar.line, scalar.column)
    end_line = scalar.end_line
    positions: list[tuple[int, int]] = []
    for char in text:
        probe_line, probe_col = line, col
        matched = False
        while probe_line <= end_line and probe_line <= len(file_lines):
            raw = file_lines[probe_line - 1]
            if probe_col <= len(raw):
                if raw[probe_col - 1] == char:
                    matched = True
                    break
                probe_col += 1
            else:
                probe_line, probe_col = probe_line + 1, 1
            if probe_line - line > 2:
                break
        if matched:
            positions.append((probe_line, probe_col))
            line, col = probe_line, probe_col + 1
        else:
            positions.append((line, col))
    out: list[Line] = []
    cursor = 0
    for value_line in text.split("\n"):
        chunk = positions[cursor : cursor + len(value_line) + 1]
        cursor += len(value_line) + 1
        head = chunk[0] if chunk else (line, col)
        out.append(Line(head[0], head[1] - 1, tuple(chunk)))
    return out
