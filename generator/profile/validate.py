"""`vr-quarantine validate`: check every profile the given paths name.

Paths are expanded and read by the input layer (`generator.inputs`): files as given, every
``*.yaml``/``*.yml`` below a folder (hidden folders such as ``.git`` skipped), ``-`` for standard
input. A path that cannot be read becomes an ``io-error`` diagnostic, so one bad path never hides
the findings of the others.
"""

from __future__ import annotations

from typing import BinaryIO

from ..diagnostics import Diagnostic, Location, Results, Severity
from ..inputs import display_name, expand_paths, read_text
from .checks import RULES
from .loader import ProfileResult, load_profile_text


class _SameNames:
    """Profiles checked together must not share an artifact name or an id.

    Two artifacts with one name overwrite each other on the Velociraptor server (and in
    ``artifacts/``), so one engagement's quarantine would silently replace another's.
    """

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], Location] = {}

    def check(self, result: ProfileResult) -> list[Diagnostic]:
        profile, doc = result.profile, result.document
        if profile is None or doc is None:
            return []
        found = []
        for what, value, node in (
            ("artifact name", profile.artifact.name, ("artifact", "name")),
            ("profile id", profile.id, ("id",)),
        ):
            here = doc.location(node)
            first = self.seen.setdefault((what, value), here)
            if first is not here:
                rule = "duplicate-artifact-name" if what == "artifact name" else "duplicate-id"
                found.append(
                    Diagnostic(
                        here,
                        rule,
                        Severity.ERROR,
                        f"{what} {value!r} is also used by {first}",
                        f"give every profile its own {what}",
                    )
                )
        return found


def validate_paths(paths: list[str], *, stdin: BinaryIO | bytes | None = None) -> Results:
    """Check every profile named by `paths`; `stdin` is read for ``-`` (sys.stdin if None)."""
    results = Results()
    results.describe(RULES.infos)
    files, problems = expand_paths(paths)
    results.extend(problems)
    same_names = _SameNames()
    for name in files:
        results.files.append(display_name(name))
        got = read_text(name, stdin=stdin)
        if isinstance(got, Diagnostic):
            results.extend([got])
            continue
        result = load_profile_text(got.name, got.text)
        results.extend(result.diagnostics)
        results.extend(same_names.check(result))
    return results
