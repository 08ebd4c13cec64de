"""The VQL texts of real artifacts: every query, precondition and export of the corpus
(``../shared/corpus/velociraptor-sample``) and of the upstream quarantine artifacts, with their
positions in the artifact file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from .oracle import ROOT

SHARED = ROOT.parent / "shared"
CORPUS_DIR = SHARED / "corpus" / "velociraptor-sample"
UPSTREAM_DIR = SHARED / "reference" / "upstream"

_BARE_BLOCK_KEY = re.compile(r"(?m)^(\s*(?:-\s+)?(?:query|precondition):)[ \t]*$")
_LIST_ITEM_QUERY = re.compile(r"(?m)^(\s*)- ((?:SELECT|LET|//).*)$")


def sanitize(text: str) -> str:
    """The fix-ups Velociraptor's loader applies before reading the YAML (reference 2.2)."""
    text = text.replace("\r\n", "\n")
    text = _BARE_BLOCK_KEY.sub(r"\1 |", text)
    return _LIST_ITEM_QUERY.sub(lambda m: f"{m[1]}- |\n{m[1]}  {m[2]}", text)


@dataclass(frozen=True)
class VqlText:
    where: str
    text: str
    line_offset: int = 0
    column_offset: int = 0


def _block_offsets(node: yaml.Node, lines: list[str]) -> tuple[int, int] | None:
    """(line_offset, column_offset) of a literal block scalar's content in the file, or None."""
    if not isinstance(node, yaml.ScalarNode) or node.style != "|":
        return None
    first = node.start_mark.line + 1
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first >= len(lines):
        return None
    indent = len(lines[first]) - len(lines[first].lstrip(" "))
    return node.start_mark.line + 1, indent


def _mapping_items(node: yaml.Node | None) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def artifact_vql(path: Path, root: Path) -> Iterator[VqlText]:
    raw = path.read_text(encoding="utf-8")
    text = sanitize(raw)
    # Positions are only checked when the fix-ups kept every line where it was.
    same_lines = text.count("\n") == raw.replace("\r\n", "\n").count("\n")
    lines = text.split("\n")
    document = yaml.compose(text, Loader=yaml.SafeLoader)
    name = str(path.relative_to(root))

    def texts(
        mapping: dict[str, yaml.Node], keys: tuple[str, ...], label: str
    ) -> Iterator[VqlText]:
        for key in keys:
            node = mapping.get(key)
            if isinstance(node, yaml.ScalarNode) and node.value.strip():
                offsets = _block_offsets(node, lines) if same_lines else None
                if offsets is None:
                    yield VqlText(f"{name}: {label}{key}", node.value)
                else:
                    yield VqlText(f"{name}: {label}{key}", node.value, *offsets)

    top = _mapping_items(document)
    yield from texts(top, ("precondition", "export"), "")
    sources = top.get("sources")
    for index, source in enumerate(sources.value if isinstance(sources, yaml.SequenceNode) else []):
        items = _mapping_items(source)
        yield from texts(items, ("query", "precondition"), f"sources[{index}].")
        queries = items.get("queries")
        if isinstance(queries, yaml.SequenceNode):
            joined = "\n".join(
                str(q.value) for q in queries.value if isinstance(q, yaml.ScalarNode)
            )
            yield VqlText(f"{name}: sources[{index}].queries", joined)


def corpus_texts() -> list[VqlText]:
    """Every VQL text of the corpus, the upstream artifacts and golden test ([] if absent)."""
    texts: list[VqlText] = []
    for root, pattern in ((CORPUS_DIR, "*.yaml"), (UPSTREAM_DIR, "*.Remediation.*.yaml")):
        if root.is_dir():
            for path in sorted(root.rglob(pattern)):
                texts.extend(artifact_vql(path, root))
    golden = UPSTREAM_DIR / "testcase-linux-quarantine.in.yaml"
    if golden.is_file():
        for index, query in enumerate(
            yaml.safe_load(golden.read_text(encoding="utf-8"))["Queries"]
        ):
            texts.append(VqlText(f"{golden.name}: Queries[{index}]", str(query)))
    return texts
