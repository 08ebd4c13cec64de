"""A JSON document: the checked files, the counts and every diagnostic in sorted order."""

from __future__ import annotations

from ..diagnostics import Results, Severity
from ..printable import json_text


def render_json(results: Results, tool: str) -> str:
    doc = {
        "tool": tool,
        "files": results.files,
        "summary": {s.value: results.count(s) for s in Severity},
        "diagnostics": [d.to_dict() for d in results.sorted()],
    }
    return json_text(doc)
