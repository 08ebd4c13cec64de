"""What holds, said as it is: a rollback that gives back the quarantine in force does not say
"not in force", a release leaves another profile's quarantine alone, and a state that could not
be read is unknown, not "not in force" (audit fix3)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from vr_quarantine.profile import load_profile_file
from vr_quarantine.render import render_artifacts
from vr_quarantine.simulate import resolve_scenario, simulate_loaded
from vr_quarantine.simulate.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "generator" / "profile" / "default.yaml"
PLATFORMS = ("windows", "linux", "macos")


def _simulate(platform: str, scenario: Scenario | str, params: dict[str, str] | None = None) -> Any:
    profile = load_profile_file(DEFAULT).profile
    assert profile is not None
    if isinstance(scenario, str):
        scenario = resolve_scenario(scenario)
    at = 3 * profile.platforms.index(platform)
    rendered = render_artifacts(profile)[at : at + 3]
    assert all(r.ok for r in rendered)
    main, *companions = (r.file for r in rendered)
    assert main is not None
    return simulate_loaded(
        main, scenario, source="<profile>", params=params, companions=tuple(companions)
    )


def _life(name: str, *steps: dict[str, Any], **changes: Any) -> Scenario:
    return dataclasses.replace(resolve_scenario("success"), name=name, life=tuple(steps), **changes)


# ------------------------------------------------------------------ the rollback's last row


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_rollback_that_gives_back_the_quarantine_does_not_say_not_in_force(
    platform: str,
) -> None:
    """reapply-fails: the re-apply's check fails and the quarantine in force is given back.
    Every row a responder reads says it holds; none says the quarantine is not in force."""
    sim = _simulate(platform, "reapply-fails")
    assert sim.ok, [c for c in sim.checks if not c.ok]
    rollback = [
        r["Result"]
        for r in sim.rows
        if r["Step"] == "rollback" and not str(r["Result"]).startswith("rollback: ")
    ]
    assert rollback, sim.rows
    for text in rollback:
        assert "not in force" not in text, text
        assert "in force again" in text or "assigned again" in text, text
