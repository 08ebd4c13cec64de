"""The one YAML loader: one document into plain Python data, keeping where every node came from.

Profiles, artifacts, the lint config and every other YAML input go through `load_yaml_text`.
Duplicate keys, empty files, several documents and syntax errors become diagnostics with a
location, never exceptions. Every node's position is kept under its path (a tuple of keys and
list indexes), so a later check can point at the exact line of the value it complains about.

Nodes are composed by libyaml's C parser when PyYAML has it (about ten times faster, same nodes
and positions); a syntax error is reported with the pure-Python parser's wording and position, so
a message never depends on how PyYAML was built. `load_data` is the plain loader for the few
places that need no positions; `SafeDumper`/`CSafeDumper` are the serializer's bases.

Hostile input is bounded before any of it is built into data: at most `MAX_NODES` nodes
counting every alias as the nodes it repeats (an alias bomb never expands), at most `MAX_DEPTH`
levels of nesting (aliases included), no alias to a node that contains it, and numbers of at
most `MAX_NUMBER_CHARS` characters. A text of up to `NATIVE_COMPOSE_MAX_CHARS` is composed by
libyaml and measured; a larger one by the bounded composer, which stops at the first node past
a limit. Merge keys (``<<``) are
refused with ``yaml-merge-key``: see `MERGE_KEY_HINT` for why.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.error import Mark
from yaml.events import AliasEvent, DocumentEndEvent, DocumentStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from .diagnostics import Diagnostic, Location, Severity
from .inputs import MAX_BYTES

_RESOLVE: Callable[[Resolver, type, Any, Any], Any] = Resolver.resolve
_RESOLVER = Resolver()
_REMEMBERED_MAX_CHARS = 64


@functools.lru_cache(maxsize=4096)
def _plain_tag(value: str, quoted_implicit: bool) -> Any:
    return _RESOLVE(_RESOLVER, ScalarNode, value, (True, quoted_implicit))


def _resolve_remembered(self: Resolver, kind: type, value: Any, implicit: Any) -> Any:
    """`Resolver.resolve`, its answers for short plain scalars remembered: render reads back
    thousands of artifacts in one run whose keys and short values repeat. The answer depends
    only on the value and the flags (the implicit resolvers are the class's; no path resolver
    is registered)."""
    if kind is ScalarNode and implicit[0] and len(value) <= _REMEMBERED_MAX_CHARS:
        return _plain_tag(value, implicit[1])
    return _RESOLVE(self, kind, value, implicit)


def _c_loader() -> type[yaml.SafeLoader] | None:
    """libyaml's safe loader with `_resolve_remembered`, or None when PyYAML lacks libyaml."""
    base: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)
    if base is None:
        return None
    return type("CSafeLoader", (base,), {"resolve": _resolve_remembered})


_C_LOADER = _c_loader()
CSafeDumper: type[yaml.SafeDumper] | None = getattr(yaml, "CSafeDumper", None)
"""libyaml's emitter with PyYAML's safe representers, or None when PyYAML was built without it."""
SafeDumper = yaml.SafeDumper

MAX_NODES = 200_000
"""Nodes in a document, each alias counted as the nodes it repeats. The largest artifact of
Velociraptor's sample corpus has 280; a profile has a few hundred at most."""
MAX_DEPTH = 64
"""Levels of nesting (a mapping in a list in a mapping...), aliases included. Artifacts and
profiles are at most about ten deep."""
MAX_NUMBER_CHARS = 1000
"""Characters of one integer or float. Ports, timeouts and sizes have a few digits; past this,
Python's integer conversion itself refuses (4,300 digits) or YAML's base-60 form turns slow."""

NATIVE_COMPOSE_MAX_CHARS = 128 * 1024
"""Texts up to this size are composed by libyaml in C first (fast; a real profile is a few KiB,
a rendered quarantine artifact about 100). A text of n characters composes to at most about n
nodes (``?`` lines: two per two characters), fewer than `MAX_NODES` here, so libyaml never
builds more nodes than the bounded composer would reach before its limit, and builds them
faster (the densest 128 KiB text: 0.6 s in C, 1.6 s bounded). A larger text is composed by the
bounded composer from the start, which stops at the first node past a limit: libyaml would
first build every node of a 1 MiB text (half a million of them, seconds and hundreds of MiB)
before the limits could be measured."""

TOO_LARGE_SUMMARY = (
    f"The file is over a size bound: {MAX_BYTES // (1024 * 1024)} MiB, {MAX_NODES:,} nodes, "
    f"{MAX_DEPTH} levels, numbers of {MAX_NUMBER_CHARS:,} characters (exit 2: it was not read)."
)
"""What ``--list-rules`` says of ``yaml-too-large`` for profiles and artifacts alike."""

MERGE_KEY = "tag:yaml.org,2002:merge"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
MERGE_KEY_HINT = (
    "write the keys out in full: merge keys are a YAML 1.1 extension that YAML 1.2, JSON Schema "
    "editors and reviewers do not share, and they hide which values apply"
)

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


class LimitError(yaml.MarkedYAMLError):
    """A document over one of the loader's limits, found while composing it."""

    def __init__(self, mark: Any, rule: str, message: str, hint: str) -> None:
        super().__init__(problem=message, problem_mark=mark)
        self.rule = rule
        self.hint = hint


class _BoundedComposer(Composer):
    """PyYAML's composer, counting nodes and depth as it goes and refusing alias loops.

    Every node's size (nodes below it, itself included) and height are kept by anchor, so an
    alias adds what it repeats to the count and to the depth without being expanded.
    """

    def __init__(self) -> None:
        Composer.__init__(self)
        self.node_count = 0
        self.depth = 0
        self.reach = 0
        self.open_anchors: set[str] = set()
        self.anchor_size: dict[str, tuple[int, int]] = {}

    def _grow(self, nodes: int, deepest: int, mark: Any) -> None:
        self.node_count += nodes
        if self.node_count > MAX_NODES:
            raise LimitError(
                mark,
                "yaml-too-large",
                f"the document expands to more than {MAX_NODES} nodes (the limit)",
                "remove anchors and aliases that repeat large structures",
            )
        if deepest > MAX_DEPTH:
            raise LimitError(
                mark,
                "yaml-too-large",
                f"the document nests more than {MAX_DEPTH} levels deep (the limit)",
                "a profile or artifact is a few levels deep; look for runaway brackets",
            )
        self.reach = max(self.reach, deepest)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event: Any = self.peek_event()  # type: ignore[attr-defined]
        anchor = event.anchor
        if isinstance(event, AliasEvent):
            if anchor in self.open_anchors:
                raise LimitError(
                    event.start_mark,
                    "yaml-syntax",
                    f"the alias *{anchor} repeats a node that contains it (an endless loop)",
                    "an alias may only repeat a node that is complete before it",
                )
            size, height = self.anchor_size.get(anchor, (0, 0))
            self._grow(size, self.depth + height, event.start_mark)
            return super().compose_node(parent, index)
        self.depth += 1
        self._grow(1, self.depth, event.start_mark)
        count_before, reach_before = self.node_count, self.reach
        self.reach = self.depth
        if anchor is not None:
            self.open_anchors.add(anchor)
        node = super().compose_node(parent, index)
        if anchor is not None:
            self.open_anchors.discard(anchor)
            self.anchor_size[anchor] = (
                self.node_count - count_before + 1,
                self.reach - self.depth + 1,
            )
        self.reach = max(self.reach, reach_before)
        self.depth -= 1
        return node


class _PureComposer(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    _BoundedComposer,
    Resolver,
):
    """The pure-Python parser under the bounded composer."""

    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _BoundedComposer.__init__(self)
        Resolver.__init__(self)


def _c_composer() -> Callable[[str], _BoundedComposer] | None:
    """libyaml's C parser (its events only) under the bounded composer, when PyYAML has it."""
    c_parser: type | None = getattr(getattr(yaml, "_yaml", None), "CParser", None)
    if c_parser is None:
        return None

    class CComposer(_BoundedComposer, c_parser, Resolver):  # type: ignore[misc,valid-type]
        def __init__(self, text: str) -> None:
            c_parser.__init__(self, text)  # type: ignore[misc]
            _BoundedComposer.__init__(self)
            Resolver.__init__(self)

    return CComposer


_C_COMPOSER = _c_composer()


class Scalar(NamedTuple):
    """What the author wrote for one scalar: its raw text, quoting style and position."""

    raw: str
    style: str | None
    """None for plain, or one of ``'`` ``"`` ``|`` ``>``."""
    tag: str
    line: int
    column: int
    end_line: int
    end_column: int


_Placed = tuple["NodePath", Node, "Node | None"]
"""A node, the path of its value and its key's node (None for the root and list items)."""


class YamlDocument:
    """A loaded document: its data, plus positions of every value and key by path.

    The positions are worked out on first use from the nodes the loader kept: most documents
    (a rendered artifact, a valid profile's values) never need most of them.
    """

    def __init__(self, path: str, text: str, data: Any, placed: list[_Placed], lines: _Lines):
        self.path = path
        self.text = text
        self.data = data
        self._placed = placed
        self._lines = lines
        self._values: dict[NodePath, tuple[int, int]] | None = None
        self._keys: dict[NodePath, tuple[int, int]] = {}
        self._scalars: dict[NodePath, Scalar] = {}

    def _place(self) -> dict[NodePath, tuple[int, int]]:
        if self._values is None:
            at = self._lines.at
            values: dict[NodePath, tuple[int, int]] = {}
            for path, node, key_node in self._placed:
                values[path] = at(node.start_mark)
                if key_node is not None:
                    self._keys[path] = at(key_node.start_mark)
                if isinstance(node, ScalarNode):
                    line, column = values[path]
                    end_line, end_column = at(node.end_mark)
                    self._scalars[path] = Scalar(
                        node.value,
                        node.style or None,  # libyaml reports plain scalars as ''
                        node.tag,
                        line,
                        column,
                        end_line,
                        end_column,
                    )
            self._values = values
        return self._values

    def scalar_texts(self) -> Iterator[tuple[NodePath, str, str | None, str]]:
        """(path, raw text, style, tag) of every scalar value, as `scalars` holds them, without
        working out positions."""
        found: dict[NodePath, tuple[str, str | None, str]] = {}
        for path, node, _ in self._placed:
            if isinstance(node, ScalarNode):
                found[path] = (node.value, node.style or None, node.tag)
            else:
                found.pop(path, None)
        for path, (raw, style, tag) in found.items():
            yield path, raw, style, tag

    @property
    def values(self) -> dict[NodePath, tuple[int, int]]:
        return self._place()

    @property
    def keys(self) -> dict[NodePath, tuple[int, int]]:
        self._place()
        return self._keys

    @property
    def scalars(self) -> dict[NodePath, Scalar]:
        self._place()
        return self._scalars

    def location(self, node_path: NodePath, *, key: bool = False) -> Location:
        """The position of the value (or key) at `node_path`, or its nearest known ancestor."""
        values = self._place()
        table = self._keys if key else values
        probe = tuple(node_path)
        while True:
            if probe in table:
                line, col = table[probe]
                return Location(self.path, line, col)
            if key and probe in values:
                line, col = values[probe]
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
    path: str,
    text: str,
    *,
    require_mapping: bool = True,
    fast: bool = True,
    shared_tail: str | None = None,
) -> LoadResult:
    """Load one YAML document from `text`; `path` is only used in locations.

    ``fast=False`` composes with the pure-Python parser only (tests compare the two).
    `shared_tail`: a top-level key whose block, when it is the last one and many texts share
    it, is composed once per distinct block (`split_root`); the result is the same.
    """
    lines = _Lines(text)
    try:
        split = split_root(text, shared_tail) if shared_tail is not None and fast else None
        nodes = _Unmeasured([split]) if split is not None else _compose(text, fast=fast)
        if isinstance(nodes, _Unmeasured):
            # The usual case: one mapping composed by libyaml, measured as it is built.
            builder = _Builder(path, text, lines, unmeasured=nodes)
            try:
                return builder.result(builder.build(nodes[0], ()))
            except _OverLimit:
                nodes = _measured(text, fast=fast, native=nodes)  # which reports the limit
    except LimitError as exc:
        line, col = lines.at(exc.problem_mark) if exc.problem_mark else (1, 1)
        return LoadResult(None, [_diag(path, line, col, exc.rule, exc.problem or "", exc.hint)])
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
    return builder.result(builder.build(root, ()))


def _native_roots(text: str) -> list[Node] | None:
    """libyaml's root nodes (not yet measured) for a text short enough to compose in C, or None
    (no libyaml, a longer text, or a text libyaml refuses)."""
    if _C_LOADER is None or len(text) > NATIVE_COMPOSE_MAX_CHARS:
        return None
    try:
        return _roots(_C_LOADER(text))
    except yaml.YAMLError:
        return None


SHARED_TAILS_KEPT = 32
"""Distinct tails (`split_root`) kept composed, the most recently used first."""


class _Tail(NamedTuple):
    key: str
    text: str
    composed: tuple[ScalarNode, Node, Mark] | None
    """The key node, the value node and the end of the tail's mapping; None: not to be split."""


_TAILS: list[_Tail] = []
_MARKER_LINE = re.compile(r"\n(?:---|\.\.\.|%)")
_MARKERS = ("---", "...", "%")
_NOT_COUNTED_AS_LF = (*_OTHER_BREAKS, "\ufeff")


def split_root(text: str, key: str) -> MappingNode | None:
    """The root of `text` composed as a head, composed now, and a tail (from the first line
    that starts with ``key:`` to the end: a rendered artifact's `sources:` block, the same for
    every profile with the same switches) composed once per distinct tail and kept (the
    `SHARED_TAILS_KEPT` most recently used); or None when any condition below fails (then
    the caller composes the whole text).

    Claim: the result is the node libyaml composes for the whole text (same tags, values,
    styles, start and end marks; the root ends where the tail's mapping ends). Conditions
    (section numbers: YAML 1.1, 2005-01-18, which libyaml implements):

    1. libyaml composes `text` here (it is at most `NATIVE_COMPOSE_MAX_CHARS`).
    2. The head ends with a line break (it does: the cut is after one) and holds no line that
       starts with ``---``, ``...`` or ``%`` (document markers, directives; YAML 1.1 §7.1,
       §7.2), no CR, NEL, LS, PS or BOM (so libyaml's line count of the head is its count of
       LF, and its character index is Python's).
    3. The head alone composes, completely, to exactly one block mapping whose first key is
       at column 0, and no key of it is a scalar `key` (a duplicate key in the whole text
       must still be refused, and it is refused when the builder sees the whole root).
    4. The tail alone composes to exactly one block mapping whose only entry is the plain
       scalar `key` at the tail's first character, with no anchor, alias, explicit tag,
       directive or document marker (no event carries one) and no BOM.

    Why the whole text then composes to the same nodes: a head that libyaml read to its end
    without error has no quoted scalar and no flow collection open at its end (either would be
    "found unexpected end of stream"), and is one implicit document (2). What can still be open
    at its end is a block collection, a plain scalar that could take continuation lines, or a
    block scalar. The tail starts at column 0 with a non-space character. A plain scalar in
    block context continues only on lines indented more than the block it is in (§9.1.3: in a
    mapping at indentation n, at least n+1 spaces; here n = 0, libyaml's scan_plain_scalar stops
    at a column below indent+1); block scalar content is indented at least n+1 (§9.2, §9.3;
    libyaml's scan_block_scalar takes at least indent+1), so a non-empty line at column 0 ends
    both (any blank lines before it are read the same, as the head's last lines, in both texts:
    the cut is where the next line begins); every block collection indented more than 0 ends
    there too (§6.1, §10.2: its entries are more indented), which is libyaml's
    unroll_indent(column 0), the same BLOCK-END tokens at the same mark as at the head's end
    (the head ends with a line break, so its end is at column 0 and libyaml's end of stream does
    not move the mark to a new line). The root mapping stays open (its indentation is 0,
    condition 3) and the tail's first line is its next key (§10.2.2): the token stream of the
    whole text is the head's without its last BLOCK-END and STREAM-END, then the tail's without
    its STREAM-START and BLOCK-MAPPING-START, at marks shifted by the head's length and line
    count. The scanner state at the cut is the same in both cases (flow level 0, indentation 0
    on top of the stream's, no pending simple key across a line), so the tail's tokens are the
    same. The tail refers to nothing in the head: it has no alias (4), and tags resolve the same
    without %TAG directives (2, 4). The root's entries are the head's then the tail's one;
    duplicate keys within the head or across (3) are the builder's to refuse, as for the whole
    text.

    tests/test_yaml_split.py composes every rendered artifact of the example and default
    profiles and of hostile profiles both ways and compares every node and mark.
    """
    if _C_LOADER is None or len(text) > NATIVE_COMPOSE_MAX_CHARS:
        return None
    cut = text.find(f"\n{key}:") + 1
    if cut == 0:
        return None
    head = text[:cut]
    if (
        any(ch in head for ch in _NOT_COUNTED_AS_LF)
        or head.startswith(_MARKERS)
        or _MARKER_LINE.search(head)
    ):
        return None
    tail = _tail(text, cut, key)
    if tail is None:
        return None
    root = _block_mapping(head)
    if root is None or root.start_mark.column != 0:
        return None
    if any(isinstance(k, ScalarNode) and k.value == key for k, _ in root.value):
        return None
    key_node, value_node, end = tail
    shift = _Shift(cut, head.count("\n"))
    return MappingNode(
        root.tag,
        [*root.value, (shift.node(key_node), shift.node(value_node))],
        root.start_mark,
        shift.mark(end),
        root.flow_style,
    )


def _block_mapping(text: str) -> MappingNode | None:
    """The one root libyaml composes for `text` when it is a block mapping, else None."""
    assert _C_LOADER is not None
    try:
        roots = _roots(_C_LOADER(text))
    except yaml.YAMLError:
        return None
    root = roots[0] if len(roots) == 1 else None
    return root if isinstance(root, MappingNode) and not root.flow_style else None


def _tail(text: str, cut: int, key: str) -> tuple[ScalarNode, Node, Mark] | None:
    """What `_composed_tail` gives for ``text[cut:]``, composed once per distinct tail."""
    size = len(text) - cut
    for at, kept in enumerate(_TAILS):
        if kept.key == key and len(kept.text) == size and text.startswith(kept.text, cut):
            if at:
                _TAILS.insert(0, _TAILS.pop(at))
            return kept.composed
    tail = text[cut:]
    _TAILS.insert(0, _Tail(key, tail, _composed_tail(tail, key)))
    del _TAILS[SHARED_TAILS_KEPT:]
    return _TAILS[0].composed


def _composed_tail(tail: str, key: str) -> tuple[ScalarNode, Node, Mark] | None:
    assert _C_LOADER is not None
    if "\ufeff" in tail or _MARKER_LINE.search(tail):  # (it starts with `key`)
        return None
    try:
        for event in yaml.parse(tail, Loader=_C_LOADER):
            if isinstance(event, AliasEvent):
                return None
            if getattr(event, "anchor", None) is not None or getattr(event, "tag", None):
                return None
            if isinstance(event, DocumentStartEvent | DocumentEndEvent) and event.explicit:
                return None
            if isinstance(event, DocumentStartEvent) and (event.version or event.tags):
                return None
    except yaml.YAMLError:
        return None
    root = _block_mapping(tail)
    if root is None or len(root.value) != 1:
        return None
    key_node, value_node = root.value[0]
    if (
        not isinstance(key_node, ScalarNode)
        or key_node.value != key
        or key_node.style
        or key_node.tag != _STR_TAG
        or key_node.start_mark.index != 0
    ):
        return None
    return key_node, value_node, root.end_mark


class _Shift:
    """Copies of a tail's nodes with marks moved to where the tail starts in the whole text
    (the tail starts at column 0, so columns stay)."""

    def __init__(self, index: int, lines: int) -> None:
        self.index = index
        self.lines = lines

    def mark(self, mark: Mark) -> Mark:
        return type(mark)(  # libyaml's own Mark class: the same as the whole text's
            mark.name,
            mark.index + self.index,
            mark.line + self.lines,
            mark.column,
            mark.buffer,
            mark.pointer,
        )

    def node(self, node: Node) -> Node:
        start, end = self.mark(node.start_mark), self.mark(node.end_mark)
        if isinstance(node, ScalarNode):
            return ScalarNode(node.tag, node.value, start, end, node.style)
        if isinstance(node, SequenceNode):
            items = [self.node(item) for item in node.value]
            return SequenceNode(node.tag, items, start, end, node.flow_style)
        assert isinstance(node, MappingNode)
        pairs = [(self.node(k), self.node(v)) for k, v in node.value]
        return MappingNode(node.tag, pairs, start, end, node.flow_style)


class _Unmeasured(list[Node]):
    """The one root, a mapping, that libyaml composed: not yet measured (`_Builder` does)."""


def _compose(text: str, *, fast: bool) -> list[Node]:
    """The root nodes of the first two documents (a second one is refused by the caller); a lone
    mapping composed by libyaml comes back `_Unmeasured`, the others within the limits."""
    native = _native_roots(text) if fast else None
    if native is not None and len(native) == 1 and isinstance(native[0], MappingNode):
        return _Unmeasured(native)
    return _measured(text, fast=fast, native=native)


def _measured(text: str, *, fast: bool, native: list[Node] | None) -> list[Node]:
    """The root nodes, within the limits (`native`: libyaml's, if it composed the text).

    A document libyaml refuses is refused whatever parser reports it: with the pure-Python
    parser's wording and position when it refuses it too, else with libyaml's (the pure-Python
    parser lets through escapes outside Unicode, such as a lone surrogate ``"\\ud800"``, which
    libyaml and Velociraptor's Go YAML library both refuse).
    """
    # libyaml composes in C (`native`: aliases become shared nodes, so this is linear in the
    # text); the limits are then measured on the nodes. A document over a limit, or one libyaml
    # refuses, is composed again below, where the limit or the error is reported.
    if native is not None and _within_limits(native):
        return native
    if fast and _C_COMPOSER is not None:
        try:
            return _roots(_C_COMPOSER(text))
        except LimitError:
            raise
        except yaml.YAMLError as refused:
            try:
                _roots(_PureComposer(text))
            except yaml.YAMLError:
                raise
            except ValueError:
                pass
            raise refused from None
    try:
        return _roots(_PureComposer(text))
    except ValueError as exc:  # the pure-Python scanner's chr() on an escape past U+10FFFF
        raise yaml.YAMLError(f"found invalid Unicode character escape code ({exc})") from None


def _within_limits(roots: list[Node]) -> bool:
    """What `_BoundedComposer` enforces, measured on composed nodes: at most `MAX_NODES` nodes
    and `MAX_DEPTH` levels with every alias counted as what it repeats, and no node inside
    itself. Each shared node is measured once."""
    measured: dict[int, tuple[int, int]] = {}
    total = 0
    for root in roots:
        found = _measure(root, 1, measured, set())
        if found is None:
            return False
        total += found[0]
    return total <= MAX_NODES


def _measure(
    node: Node, depth: int, measured: dict[int, tuple[int, int]], open_nodes: set[int]
) -> tuple[int, int] | None:
    """(nodes, levels) at and below `node`, which sits at level `depth`; None: over a limit."""
    known = measured.get(id(node))
    if known is None:
        if depth > MAX_DEPTH or id(node) in open_nodes:
            return None
        size, height = 1, 1
        if isinstance(node, SequenceNode | MappingNode):
            open_nodes.add(id(node))
            children = (
                node.value
                if isinstance(node, SequenceNode)
                else [n for pair in node.value for n in pair]
            )
            for child in children:
                found = _measure(child, depth + 1, measured, open_nodes)
                if found is None:
                    return None
                size += found[0]
                height = max(height, found[1] + 1)
                if size > MAX_NODES:
                    return None
            open_nodes.discard(id(node))
        known = measured[id(node)] = (size, height)
    return None if depth + known[1] - 1 > MAX_DEPTH else known


def _roots(composer: Any) -> list[Node]:
    roots: list[Node] = []
    while len(roots) < 2 and composer.check_node():
        root = composer.get_node()
        if root is not None:
            roots.append(root)
    return roots


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


_STR_TAG = "tag:yaml.org,2002:str"


_SKIPPED = object()
"""A mapping entry whose key is refused (its value is not built)."""


class _OverLimit(Exception):
    """The nodes being built go past a limit: `_within_limits` and the composers report it."""


class _Builder:
    """Builds the data and the position table from composed nodes.

    With `unmeasured` (libyaml's roots, not yet measured), it also enforces what
    `_within_limits` would, as it goes: every node it visits is counted (an alias is visited as
    often as it is used, as `_measure` counts it) and its depth checked; the first node seen a
    second time (an alias: possibly a bomb or a loop) or a value it skips (a refused key's)
    has the whole document measured first. Past a limit it raises `_OverLimit`.
    """

    def __init__(
        self, path: str, text: str, lines: _Lines, unmeasured: list[Node] | None = None
    ) -> None:
        self.path = path
        self.text = text
        self.lines = lines
        self.placed: list[_Placed] = []
        self.diagnostics: list[Diagnostic] = []
        self.constructor = SafeConstructor()
        self.roots = unmeasured
        self.count = 0
        self.seen: set[int] = set()

    def result(self, data: Any) -> LoadResult:
        if self.diagnostics:
            return LoadResult(None, self.diagnostics)
        return LoadResult(YamlDocument(self.path, self.text, data, self.placed, self.lines), [])

    def _measure_all(self) -> None:
        """From here on the document is known to be within the limits, or `_OverLimit`."""
        if self.roots is not None:
            if not _within_limits(self.roots):
                raise _OverLimit
            self.roots = None

    def build(self, node: Node, at: NodePath, key_node: Node | None = None) -> Any:
        self.placed.append((at, node, key_node))
        if self.roots is not None:
            self.count += 1
            if self.count > MAX_NODES or len(at) >= MAX_DEPTH:
                raise _OverLimit
        if isinstance(node, MappingNode):
            self._first_visit(node)
            return self._mapping(node, at)
        if isinstance(node, SequenceNode):
            self._first_visit(node)
            return [self.build(item, (*at, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self._scalar(node)

    def _first_visit(self, node: Node) -> None:
        if self.roots is not None:
            if id(node) in self.seen:
                self._measure_all()
            self.seen.add(id(node))

    def _scalar(self, node: ScalarNode) -> Any:
        """The value of a scalar, or None with a diagnostic when it cannot be read."""
        if self._lone_surrogate(node):
            return None
        if node.tag == _STR_TAG:
            return node.value  # what the constructor would return, without its bookkeeping
        if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
            self.diagnostics.append(
                _diag(
                    self.path,
                    *self.lines.at(node.start_mark),
                    "yaml-too-large",
                    f"a number written with {len(node.value)} characters; the limit is "
                    f"{MAX_NUMBER_CHARS}",
                    "quote it if it is meant as text",
                )
            )
            return None
        try:
            value = self.constructor.construct_object(node, deep=True)
        except Exception as exc:  # PyYAML's constructors raise many kinds on odd tags
            what = f"cannot read value {node.value[:80]!r} as {node.tag.rsplit(':', 1)[-1]}"
            if isinstance(exc, yaml.YAMLError):
                what = f"cannot read value {node.value[:80]!r}: {_problem(exc)}"
            self.diagnostics.append(
                _diag(self.path, *self.lines.at(node.start_mark), "yaml-syntax", what)
            )
            return None
        return value

    def _lone_surrogate(self, node: ScalarNode) -> bool:
        """A ``"\\ud800"`` escape: only the pure-Python parser lets one through (libyaml and
        Velociraptor's Go YAML library refuse it), so it is refused here in libyaml's words."""
        if node.value.isascii() or not _LONE_SURROGATE.search(node.value):
            return False
        self.diagnostics.append(
            _diag(
                self.path,
                *self.lines.at(node.start_mark),
                "yaml-syntax",
                "YAML syntax error: while parsing a quoted scalar found invalid Unicode "
                "character escape code",
            )
        )
        return True

    def _mapping(self, node: MappingNode, at: NodePath) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        seen: dict[Any, Node] = {}
        for key_node, value_node in node.value:
            if self.roots is not None:
                self.count += 1  # the key; the value counts itself when it is built
            key = self._key(key_node, seen)
            if key is _SKIPPED:
                self._measure_all()  # the value is not built, so not counted as it is built
                continue
            seen[key] = key_node
            child = (*at, key if isinstance(key, str) else str(key))
            out[key] = self.build(value_node, child, key_node)
        return out

    def _key(self, key_node: Node, seen: dict[Any, Node]) -> Any:
        """The key of a mapping entry, or `_SKIPPED` with a diagnostic."""
        if not isinstance(key_node, ScalarNode):
            self._refuse(
                key_node, "yaml-syntax", "a key must be a plain scalar, not a list or mapping"
            )
            return _SKIPPED
        if key_node.tag == MERGE_KEY:
            self._refuse(
                key_node, "yaml-merge-key", "merge keys (<<) are not supported", MERGE_KEY_HINT
            )
            return _SKIPPED
        if key_node.style and self._lone_surrogate(key_node):
            return _SKIPPED
        key = key_node.value if key_node.style else self._scalar(key_node)
        if not isinstance(key, str | int | float | bool) and key is not None:
            key = key_node.value
        if key in seen:
            first_line = self.lines.at(seen[key].start_mark)[0]
            self._refuse(
                key_node,
                "yaml-duplicate-key",
                f"duplicate key {key_node.value!r} (first defined on line {first_line})",
                "YAML keeps only one of them; delete or rename the other",
            )
            return _SKIPPED
        return key

    def _refuse(self, key_node: Node, rule: str, message: str, hint: str | None = None) -> None:
        line, column = self.lines.at(key_node.start_mark)
        self.diagnostics.append(_diag(self.path, line, column, rule, message, hint))
