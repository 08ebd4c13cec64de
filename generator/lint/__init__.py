"""``vr-quarantine lint``: check Velociraptor artifacts as Velociraptor's loader and verifier do.

Public API:

- `lint_artifact(artifact, config=None, known_artifacts=None) -> list[Diagnostic]`: one loaded
  artifact (`generator.artifact.ArtifactFile`); the renderer lints what it has just loaded;
- `lint_text(path, text, ...)`: the same from text;
- `lint_set(artifacts, config=None) -> list[Diagnostic]`: loaded artifacts as one linted set;
- `lint_paths(paths, config=None, stdin=None) -> Results`: files, folders and stdin as one set.
"""

from __future__ import annotations

from .config import CONFIG_NAME, LintConfig, RuleConfig, load_config, parse_config
from .model import ArtifactSummary
from .rules import RULES, Rule
from .runner import lint_artifact, lint_paths, lint_set, lint_text, summarize

__all__ = [
    "CONFIG_NAME",
    "RULES",
    "ArtifactSummary",
    "LintConfig",
    "Rule",
    "RuleConfig",
    "lint_artifact",
    "lint_paths",
    "lint_set",
    "lint_text",
    "load_config",
    "parse_config",
    "summarize",
]
