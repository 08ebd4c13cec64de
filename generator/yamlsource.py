"""The one YAML loader: one document into plain Python data, keeping where every node came from.

Profiles, artifacts, the lint config and every other YAML input go through `load_yaml_text`.
Duplicate keys, empty files, several documents and syntax errors become diagnostics with a
location, never exceptions. Every node's position is kept under its path (a tuple of keys and
list indexes), so a later check can point at the exact line of the value it complains about.

Nodes are composed by libyaml's C parser when PyYAML has it (about ten times faster, same nodes
and positions); a syntax error is reported with the pure-Python parser's wording and position, so
a message never depends on how PyYAML was built. `load_data` is the plain loader for the few
places that need no positions; `SafeDumper`/`CSafeDumper` are the serializer's bases.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import Diagnostic, Location, Severity

_C_LOADER: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)
CSafeDumper: type[yaml.SafeDumper] | None = getattr(yaml, "CSafeDumper", None)
"""libyaml's emitter with PyYAML's safe representers, or None when PyYAML was built without it."""
SafeDumper = yaml.SafeDumper

MAX_NODES = 200_000

NodePath = tuple[str | int, ...]


_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


class _Lines:
    """Turns a PyYAML mark into the line and column an editor shows.

    PyYAML also breaks lines at a lone CR, U+0085, U+2028 and U+2029; editors and our other
    tools count only ``\n``. Marks carry a character index, so positions are recomputed from it
    when the text holds one of those characters.
    """

    def __init__(self, text: str) -> None:
        self.starts: list[int] | None = None
        if any(ch in text for ch in _OTHER_BREAKS):
            self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def at(self, mark: Mark) -> tuple[int, int]:
        if self.starts is None:
            return mark.line + 1, mark.column + 1
        line = bisect.bisect_right(self.starts, mark.index)
        return line, mark.index - self.starts[line - 1] + 1


@dataclass(frozen=True)
class Scalar:
    """What the author wrote for one scalar: its raw text, quoting style and position."""

    raw: str
    style: str | None
    """None for plain, or one of ``'`` ``"`` ``|`` ``>``."""
    tag: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass
class YamlDocument:
    """A loaded document: its data, plus positions of every value and key by path."""

    path: str
    text: str
    data: Any
    values: dict[NodePath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[NodePath, tuple[int, int]] = field(default_factory=dict)
    scalars: dict[NodePath, Scalar] = field(default_factory=dict)

    def location(self, node_path: NodePath, *, key: bool = False) -> Location:
        """The position of the value (or key) at `node_path`, or its nearest known ancestor."""
        table = self.keys if key else self.values
        probe = tuple(node_path)
        while True:
            if probe in table:
                line, col = table[probe]
                return Location(self.path, line, col)
            if key and probe in self.values:
                line, col = self.values[probe]
                return Location(self.path, line, col)
            if not probe:
                return Location(self.path, 1, 1)
            probe = probe[:-1]


@dataclass
class LoadResult:
    document: YamlDocument | None
    diagnostics: list[Diagnostic]


def _diag(
    path: str, line: int, col: int, rule: str, message: str, hint: str | None = None
) -> Diagnostic:
    if hint is None and rule == "yaml-syntax":
        hint = _SYNTAX_HINT
    # PyYAML's messages span lines; diagnostics are one `file:line:col: message` line each.
    message = " ".join(message.split())
    return Diagnostic(Location(path, line, col), rule, Severity.ERROR, message, hint)


def _problem(exc: yaml.YAMLError) -> str:
    """The error without PyYAML's quoted source excerpt (the location is reported apart)."""
    if isinstance(exc, yaml.MarkedYAMLError):
        return " ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
    return str(exc)


_SYNTAX_HINT = (
    "check indentation, quotes and brackets around this line; quote values that start "
    "with ! & * or contain ': ' or ' #'"
)


def load_data(text: str) -> Any:
    """Plain data from YAML text, without positions (libyaml when available). Raises YAMLError."""
    return yaml.load(text, Loader=_C_LOADER or yaml.SafeLoader)


def load_yaml_text(
    path: str, text: str, *, require_mapping: bool = True, fast: bool = True
) -> LoadResult:
    """Load one YAML document from `text`; `path` is only used in locations.

    ``fast=False`` composes with the pure-Python parser only (tests compare the two).
    """
    try:
        return _load(path, text, require_mapping=require_mapping, fast=fast)
    except RecursionError:
        # Only the pure-Python parser recurses without a bound (libyaml stops at depth 1000).
        return LoadResult(
            None,
            [
                _diag(
                    path,
                    1,
                    1,
                    "yaml-too-large",
                    "the document is nested too deeply to check",
                    "a profile or artifact is a few levels deep; look for runaway brackets",
                )
            ],
        )


def _load(path: str, text: str, *, require_mapping: bool, fast: bool) -> LoadResult:
    lines = _Lines(text)
    try:
        nodes = _compose(text, fast=fast)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = lines.at(mark) if mark else (1, 1)
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        if "'\\t'" in message or "tab character" in message:
            return LoadResult(None, [_tab(path, line, col)])
        return LoadResult(
            None, [_diag(path, line, col, "yaml-syntax", f"YAML syntax error: {message}")]
        )
    except yaml.YAMLError as exc:
        return LoadResult(None, [_diag(path, 1, 1, "yaml-syntax", f"YAML error: {exc}")])

    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return LoadResult(
            None,
            [
                _diag(
                    path,
                    1,
                    1,
                    "yaml-empty",
                    "the file holds no YAML document",
                    "start from `vr-quarantine init` or an example",
                )
            ],
        )
    if len(nodes) > 1:
        second_line, second_col = lines.at(nodes[1].start_mark)
        return LoadResult(
            None,
            [
                _diag(
                    path,
                    second_line,
                    second_col,
                    "yaml-multiple-documents",
                    "the file holds more than one YAML document",
                    "keep one document per file",
                )
            ],
        )
    root = nodes[0]
    if require_mapping and not isinstance(root, MappingNode):
        root_line, root_col = lines.at(root.start_mark)
        return LoadResult(
            None,
            [
                _diag(
                    path,
                    root_line,
                    root_col,
                    "yaml-not-mapping",
                    f"the document is a {_kind(root)}, not a mapping of keys to values",
                    "the top level must be `key: value` lines",
                )
            ],
        )
    builder = _Builder(path, text, lines)
    data = builder.build(root, ())
    if builder.diagnostics:
        return LoadResult(None, builder.diagnostics)
    doc = YamlDocument(path, text, data, builder.values, builder.keys, builder.scalars)
    return LoadResult(doc, [])


def _compose(text: str, *, fast: bool) -> list[Node]:
    if fast and _C_LOADER is not None:
        try:
            return list(yaml.compose_all(text, Loader=_C_LOADER))
        except yaml.YAMLError:
            pass  # reported below with the pure-Python parser's wording and position
    return list(yaml.compose_all(text, Loader=yaml.SafeLoader))


def _tab(path: str, line: int, col: int) -> Diagnostic:
    return _diag(
        path,
        line,
        col,
        "yaml-syntax",
        "a tab character where YAML expects indentation or a value: YAML indents with spaces only",
        "replace the tab with spaces (most editors convert tabs in YAML files when told to)",
    )


def _kind(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "list"
    if isinstance(node, ScalarNode):
        return "scalar value"
    return "mapping"


class _Builder:
    def __init__(self, path: str, text: str, lines: _Lines) -> None:
        self.path = path
        self.text = text
        self.lines = lines
        self.values: dict[NodePath, tuple[int, int]] = {}
        self.keys: dict[NodePath, tuple[int, int]] = {}
        self.scalars: dict[NodePath, Scalar] = {}
        self.diagnostics: list[Diagnostic] = []
        self.constructor = SafeConstructor()
        self.count = 0

    def build(self, node: Node, at: NodePath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            if not any(d.rule == "yaml-too-large" for d in self.diagnostics):
                self.diagnostics.append(
                    _diag(
                        self.path,
                        *self.lines.at(node.start_mark),
                        "yaml-too-large",
                        f"the document expands to more than {MAX_NODES} nodes",
                        "remove anchors and aliases that repeat large structures",
                    )
                )
            return None
        self.values[at] = self.lines.at(node.start_mark)
        if isinstance(node, MappingNode):
            return self._mapping(node, at)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*at, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        line, column = self.lines.at(node.start_mark)
        end_line, end_column = self.lines.at(node.end_mark)
        self.scalars[at] = Scalar(
            raw=node.value,
            style=node.style or None,  # libyaml reports plain scalars as ''
            tag=node.tag,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
        )
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self.diagnostics.append(
                _diag(
                    self.path,
                    *self.lines.at(node.start_mark),
                    "yaml-syntax",
                    f"cannot read value {node.value!r}: {_problem(exc)}",
                )
            )
            return None

    def _mapping(self, node: MappingNode, at: NodePath) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.diagnostics.append(
                    _diag(
                        self.path,
                        *self.lines.at(key_node.start_mark),
                        "yaml-syntax",
                        "a key must be a plain scalar, not a list or mapping",
                    )
                )
                continue
            key = key_node.value if key_node.style else self.constructor.construct_object(key_node)
            if not isinstance(key, str | int | float | bool) and key is not None:
                key = key_node.value
            key_line, key_column = self.lines.at(key_node.start_mark)
            if key in seen:
                self.diagnostics.append(
                    _diag(
                        self.path,
                        key_line,
                        key_column,
                        "yaml-duplicate-key",
                        f"duplicate key {key_node.value!r} (first defined on line {seen[key]})",
                        "YAML keeps only one of them; delete or rename the other",
                    )
                )
                continue
            seen[key] = key_line
            child = (*at, key if isinstance(key, str) else str(key))
            self.keys[child] = (key_line, key_column)
            out[key] = self.build(value_node, child)
        return out
