"""``vr-quarantine lint``: check Velociraptor artifacts as Velociraptor's loader and verifier do.

Public API (used by the renderer to refuse writing an artifact with lint errors):

- `lint_text(path, text, config=None, known_artifacts=None) -> list[Diagnostic]`
- `lint_paths(paths, config=None, stdin=None) -> Results`
"""

from __future__ import annotations

from .config import CONFIG_NAME, LintConfig, RuleConfig, load_config, parse_config
from .model import ArtifactSummary
from .runner import lint_paths, lint_text, summarize

__all__ = [
    "CONFIG_NAME",
    "ArtifactSummary",
    "LintConfig",
    "RuleConfig",
    "lint_paths",
    "lint_text",
    "load_config",
    "parse_config",
    "summarize",
]
