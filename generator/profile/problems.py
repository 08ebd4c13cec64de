"""The exception a value parser raises for a profile value it refuses."""

from __future__ import annotations


class ValueProblem(ValueError):
    """Why a profile value is refused: the diagnostic's rule id, message and hint."""

    def __init__(self, rule: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.hint = hint
