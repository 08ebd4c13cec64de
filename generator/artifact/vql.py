"""VQL texts parsed once per distinct text per process.

An artifact's query depends only on what it says, and a `render` run produces the same few
queries for every profile (they depend only on the feature switches), so every consumer (lint,
render, simulate) shares one parse of each text. Programs are never modified after parsing.
"""

from __future__ import annotations

import functools

from ..vql import VqlSyntaxError, ast, parse, walk


class ParsedVql:
    """One VQL text: its program or its syntax error, and (computed once) its nodes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.program: ast.Program | None = None
        self.error: VqlSyntaxError | None = None
        try:
            self.program = parse(text)
        except VqlSyntaxError as error:
            self.error = error
        self._nodes: tuple[ast.Node, ...] | None = None

    def nodes(self) -> tuple[ast.Node, ...]:
        """Every node of the program in source order (empty when it did not parse)."""
        if self._nodes is None:
            self._nodes = tuple(walk(self.program)) if self.program is not None else ()
        return self._nodes


@functools.lru_cache(maxsize=512)
def parse_vql(text: str) -> ParsedVql:
    return ParsedVql(text)
