"""The one model of a Velociraptor artifact file.

Lint, render's self-check, simulate and the evaluator's artifact set all build on it:

- `load_artifact(path, text) -> ArtifactFile`: Velociraptor's loader fix-ups (`sanitize`), one
  YAML parse with positions, the VQL sections (`VqlSection`) each parsed once per distinct text;
- `parse_vql_renamed`: a query that differs from another only in the artifact it calls, parsed
  by renaming that call in the other's parse;
- `VqlSection.location`/`error_location`: positions inside a VQL text as the file's line and
  column (clamped to the text for an error at the end of input);
- `sanitize`/`Sanitized`: the fix-ups alone, with the map back to the author's lines;
- `name_problem`: Velociraptor's artifact name rule (profiles, render and lint share it);
- `shape_problems`: where the file is not Velociraptor's artifact shape (lint reports them;
  the evaluator refuses to run such an artifact).
"""

from __future__ import annotations

from ..artifactname import NameProblem, name_problem
from .file import VQL_CELL_TYPES, ArtifactFile, SectionKind, VqlSection, load_artifact
from .fixups import QUERIES_RE, QUERY_RE, Sanitized, sanitize
from .positions import PositionMap, clamp
from .shape import ShapeProblem, shape_problems
from .vql import ParsedVql, Renamed, parse_vql, parse_vql_renamed

__all__ = [
    "QUERIES_RE",
    "QUERY_RE",
    "VQL_CELL_TYPES",
    "ArtifactFile",
    "NameProblem",
    "ParsedVql",
    "PositionMap",
    "Renamed",
    "Sanitized",
    "SectionKind",
    "ShapeProblem",
    "VqlSection",
    "clamp",
    "load_artifact",
    "name_problem",
    "parse_vql",
    "parse_vql_renamed",
    "sanitize",
    "shape_problems",
]
