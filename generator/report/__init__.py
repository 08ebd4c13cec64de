"""Reporters, chosen by name from a small registry. Each turns a `Results` into text."""

from __future__ import annotations

from collections.abc import Callable

from ..diagnostics import Results
from .github import render_github
from .json_report import render_json
from .sarif import render_sarif
from .text import render_text

Reporter = Callable[[Results, str], str]
"""A reporter takes the results and the tool name (``validate`` or ``lint``) and returns text."""

REPORTERS: dict[str, Reporter] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
}


def get_reporter(name: str) -> Reporter:
    try:
        return REPORTERS[name]
    except KeyError:
        known = ", ".join(sorted(REPORTERS))
        raise ValueError(f"unknown output format {name!r} (expected one of {known})") from None
