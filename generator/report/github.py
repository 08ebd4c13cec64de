"""GitHub Actions workflow commands: ``::error file=F,line=L,col=C,title=T::message``.

Escaping follows the runner's rules: in the message ``%``, CR and LF become ``%25``, ``%0D``,
``%0A``; in property values ``:`` and ``,`` also become ``%3A`` and ``%2C``. ``info`` becomes a
``notice``. The ``file`` is relative to the repository root (`paths.repo_relative`), as the
runner maps it. Controls and lone surrogates are escaped first (`printable`).
"""

from __future__ import annotations

from ..diagnostics import Results, Severity
from ..printable import printable
from .paths import repo_relative

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(results: Results, tool: str) -> str:
    lines: list[str] = []
    for d in results.sorted():
        props = [f"file={escape_property(printable(repo_relative(d.location.path)))}"]
        if d.location.line > 0:
            props.append(f"line={d.location.line}")
            if d.location.column > 0:
                props.append(f"col={d.location.column}")
        props.append(f"title={escape_property(f'{tool}: {d.rule}')}")
        message = printable(d.message) + (f"\nhint: {printable(d.hint)}" if d.hint else "")
        lines.append(f"::{COMMANDS[d.severity]} {','.join(props)}::{escape_data(message)}")
    return "".join(line + "\n" for line in lines)
