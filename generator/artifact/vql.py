"""VQL texts parsed once per distinct text per process.

An artifact's query depends only on what it says, and a `render` run produces the same few
queries for every profile (they depend only on the feature switches), so every consumer (lint,
render, simulate) shares one parse of each text. Programs are never modified after parsing.

A monitor's query differs from profile to profile in one name only, the quarantine artifact it
calls (``Artifact.<name>(...)``). `parse_vql_renamed` derives such a text's parse from the parse
of the same query rendered with a placeholder name, when that gives exactly what the parser would
(see `renamed_parse`); lint then also shares one verdict per placeholder query.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

from ..vql import IDENT, VqlLexError, VqlSyntaxError, ast, parse, tokenize, walk

ARTIFACT_CALL = "Artifact."


@dataclass(frozen=True)
class Renamed:
    """How a derived parse relates to its template: the template text's ``Artifact.<old>``
    plugin call is ``Artifact.<new>`` here, at `line` (in the VQL text's coordinates), and
    nothing else differs."""

    template: ParsedVql
    old: str
    new: str
    line: int


class ParsedVql:
    """One VQL text: its program or its syntax error, and (computed once) its nodes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.program: ast.Program | None = None
        self.error: VqlSyntaxError | None = None
        self.renamed: Renamed | None = None
        """Set when this parse was derived from a template's (`renamed_parse`)."""
        try:
            self.program = parse(text)
        except VqlSyntaxError as error:
            self.error = error
        self._nodes: tuple[ast.Node, ...] | None = None
        self._replaced: dict[int, ast.Node] = {}
        self._plugin_paths: dict[str, tuple[int, ...] | None] = {}

    @classmethod
    def _derived(
        cls, text: str, program: ast.Program, renamed: Renamed, replaced: dict[int, ast.Node]
    ) -> ParsedVql:
        parsed = cls.__new__(cls)
        parsed.text = text
        parsed.program = program
        parsed.error = None
        parsed.renamed = renamed
        parsed._nodes = None
        parsed._replaced = replaced
        parsed._plugin_paths = {}
        return parsed

    def nodes(self) -> tuple[ast.Node, ...]:
        """Every node of the program in source order (empty when it did not parse)."""
        if self._nodes is None:
            if self.renamed is not None:
                replaced = self._replaced
                template = self.renamed.template.nodes()
                self._nodes = tuple(replaced.get(id(node), node) for node in template)
            else:
                self._nodes = tuple(walk(self.program)) if self.program is not None else ()
        return self._nodes

    def plugin_path(self, parts: tuple[str, ...]) -> tuple[int, ...] | None:
        """Where the one top-level ``FROM <parts>(...)`` is: (statement index,) for a SELECT,
        (statement index, -1) for ``LET x = SELECT``; None unless exactly one plugin, function
        or symbol anywhere in the program is named `parts`, and it is such a one."""
        name = ".".join(parts)
        if name not in self._plugin_paths:
            self._plugin_paths[name] = self._find_plugin(parts)
        return self._plugin_paths[name]

    def _find_plugin(self, parts: tuple[str, ...]) -> tuple[int, ...] | None:
        if self.program is None:
            return None
        uses = [
            node
            for node in self.nodes()
            if isinstance(node, ast.Plugin | ast.Call | ast.Symbol) and node.parts == parts
        ]
        if len(uses) != 1:
            return None
        for index, statement in enumerate(self.program.statements):
            if isinstance(statement, ast.Select) and statement.plugin is uses[0]:
                return (index,)
            if (
                isinstance(statement, ast.Let)
                and isinstance(statement.value, ast.Select)
                and statement.value.plugin is uses[0]
            ):
                return (index, -1)
        return None


_CACHE: dict[str, ParsedVql] = {}
_CACHE_LIMIT = 512


def parse_vql(text: str) -> ParsedVql:
    """The parse of `text`, shared by every consumer in this process."""
    parsed = _CACHE.get(text)
    if parsed is None:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        parsed = _CACHE[text] = ParsedVql(text)
    return parsed


@functools.lru_cache(maxsize=256)
def _one_identifier(part: str) -> bool:
    """Whether `part` lexes as one plain identifier (not a keyword, number or backticks)."""
    if not part or "`" in part:
        return False
    try:
        tokens, comments = tokenize(part)
    except VqlLexError:
        return False
    return not comments and len(tokens) == 2 and tokens[0].kind == IDENT and tokens[0].value == part


def renamed_parse(text: str, template: ParsedVql, old: str, new: str) -> ParsedVql | None:
    """The parse of `text` derived from `template`'s, or None when it cannot be derived exactly.

    It is derived when `text` is `template.text` with its one ``Artifact.<old>`` replaced by
    ``Artifact.<new>``, that spot is the plugin of a top-level ``SELECT`` (or ``LET x =
    SELECT``) and the only use of the name, every part of both names lexes as one identifier,
    and nothing (node or comment) starts after it on its line. The two texts then lex to the
    same tokens but for the name's parts, which the parser's plugin rule takes all alike, and
    every position is the same: the derived program is the template's with that plugin renamed.
    """
    program = template.program
    needle = ARTIFACT_CALL + old
    at = template.text.find(needle)
    if program is None or at < 0 or template.text.find(needle, at + 1) >= 0:
        return None
    if text != template.text[:at] + ARTIFACT_CALL + new + template.text[at + len(needle) :]:
        return None
    old_parts, new_parts = old.split("."), new.split(".")
    if not all(_one_identifier(p) for p in (*old_parts, *new_parts)):
        return None
    path = template.plugin_path(("Artifact", *old_parts))
    if path is None:
        return None
    statement = program.statements[path[0]]
    select = statement.value if isinstance(statement, ast.Let) else statement
    assert isinstance(select, ast.Select)
    plugin = select.plugin
    line = template.text.count("\n", 0, at) + 1
    column = at - template.text.rfind("\n", 0, at)
    if (plugin.line, plugin.column) != (line, column):
        return None
    if any(n.line == line and n.column > column for n in (*template.nodes(), *program.comments)):
        return None
    new_plugin = dataclasses.replace(plugin, parts=("Artifact", *new_parts))
    new_select = dataclasses.replace(select, plugin=new_plugin)
    replaced: dict[int, ast.Node] = {id(plugin): new_plugin, id(select): new_select}
    new_statement: ast.Statement = new_select
    if isinstance(statement, ast.Let):
        new_statement = dataclasses.replace(statement, value=new_select)
        replaced[id(statement)] = new_statement
    statements = list(program.statements)
    statements[path[0]] = new_statement
    new_program = dataclasses.replace(program, statements=tuple(statements))
    replaced[id(program)] = new_program
    return ParsedVql._derived(text, new_program, Renamed(template, old, new, line), replaced)


def parse_vql_renamed(text: str, template: str, old: str, new: str) -> ParsedVql:
    """`parse_vql(text)` for a `text` that is `template` with the artifact it calls renamed from
    `old` to `new`: derived from the template's shared parse when `renamed_parse` can, else
    parsed in full."""
    parsed = _CACHE.get(text)
    if parsed is not None:
        return parsed
    return renamed_parse(text, parse_vql(template), old, new) or ParsedVql(text)
