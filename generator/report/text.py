"""``file:line:col: severity: message [rule-id]`` with the hint indented on the next line.

Every field is one line: line breaks, controls and lone surrogates are escaped (`printable`).
"""

from __future__ import annotations

from ..diagnostics import Results, Severity
from ..printable import printable


def render_text(results: Results, tool: str) -> str:
    lines: list[str] = []
    for d in results.sorted():
        where, message = printable(str(d.location)), printable(d.message)
        lines.append(f"{where}: {d.severity.value}: {message} [{d.rule}]")
        if d.hint:
            lines.append(f"  hint: {printable(d.hint)}")
    errors = results.count(Severity.ERROR)
    warnings = results.count(Severity.WARNING)
    files = len(results.files)
    noun = "file" if files == 1 else "files"
    lines.append(f"{tool}: {files} {noun} checked, {errors} error(s), {warnings} warning(s)")
    return "\n".join(lines) + "\n"
