"""The diagnostic type shared by `validate` and `lint`, and the results object that collects them.

A diagnostic is data: a location, a stable rule id, a severity, a message and an optional hint.
The results also carry the metadata of the rules that produced them (`RuleInfo`), so every
reporter (text, json, sarif, github) reads only the results, never a checker's own tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import ModuleType
from typing import Any, TypeVar


class Severity(StrEnum):
    """How bad a finding is. Ordered: info < warning < error."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.lower())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of {names})") from None


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file. Lines and columns are 1-based; 0 means unknown."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{max(self.column, 1)}"


@dataclass(frozen=True)
class Diagnostic:
    """One finding: where, which rule, how bad, what, and how to fix it."""

    location: Location
    rule: str
    severity: Severity
    message: str
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, -self.severity.rank, self.rule, self.message)

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.location.path,
            "line": self.location.line,
            "column": self.location.column,
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
        }


R = TypeVar("R", bound="DocumentedRule")


@dataclass(frozen=True)
class RuleInfo:
    """What a reporter may say about a rule: its default level and its documentation."""

    id: str
    severity: Severity
    summary: str
    """One line."""
    doc: str = ""
    """The rule's full documentation (the summary when empty)."""


@dataclass(frozen=True)
class DocumentedRule:
    """A rule as its module declares it (``ID``, ``SEVERITY``, ``OPTIONS``, ``ALSO``, its
    docstring), read the same way for lint's rules and the profile checks."""

    id: str
    severity: Severity
    options: Mapping[str, Any]
    doc: str
    also: tuple[str, ...]
    """Further ids the module reports under (e.g. the YAML loader's own ids)."""
    summaries: Mapping[str, str]
    """A one-line summary of its own for an id (``SUMMARIES``), where the module's first
    docstring line would say too little (the loader's ids: each a different problem)."""

    @staticmethod
    def declared(module: ModuleType) -> dict[str, Any]:
        return {
            "id": module.ID,
            "severity": module.SEVERITY,
            "options": dict(getattr(module, "OPTIONS", {})),
            "doc": module.__doc__ or module.ID,
            "also": tuple(getattr(module, "ALSO", ())),
            "summaries": dict(getattr(module, "SUMMARIES", {})),
        }

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0]

    def infos(self) -> list[RuleInfo]:
        """What reporters say about this rule, under its id and each of its `also` ids."""
        doc = self.doc.strip()
        return [
            RuleInfo(i, self.severity, self.summaries.get(i, self.summary), doc)
            for i in (self.id, *self.also)
        ]


class RuleSet(Mapping[str, R]):
    """A command's rules: `rules` in listing order, each found by its id or any of its `also`
    ids (the mapping), and `infos`, what reporters and ``--list-rules`` say of every id."""

    def __init__(self, rules: Iterable[R]) -> None:
        self.rules: tuple[R, ...] = tuple(rules)
        self._by_id = {alias: rule for rule in self.rules for alias in (rule.id, *rule.also)}
        self.infos: list[RuleInfo] = [info for rule in self.rules for info in rule.infos()]

    def __getitem__(self, rule_id: str) -> R:
        return self._by_id[rule_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def canonical_id(self, name: str) -> str | None:
        """The id for `name`, accepting ``-`` and ``_`` interchangeably; None if unknown."""
        for candidate in (name, name.replace("-", "_"), name.replace("_", "-")):
            if candidate in self._by_id:
                return candidate
        return None


IO_ERROR = "io-error"
"""The rule id of a path that cannot be read: the run reports every file, then exits 2."""
IO_ERROR_RULE = RuleInfo(
    IO_ERROR,
    Severity.ERROR,
    "The file or folder cannot be read.",
    "A path that does not exist, a folder without *.yaml or *.yml files, or a file that is not "
    "a regular file or cannot be read. Every other file is still checked; the run exits 2.",
)


UNREADABLE = frozenset({IO_ERROR, "yaml-encoding", "yaml-too-large"})
"""The rule ids of a file that was not read as text at all: missing, not a regular file (a
folder, a FIFO), unreadable, not UTF-8, or over the size limits. Every command exits 2 on one
(usage/I/O), after reporting every file; what a read file says is a finding (exit 1)."""


@dataclass
class Results:
    """Every diagnostic of one run, over every file, plus the files that were checked and the
    rules that may report (in the order a reporter lists them)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    rules: dict[str, RuleInfo] = field(default_factory=dict)

    def extend(self, items: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(items)

    def describe(self, rules: Iterable[RuleInfo]) -> None:
        """Add the metadata of rules that may report into these results."""
        for rule in rules:
            self.rules.setdefault(rule.id, rule)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=Diagnostic.sort_key)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    def worst(self) -> Severity | None:
        if not self.diagnostics:
            return None
        return max((d.severity for d in self.diagnostics), key=lambda s: s.rank)

    def has_io_error(self) -> bool:
        """Whether a path could not be read as text (`UNREADABLE`: the CLI then exits 2 after
        reporting every file)."""
        return any(d.rule in UNREADABLE for d in self.diagnostics)

    def fails(self, threshold: Severity) -> bool:
        """True when any finding is at or above `threshold`."""
        return any(d.severity.rank >= threshold.rank for d in self.diagnostics)
