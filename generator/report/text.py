"""``file:line:col: severity: message [rule-id]`` with the hint indented on the next line."""

from __future__ import annotations

from ..diagnostics import Results, Severity


def render_text(results: Results, tool: str) -> str:
    lines: list[str] = []
    for d in results.sorted():
        lines.append(f"{d.location}: {d.severity.value}: {d.message} [{d.rule}]")
        if d.hint:
            lines.append(f"  hint: {d.hint}")
    errors = results.count(Severity.ERROR)
    warnings = results.count(Severity.WARNING)
    files = len(results.files)
    noun = "file" if files == 1 else "files"
    lines.append(f"{tool}: {files} {noun} checked, {errors} error(s), {warnings} warning(s)")
    return "\n".join(lines) + "\n"
