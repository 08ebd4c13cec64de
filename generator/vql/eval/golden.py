"""Velociraptor's golden test format (``bin/golden.go``), run under this evaluator.

A fixture ``X.in.yaml`` holds ``Queries`` (VQL texts run one after another in one scope, so LETs
and mocks persist) and optional ``Parameters`` (variables). The recorded ``X.out.yaml`` holds
``Query: <vql>`` / ``Output: <json rows>`` pairs. `run_golden` runs the queries with the golden
client config and compares each query's rows, as JSON data, with the recorded ones; like the real
runner, it also fails on log lines that `FATAL_LOG_PATTERNS` match.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import VrqError
from ...inputs import read_text, require_text
from ...yamlsource import load_yaml_text
from .api import Engine
from .artifacts import ArtifactSet
from .sandbox import SandboxFileSystem
from .values import go_json_dumps, to_json_value

GOLDEN_CONFIG: dict[str, Any] = {
    "server_urls": ["https://www.velociraptor.server.com:8000/"],
}
"""The client section of ``artifacts/testdata/windows/test.config.yaml`` that artifacts read."""

FATAL_LOG_PATTERNS = (
    re.compile(r"(?i)Symbol .+ not found"),
    re.compile(r"(?i)Field .+ Expecting a .+ arg type, not"),
    re.compile(r"(?i)Artifact .+ not found"),
    re.compile(r"(?i)Order by column .+ not present in row"),
    re.compile(r"PANIC runtime error:"),
    re.compile(r"Extra unrecognized arg"),
)


@dataclass(frozen=True)
class GoldenQuery:
    query: str
    expected: Any
    actual: Any

    @property
    def ok(self) -> bool:
        return bool(self.expected == self.actual)


@dataclass
class GoldenResult:
    fixture: str
    queries: list[GoldenQuery] = field(default_factory=list)
    fatal_logs: list[str] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.fatal_logs and all(q.ok for q in self.queries)

    def render(self) -> str:
        """The ``.out.yaml`` text the real runner would write for these results."""
        parts = []
        for item in self.queries:
            rows = go_json_dumps(item.actual, indent=1)
            parts.append(f"Query: {item.query}\nOutput: {rows}\n\n")
        return "".join(parts)

    def describe_failures(self) -> str:
        lines = []
        for item in self.queries:
            if not item.ok:
                lines.append(f"query: {item.query.strip()}")
                lines.append(f"  expected: {json.dumps(item.expected)}")
                lines.append(f"  actual:   {json.dumps(item.actual)}")
        lines.extend(f"fatal log: {line}" for line in self.fatal_logs)
        return "\n".join(lines)


def load_fixture(path: Path) -> dict[str, Any]:
    """A golden ``.in.yaml``, read and loaded as every input is (`generator.inputs`: regular
    files only, at most 1 MiB, UTF-8; `generator.yamlsource`: bounded, duplicate and merge keys
    refused, a mapping)."""
    got = require_text(read_text(str(path)), "golden fixture")
    loaded = load_yaml_text(got.name, got.text)
    if loaded.document is None:
        problem = loaded.diagnostics[0]
        raise VrqError(f"cannot load golden fixture: {problem.location}: {problem.message}")
    data: dict[str, Any] = loaded.document.data  # a mapping: load_yaml_text requires one
    if not isinstance(data.get("Queries"), list):
        raise VrqError(f"{path}: a golden fixture needs a `Queries` list")
    for key in ("ConfigPatches", "ConfigMerges", "Transforms"):
        if data.get(key):
            raise VrqError(f"{path}: golden fixture key {key!r} is not supported yet")
    return data


def parse_output(text: str) -> list[tuple[str, Any]]:
    """The (query, rows) pairs of a recorded ``.out.yaml``."""
    pairs: list[tuple[str, Any]] = []
    decoder = json.JSONDecoder()
    position = 0
    while True:
        start = text.find("Query: ", position)
        if start < 0:
            return pairs
        marker = text.find("\nOutput: ", start)
        if marker < 0:
            raise VrqError("golden output: a Query has no Output")
        query = text[start + len("Query: ") : marker]
        rows, end = decoder.raw_decode(text, marker + len("\nOutput: "))
        pairs.append((query, rows))
        position = end


SRC_DIR = "/src"
"""Where a golden run's fixture folder appears in its file system (the ``srcDir`` variable)."""


def run_golden(
    fixture: Path,
    artifact_files: list[Path],
    expected_output: Path | None = None,
    *,
    config: dict[str, Any] | None = None,
    src_dir: Path | None = None,
) -> GoldenResult:
    """Run `fixture` with `artifact_files` callable as ``Artifact.<name>()``.

    The run gets a temporary folder as its file system (`SandboxFileSystem`): `src_dir` (by
    default the fixture's folder) is copied to ``/src``, which ``srcDir`` names, as
    Velociraptor's ``make golden`` passes ``--env srcDir=...``; the folder is removed after.
    """
    data = load_fixture(fixture)
    artifacts = ArtifactSet()
    for path in artifact_files:
        artifacts.add_file(path)
    params = data.get("Parameters") or {}
    if not isinstance(params, dict):
        raise VrqError(f"{fixture}: `Parameters` must be a mapping")
    with tempfile.TemporaryDirectory(prefix="vrq-golden-") as folder:
        files = SandboxFileSystem(Path(folder))
        files.place(src_dir or fixture.parent, SRC_DIR)
        engine = Engine(
            config=dict(config or GOLDEN_CONFIG),
            env={"srcDir": SRC_DIR, **{str(k): v for k, v in params.items()}},
            artifacts=artifacts,
            side_effects=files,
        )
        files.log = engine.session.log
        return _run_queries(fixture, data, engine, files, expected_output)


def _run_queries(
    fixture: Path,
    data: dict[str, Any],
    engine: Engine,
    files: SandboxFileSystem,
    expected_output: Path | None,
) -> GoldenResult:
    expected: list[tuple[str, Any]] = []
    if expected_output is not None:
        expected = parse_output(require_text(read_text(str(expected_output)), "golden output").text)
    result = GoldenResult(fixture=str(fixture))
    for index, query in enumerate(data["Queries"]):
        text = str(query)
        rows = to_json_value(engine.query(text))
        files.end_query()
        wanted = expected[index][1] if index < len(expected) else None
        result.queries.append(GoldenQuery(query=text, expected=wanted, actual=rows))
    engine.finish()
    result.logs = engine.logs
    result.fatal_logs = [
        line for line in result.logs if any(p.search(line) for p in FATAL_LOG_PATTERNS)
    ]
    return result
