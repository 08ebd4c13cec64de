"""The one error root of the tool: every failure that is not a finding carries a location."""

from __future__ import annotations

from .diagnostics import Location


class VrqError(Exception):
    """A usage, I/O or internal error. The CLI prints it and exits 2."""

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.message}"
