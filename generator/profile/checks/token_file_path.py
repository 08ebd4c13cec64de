"""macOS: ``macos.token_file`` is not a plain absolute path of a file.

The file keeps the pf enable reference token (pfctl(8) ``-E``) that removal releases with
``pfctl -X``. The artifact writes it with ``copy()``, reads it back at removal, and the
description shows it in the commands that remove a quarantine by hand (``sudo rm -f <file>``).
So it is an absolute path of path characters only (letters, digits, ``.``, ``_``, ``+``, ``-``
and ``/``) whose every part names something: no empty part (``//``, a trailing ``/``) and no
``.`` or ``..`` part, which would point outside the folder it seems to name (``/var/run/..``
is ``/var``) and, written as root, could replace another file. The schema's pattern says the
same; this rule names the part.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Diagnostic, Severity
from .context import CheckContext

ID = "token-file-path"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Any] = {}

_CHARACTERS = re.compile(r"[A-Za-z0-9._/+-]*")
HINT = (
    "write an absolute path whose parts are plain names, e.g. "
    "/var/run/velociraptor-quarantine.pf-token"
)


def problem(path: str) -> str | None:
    """What is wrong with `path` as a token file, or None."""
    if not path.startswith("/"):
        return "is not an absolute path"
    bad = next((c for c in path if not _CHARACTERS.fullmatch(c)), None)
    if bad is not None:
        return f"contains {bad!r}: only letters, digits, '.', '_', '+', '-' and '/' are allowed"
    parts = path[1:].split("/")
    if any(part in (".", "..") for part in parts):
        part = next(p for p in parts if p in (".", ".."))
        return f"has a {part!r} part: it would name another folder than it seems to"
    if any(not part for part in parts):
        return "has an empty part ('//' or a trailing '/'): it must name a file"
    return None


def check(ctx: CheckContext, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    path = ctx.get("macos", "token_file")
    if not isinstance(path, str):
        return
    found = problem(path)
    if found:
        yield ctx.diagnostic(
            ("macos", "token_file"),
            ID,
            SEVERITY,
            f"macos.token_file {path!r} {found}",
            HINT,
        )
