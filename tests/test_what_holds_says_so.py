"""What holds, said as it is: a rollback that gives back the quarantine in force does not say
"not in force", a release leaves another profile's quarantine alone, and a state that could not
be read is unknown, not "not in force" (audit fix3)."""

from __future__ import annotations

from typing import Any

import pytest
from vr_quarantine.simulate.scenario import Scenario
from vr_quarantine.vql.eval.values import NULL

from tests.lifecycle_support import life as _life
from tests.lifecycle_support import simulate_profile

PLATFORMS = ("windows", "linux", "macos")


def _simulate(platform: str, scenario: Scenario | str, params: dict[str, str] | None = None) -> Any:
    return simulate_profile(scenario, platform=platform, params=params)


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


# ------------------------------------------------------------------ the monitor's release

OTHER = {"ProfileId": "other-engagement", "ProfileSHA256": "0" * 64, "Reason": "theirs"}


@pytest.mark.parametrize("delay", ["0", "1800"])
def test_the_monitors_release_leaves_another_profiles_quarantine_in_force(delay: str) -> None:
    """Another profile's quarantine is in force when this profile's monitor runs; the label
    is removed (the event query ends): its release, at once or scheduled, leaves that
    quarantine in force and says so."""
    sim = _simulate(
        "windows",
        _life(
            "label-removed-other-profile",
            {"step": "run", "params": OTHER},
            {"step": "monitor", "ticks": 2, "ends": True, "params": {"ReleaseDelay": delay}},
            {"step": "advance", "seconds": 3600},
        ),
    )
    assert sim.error is None, sim.error
    assert sim.state["assigned_policy"] == "VelociraptorQuarantine", sim.state
    assert sim.state["isolated"]
    _run, monitor, _advance = sim.life
    # The release runs from atexit(): its rows go nowhere, its log line is the report.
    [kept] = [line for line in monitor.logs if "release removes only" in line]
    assert kept.startswith("WARN:VelociraptorQuarantine: The quarantine in force here")
    assert "applied from another profile: other-engagement" in kept
    assert "it stays in force" in kept and "Nothing was changed." in kept
    assert not [
        c.argv
        for c in sim.commands
        if c.time >= monitor.started and c.argv[:4] == ["netsh", "ipsec", "static", "delete"]
    ]


def test_the_monitors_release_with_replace_other_profile_removes_it() -> None:
    sim = _simulate(
        "windows",
        _life(
            "label-removed-replace",
            {"step": "run", "params": OTHER},
            {
                "step": "monitor",
                "ticks": 1,
                "ends": True,
                "params": {"ReplaceOtherProfile": "Y", "ReleaseDelay": "0"},
            },
        ),
    )
    assert sim.error is None, sim.error
    assert not sim.state["isolated"], sim.state


def test_a_quarantine_applied_after_the_monitor_stopped_cancels_its_release() -> None:
    """The label is removed (a release is scheduled), then a person applies the quarantine
    again: the release was for the quarantine then in force and must not end the new one."""
    sim = _simulate(
        "windows",
        _life(
            "label-removed-then-applied",
            {"step": "monitor", "ticks": 2, "ends": True, "params": {"ReleaseDelay": "1800"}},
            {"step": "run"},
            {"step": "advance", "seconds": 3600},
            # The release gives back the policy assigned before the quarantine: it would
            # unassign the one applied since.
            foreign_policy="Corp Baseline",
        ),
    )
    assert sim.error is None, sim.error
    assert sim.state["isolated"], sim.state
    assert sim.state["assigned_policy"].startswith("VelociraptorQuarantine"), sim.state


TOOLS = {"windows": "netsh", "linux": "/usr/sbin/nft", "macos": "/sbin/pfctl"}
WRITES = {"add", "set", "delete", "flush", "-f", "-F", "-E", "-X"}


def _changes_since(sim: Any, started: float, platform: str) -> list[list[str]]:
    """Firewall commands that change something (a load, add, delete, flush, enable or
    release; not a check: nft -c, pfctl -n) since `started`."""
    return [
        c.argv
        for c in sim.commands
        if c.time >= started
        and c.argv[:1] == [TOOLS[platform]]
        and WRITES & set(c.argv)
        and not {"-c", "-n"} & set(c.argv)
    ]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_monitor_keeps_its_hands_off_another_profiles_quarantine(platform: str) -> None:
    """other-profile on every platform: the monitor neither replaces nor re-applies over a
    quarantine that another profile applied; one failed row names both profiles."""
    sim = _simulate(platform, "other-profile")
    assert sim.ok, [c for c in sim.checks if not c.ok]
    _run, monitor = sim.life
    assert _changes_since(sim, monitor.started, platform) == []
    [row] = [r for r in monitor.rows if r["Step"] == "pre-flight"]
    assert row["Status"] == "failed"
    assert "applied from another profile: other-engagement" in row["Result"]
    assert "ReplaceOtherProfile" in row["Result"] and "Nothing was changed." in row["Result"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_label_removed_leaves_another_profiles_quarantine_on_every_platform(
    platform: str,
) -> None:
    sim = _simulate(platform, "other-profile-label-removed")
    assert sim.ok, [c for c in sim.checks if not c.ok]
    _run, monitor, _advance = sim.life
    assert any("release removes only" in line for line in monitor.logs), monitor.logs
    assert sim.state["isolated"]


@pytest.mark.parametrize("platform", ("linux", "macos"))
def test_replace_other_profile_lets_the_unix_monitor_re_apply_and_release(platform: str) -> None:
    monitor = {"ReplaceOtherProfile": "Y", "ReleaseDelay": "0"}
    sim = _simulate(
        platform,
        _life(
            "replace",
            {"step": "run", "params": OTHER},
            {"step": "monitor", "ticks": 1, "params": monitor},
        ),
    )
    _run, ticks = sim.life
    assert _changes_since(sim, ticks.started, platform), "the monitor did not re-apply"
    assert not any("applied from another profile" in str(r["Result"]) for r in ticks.rows)
    released = _simulate(
        platform,
        _life(
            "replace-release",
            {"step": "run", "params": OTHER},
            {"step": "monitor", "ticks": 1, "ends": True, "params": monitor},
        ),
    )
    assert not released.state["isolated"], released.state


@pytest.mark.parametrize("platform", ("linux", "macos"))
def test_a_persons_run_replaces_another_profiles_quarantine_and_says_so(platform: str) -> None:
    sim = _simulate(platform, _life("person", {"step": "run", "params": OTHER}, {"step": "run"}))
    _first, second = sim.life
    [warning] = [r for r in second.rows if "applied from another profile" in str(r["Result"])]
    assert warning["Status"] == "warning" and warning["Result"].endswith("This run replaces it.")


# ------------------------------------------------------------------ an unknown reading


def test_the_status_says_in_force_unknown_when_wmi_returns_nothing() -> None:
    """WMI returns nothing: whether the host enforces the quarantine is unknown. The status
    says so (InForce empty, the reason in Notes and the Summary), not "NOT in force"."""
    steps = ({"step": "run"}, {"step": "status"}, {"step": "advance", "seconds": 600})
    sim = _simulate(
        "windows",
        _life(
            "status-wmi", *steps, {"step": "status"}, events=({"at": 300, "local": "wmi-error"},)
        ),
    )
    _run, before, _advance, after = sim.life
    [held] = before.rows
    assert held["InForce"] is True and held["Notes"] == ""
    [unknown] = after.rows
    assert unknown["InForce"] is NULL, unknown
    assert unknown["NotInForce"] == ""
    assert "could not be read" in unknown["Notes"]
    assert unknown["Summary"].startswith("In force: unknown (the state of the IPsec Policy Agent")
    assert "NOT in force" not in unknown["Summary"]


def test_the_monitor_neither_re_applies_nor_releases_on_an_unknown_reading() -> None:
    """WMI fails after the first period: the monitor says once that the state is unknown and
    changes nothing (no re-apply, no release), for three periods."""
    sim = _simulate(
        "windows",
        _life(
            "monitor-wmi",
            {"step": "monitor", "ticks": 4},
            events=({"at": 200, "local": "wmi-error"},),
        ),
    )
    [monitor] = sim.life
    first_tick = min(r["Time"].moment.timestamp() for r in monitor.rows)
    changed = [
        c.argv
        for c in sim.commands
        if c.time > first_tick + 60 and c.argv[:1] == ["netsh"] and c.argv[3] in ("add", "set")
    ]
    assert changed == []
    unknown = [r for r in monitor.rows if r["Step"] == "in force unknown"]
    assert len(unknown) == 1, monitor.rows
    assert unknown[0]["Result"].startswith(
        "The quarantine VelociraptorQuarantine: in force: unknown"
    )
    assert not any("NOT in force" in str(r["Result"]) for r in monitor.rows)
    assert sim.state["assigned_policy"] == "VelociraptorQuarantine" and sim.state["isolated"]


def test_rules_known_missing_are_not_in_force_even_when_wmi_is_unknown() -> None:
    sim = _simulate(
        "windows",
        _life(
            "monitor-wmi-rules",
            {"step": "monitor", "ticks": 3},
            events=({"at": 200, "local": "wmi-error"}, {"at": 700, "local": "delete-rules"}),
        ),
    )
    [monitor] = sim.life
    notes = [r["Result"] for r in monitor.rows if r["Step"] == "in force check"]
    assert "its rules or filter lists are missing" in notes[-1]
    refused = [r for r in monitor.rows if r["Step"] == "pre-flight" and r["Status"] == "failed"]
    assert refused and "could not be read" in refused[-1]["Result"]
