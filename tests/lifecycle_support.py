"""Simulating a profile's rendered quarantine with its companions, in-process, and life scenarios
built from `success`: shared by the tests of what a quarantine holds and says."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from vr_quarantine.profile import load_profile_file
from vr_quarantine.profile.model import Profile
from vr_quarantine.render import RenderedArtifact, render_artifacts
from vr_quarantine.simulate import resolve_scenario, simulate_loaded
from vr_quarantine.simulate.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "generator" / "profile" / "default.yaml"


def load_profile(path: Path = DEFAULT) -> Profile:
    profile = load_profile_file(path).profile
    assert profile is not None
    return profile


def artifact_set(profile: Profile, platform: str = "windows") -> list[RenderedArtifact]:
    """The platform's quarantine, monitor and status artifacts (each platform renders three, in
    the order of ``platforms``)."""
    at = 3 * profile.platforms.index(platform)
    rendered = render_artifacts(profile)[at : at + 3]
    assert all(r.ok for r in rendered), [d.message for r in rendered for d in r.diagnostics]
    return rendered


def simulate_profile(
    scenario: Scenario | str,
    *,
    platform: str = "windows",
    params: dict[str, str] | None = None,
    profile: Profile | None = None,
) -> Any:
    """The platform's quarantine artifact of `profile` (the default profile) under `scenario`,
    with its monitor and status companions."""
    if isinstance(scenario, str):
        scenario = resolve_scenario(scenario)
    main, *companions = (r.file for r in artifact_set(profile or load_profile(), platform))
    assert main is not None
    return simulate_loaded(
        main, scenario, source="<profile>", params=params, companions=tuple(companions)
    )


def life(name: str, *steps: dict[str, Any], **changes: Any) -> Scenario:
    """The success scenario with these life steps (and other fields changed)."""
    return dataclasses.replace(resolve_scenario("success"), name=name, life=tuple(steps), **changes)
