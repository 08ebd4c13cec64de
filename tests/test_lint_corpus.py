"""The linter against real artifacts: Velociraptor's own (no error), and mutations of them (caught).

Reads ``../shared/corpus/velociraptor-sample`` and ``../shared/reference/upstream`` when present;
the mutations are made in memory and are deterministic (sorted files, fixed strides).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from vr_quarantine.artifact import ArtifactFile, VqlSection, load_artifact
from vr_quarantine.diagnostics import Diagnostic, Severity
from vr_quarantine.lint import lint_paths, lint_text
from vr_quarantine.vql import ast
from vr_quarantine.vql.catalog import load_catalog
from vr_quarantine.vql.lexer import EOF, tokenize

ROOT = Path(__file__).resolve().parent.parent

# What Velociraptor itself warns about (verifier warnings, or run-time WARN lines).
VELOCIRAPTOR_WARNINGS = {
    "required_permissions",
    "symbol_mask_warn",
    "materialized-with-params",
    "let-masks-builtin",
}
MUTANTS_PER_KIND = 6


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(corpus_dir.rglob("*.yaml"))


# ------------------------------------------------------------------ truth


@pytest.mark.slow
def test_corpus_parses_and_lints_without_error(corpus_dir: Path) -> None:
    files = corpus_files(corpus_dir)
    assert len(files) >= 100
    sections = 0
    for path in files:
        artifact = load_artifact(str(path), path.read_text(encoding="utf-8"))
        assert artifact.document is not None, path
        for section in artifact.sections:
            assert section.error is None, f"{path}: {section.label}: {section.error}"
            sections += 1
    assert sections >= 200
    results = lint_paths([str(corpus_dir)])
    assert len(results.files) == len(files)
    errors = [
        str(d.location) + " " + d.message
        for d in results.diagnostics
        if d.severity is Severity.ERROR
    ]
    assert errors == []
    warnings = {d.rule for d in results.diagnostics if d.severity is Severity.WARNING}
    assert warnings <= VELOCIRAPTOR_WARNINGS


def test_upstream_quarantine_artifacts_lint_without_error(reference_dir: Path) -> None:
    artifacts = sorted((reference_dir / "upstream").glob("*Quarantine*.yaml"))
    assert artifacts
    results = lint_paths([str(p) for p in artifacts])
    assert [d for d in results.diagnostics if d.severity is Severity.ERROR] == []


def test_rendered_artifacts_lint_clean() -> None:
    rendered = sorted((ROOT / "artifacts").glob("*.yaml"))
    if not rendered:
        pytest.skip("no rendered artifacts in artifacts/ yet")
    results = lint_paths([str(p) for p in rendered])
    assert [f"{d.location}: {d.message} [{d.rule}]" for d in results.diagnostics] == []


# ------------------------------------------------------------------ mutations


@dataclass(frozen=True)
class Mutant:
    text: str
    rule: str
    lines: range
    column: int | None = None


def _offset(text: str, line: int, column: int) -> int:
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    return starts[line - 1] + column - 1


def _literal_queries(artifact: ArtifactFile) -> Iterator[VqlSection]:
    assert artifact.document is not None
    for section in artifact.sections:
        scalar = artifact.document.scalars.get(section.node_path)
        if section.kind == "query" and section.program and scalar and scalar.style == "|":
            yield section


def _file_pos(section: VqlSection, line: int, column: int) -> tuple[int, int]:
    return section.map(line, column)


def delete_closing_bracket(path: str, text: str, artifact: ArtifactFile) -> Mutant | None:
    for section in _literal_queries(artifact):
        tokens, _ = tokenize(section.text)
        closers = [i for i, t in enumerate(tokens) if t.value == ")"]
        if not closers:
            continue
        index = closers[-1]
        line, col = _file_pos(section, tokens[index].line, tokens[index].column)
        following = tokens[index + 1]
        next_line = _file_pos(section, following.line, following.column)[0]
        if following.kind == EOF:
            next_line = _file_pos(section, section.text.count("\n") + 1, 1)[0]
        at = _offset(text, line, col)
        assert text[at] == ")"
        return Mutant(text[:at] + text[at + 1 :], "vql-syntax", range(line, next_line + 1))
    return None


def add_semicolon(path: str, text: str, artifact: ArtifactFile) -> Mutant | None:
    for section in _literal_queries(artifact):
        tokens, _ = tokenize(section.text)
        last = tokens[-2]
        end = (last.line, last.column + len(last.value))
        if "\n" in last.value:
            continue
        line, col = _file_pos(section, *end)
        at = _offset(text, line, col)
        return Mutant(text[:at] + ";" + text[at:], "vql-syntax", range(line, line + 1), col)
    return None


def write_x_minus_1(path: str, text: str, artifact: ArtifactFile) -> Mutant | None:
    for section in _literal_queries(artifact):
        assert section.program is not None
        last = section.program.statements[-1]
        if not isinstance(last, ast.Select) or last.explain:
            continue
        line, col = _file_pos(section, last.line, last.column)
        at = _offset(text, line, col)
        if text[at : at + 6].upper() != "SELECT":
            continue
        at += 6
        mutated = text[:at] + " x-1 AS Mutant," + text[at:]
        return Mutant(mutated, "vql-syntax", range(line, line + 1), col + 8)
    return None


def _calls(section: VqlSection) -> Iterator[ast.Call | ast.Plugin]:
    from vr_quarantine.vql import walk

    assert section.program is not None
    for node in walk(section.program):
        if isinstance(node, ast.Call | ast.Plugin) and node.args is not None:
            yield node


def misspell_function(path: str, text: str, artifact: ArtifactFile) -> Mutant | None:
    catalog = load_catalog()
    if artifact.data.get("imports"):
        return None
    for section in _literal_queries(artifact):
        for node in _calls(section):
            if not isinstance(node, ast.Call) or node.name not in catalog.functions:
                continue
            wrong = node.name + node.name[-1]
            if wrong in catalog.functions or len(node.parts) != 1 or node.negated:
                continue
            line, col = _file_pos(section, node.line, node.column)
            at = _offset(text, line, col)
            if text[at : at + len(node.name)] != node.name:
                continue
            mutated = text[:at] + wrong + text[at + len(node.name) :]
            return Mutant(mutated, "unknown_plugin", range(line, line + 1), col)
    return None


def drop_required_argument(path: str, text: str, artifact: ArtifactFile) -> Mutant | None:
    catalog = load_catalog()
    for section in _literal_queries(artifact):
        for node in _calls(section):
            table = catalog.plugins if isinstance(node, ast.Plugin) else catalog.functions
            spec = table.get(node.name)
            args = node.args or ()
            if spec is None or any(a.name == "**" for a in args):
                continue
            for index, arg in enumerate(args[:-1]):
                if not spec.args.get(arg.name) or not spec.args[arg.name].required:
                    continue
                start = _offset(text, *_file_pos(section, arg.line, arg.column))
                end = _offset(
                    text, *_file_pos(section, args[index + 1].line, args[index + 1].column)
                )
                if not text[start:].startswith(arg.name) or end <= start:
                    continue
                line, col = _file_pos(section, node.line, node.column)
                return Mutant(
                    text[:start] + text[end:], "required_arg_missing", range(line, line + 1), col
                )
    return None


MUTATIONS: dict[str, Callable[[str, str, ArtifactFile], Mutant | None]] = {
    "delete a closing bracket": delete_closing_bracket,
    "add a semicolon": add_semicolon,
    "write x-1": write_x_minus_1,
    "misspell a known function": misspell_function,
    "drop a required argument": drop_required_argument,
}


def _errors(diagnostics: list[Diagnostic], rule: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.rule == rule and d.severity is Severity.ERROR]


@pytest.mark.parametrize("kind", list(MUTATIONS))
def test_mutations_are_caught_at_the_right_line(corpus_dir: Path, kind: str) -> None:
    mutate = MUTATIONS[kind]
    applied = 0
    files = corpus_files(corpus_dir)
    # A fixed stride through the sorted files spreads the mutants over the corpus.
    order = [files[(i * 7) % len(files)] for i in range(len(files))]
    for path in order:
        text = path.read_text(encoding="utf-8")
        artifact = load_artifact(str(path), text)
        if artifact.document is None:
            continue
        mutant = mutate(str(path), text, artifact)
        if mutant is None:
            continue
        diagnostics = lint_text(str(path), mutant.text)
        hits = _errors(diagnostics, mutant.rule)
        where = [(d.location.line, d.location.column) for d in hits]
        assert hits, f"{kind} in {path} not reported: {diagnostics}"
        assert any(d.location.line in mutant.lines for d in hits), (path, where, mutant.lines)
        if mutant.column is not None:
            assert any(
                d.location.line in mutant.lines and d.location.column == mutant.column for d in hits
            ), (path, where, mutant.column)
        applied += 1
        if applied == MUTANTS_PER_KIND:
            break
    assert applied == MUTANTS_PER_KIND
