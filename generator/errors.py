"""The one error root of the tool: every failure that is not a finding carries a location."""

from __future__ import annotations

from .diagnostics import Location, Results


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


class Refused(VrqError):
    """An input a command will not act on because of its findings: an artifact that lint finds
    errors in (Velociraptor would refuse to load it), a profile that does not validate.

    `results` holds every finding, for the same reporter `lint` and `validate` print with; the
    text of the error lists them too, for a caller without a reporter. The CLI exits 2, as for
    any input it cannot act on."""

    def __init__(self, message: str, results: Results, hint: str | None = None):
        super().__init__(message, None, hint)
        self.results = results

    def __str__(self) -> str:
        found = [
            f"{d.location}: {d.severity.value}: {d.message} [{d.rule}]"
            for d in self.results.sorted()
        ]
        return "\n  ".join([self.message, *found])
