"""Velociraptor's artifact name rule, once: for profiles, render and lint alike.

``services/repository/repository.go``: a name may only hold ``a-zA-Z0-9_.`` (``Invalid artifact
name. Can only contain characters in this set 'a-zA-Z0-9_.'``) and no dotted part may start with
a digit (``Name parts can not start with a number``); an empty part (``A..B``, a leading or
trailing dot) is refused as well. Such a name is also a safe file name: no separator, no ``..``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_ALLOWED = re.compile(r"[a-zA-Z0-9_.]+")


@dataclass(frozen=True)
class NameProblem:
    kind: Literal["characters", "empty-part", "digit-start"]
    part: str
    """The first dotted part with the problem."""


def name_problem(name: str) -> NameProblem | None:
    """What breaks Velociraptor's rule in `name` (characters first, as Velociraptor checks),
    or None for a valid name."""
    parts = name.split(".")
    if not _ALLOWED.fullmatch(name):
        bad = next((p for p in parts if not _ALLOWED.fullmatch(p)), "")
        return NameProblem("characters", bad)
    if "" in parts:
        return NameProblem("empty-part", "")
    digit = next((p for p in parts if p[0].isdigit()), None)
    if digit is not None:
        return NameProblem("digit-start", digit)
    return None
