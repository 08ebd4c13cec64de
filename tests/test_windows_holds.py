"""The Windows quarantine holds, or says plainly that it does not: the exit rollback is armed
only by a run that changes the host, the monitor never replaces another profile's quarantine,
the monitor and the status re-check that the policy is in force, the pre-flight refuses a local
IPsec store whose registry view netsh contradicts, and a server name that stops resolving is
named as such. Each proved on the simulated endpoint, in-process."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
import yaml
from vr_quarantine.profile.model import Profile
from vr_quarantine.render import render_artifacts
from vr_quarantine.simulate import resolve_scenario
from vr_quarantine.simulate.scenario import Scenario

from tests.lifecycle_support import ROOT, simulate_profile
from tests.lifecycle_support import life as _life
from tests.lifecycle_support import load_profile as _profile

ATEXIT_RAN = "Running AtExit query"


def _simulate(
    scenario: Scenario | str,
    params: dict[str, str] | None = None,
    profile: Profile | None = None,
) -> Any:
    return simulate_profile(scenario, params=params, profile=profile)


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
    # A tick that keeps its hands off asks netsh nothing: the store's consistency check is
    # for a run that may change the host (the first run asked about the site's policy).
    over = _simulate(
        _life(
            "steady-over-site",
            {"step": "run"},
            {"step": "monitor", "ticks": 2},
            foreign_policy="Corp Baseline",
        )
    )
    [_run, ticks] = over.life
    shows = [c for c in over.commands if c.argv[:1] == ["netsh"] and c.argv[3:4] == ["show"]]
    assert shows and all(c.time < ticks.started for c in shows), shows
    assert over.state["assigned_policy"] == "VelociraptorQuarantine"


# ------------------------------------------------------------------------- item 1: other profile

OTHER = {"ProfileId": "other-engagement", "ProfileSHA256": "0" * 64, "Reason": "theirs"}


def _records(sim: Any) -> list[dict[str, Any]]:
    """The state records of the policies the life created, in order."""
    return [
        json.loads(bytes.fromhex(word.removeprefix("description=vrq1.")))
        for c in sim.commands
        if c.argv[1:5] == ["ipsec", "static", "add", "policy"]
        for word in c.argv
        if word.startswith("description=vrq1.")
    ]


def _changes(step: Any, sim: Any) -> list[list[str]]:
    return [
        c.argv
        for c in sim.commands
        if c.time >= step.started and c.argv[:1] == ["netsh"] and c.argv[3] in ("add", "set")
    ]


def test_the_monitor_does_not_replace_another_profiles_quarantine() -> None:
    sim = _simulate("other-profile")
    assert sim.ok, [c for c in sim.checks if not c.ok]
    _run, monitor = sim.life
    assert _changes(monitor, sim) == []
    [record] = _records(sim)
    assert record["profile"] == "other-engagement"
    # One row for three periods (it repeats only when it changes), naming both profiles.
    [row] = [r for r in monitor.rows if r["Step"] == "pre-flight"]
    assert row["Status"] == "failed"
    assert "applied from another profile: other-engagement" in row["Result"]
    assert _profile().id in row["Result"] and "ReplaceOtherProfile" in row["Result"]
    assert "Nothing was changed." in row["Result"]


def test_another_version_of_the_same_profile_counts_as_another_profile() -> None:
    older = {"ProfileId": _profile().id, "ProfileSHA256": "f" * 64}
    sim = _simulate(_life("older", {"step": "run", "params": older}, {"step": "monitor"}))
    _run, monitor = sim.life
    assert _changes(monitor, sim) == []
    assert any("applied from another profile" in r["Result"] for r in monitor.rows)


def test_replace_other_profile_lets_the_monitor_re_apply_with_no_gap() -> None:
    sim = _simulate(
        _life(
            "replace",
            {"step": "run", "params": OTHER},
            {"step": "monitor", "params": {"ReplaceOtherProfile": "Y"}},
        )
    )
    theirs, ours = _records(sim)
    assert theirs["profile"] == "other-engagement" and ours["profile"] == _profile().id
    assert sim.state["assigned_policy"] == ours["slot"] == "VelociraptorQuarantine Alt"
    assert not sim.state["refused"]


def test_a_persons_run_replaces_another_profiles_quarantine_and_says_so() -> None:
    sim = _simulate(_life("person", {"step": "run", "params": OTHER}, {"step": "run"}))
    _first, second = sim.life
    [warning] = [r for r in second.rows if "applied from another profile" in str(r["Result"])]
    assert warning["Status"] == "warning" and warning["Result"].endswith("This run replaces it.")
    assert _records(sim)[-1]["profile"] == _profile().id


# ------------------------------------------------------------------------- item 5: wording


def test_a_server_name_that_stops_resolving_is_named_and_the_quarantine_stays() -> None:
    # The server's name stops resolving after the first period.
    sim = _simulate(
        dataclasses.replace(
            _life("dns-gone", {"step": "monitor", "ticks": 3}),
            events=({"at": 600, "dns": {"velociraptor.example.com": []}},),
        )
    )
    [monitor] = sim.life
    refusals = [
        r["Result"] for r in monitor.rows if r["Step"] == "pre-flight" and r["Status"] == "failed"
    ]
    assert len(refusals) == 1, refusals
    assert refusals[0].startswith("name velociraptor.example.com no longer resolves: ")
    assert "is left as it is; it permits 192.0.2.10:8000" in refusals[0]
    assert sim.state["policy_assigned"] and sim.state["isolated"]


def test_a_first_run_says_the_name_does_not_resolve() -> None:
    gone = ({"at": 0, "dns": {"velociraptor.example.com": []}},)
    sim = _simulate(dataclasses.replace(resolve_scenario("success"), events=gone))
    assert sim.state["refused"] and not sim.state["changed"]
    [row] = [r for r in sim.rows if r["Step"] == "pre-flight" and r["Status"] == "failed"]
    assert row["Result"].startswith("name velociraptor.example.com does not resolve: ")


def test_the_description_says_what_an_expiry_leaves_behind() -> None:
    main = render_artifacts(_profile())[0]
    text = yaml.safe_load(main.text)["description"]
    assert "What an expiry leaves behind" in text
    assert "the task itself stays" in text and "RemovePolicy" in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "What an expiry leaves behind on the host" in readme


# ------------------------------------------------------------------------- item 2: in force

LOST = ("policyagent-stopped", "domain-policy", "merge-forbidden")
WHY = {
    "policyagent-stopped": "Policy Agent service (PolicyAgent) is Stopped",
    "domain-policy": "domain IPsec policy is assigned",
    "merge-forbidden": "AllowLocalIPsecPolicyMerge = 0",
}


@pytest.mark.parametrize("event", LOST)
def test_the_monitor_says_not_in_force_when_the_host_stops_enforcing_it(event: str) -> None:
    scenario = dataclasses.replace(
        resolve_scenario("enforcement-lost"), events=({"at": 600, "local": event},)
    )
    sim = _simulate(scenario)
    assert sim.ok, [c for c in sim.checks if not c.ok]
    [monitor] = sim.life
    # Applied at the first period; then one row (it repeats only when it changes), no change.
    [row] = [r for r in monitor.rows if r["Status"] == "failed"]
    assert row["Result"].startswith("The quarantine VelociraptorQuarantine is NOT in force: ")
    assert WHY[event] in row["Result"] and row["Result"].endswith("Nothing was changed.")
    assert sim.state["assigned_policy"] == "VelociraptorQuarantine"


def test_the_monitor_re_applies_a_policy_whose_rules_were_deleted() -> None:
    sim = _simulate("rules-deleted-locally")
    assert sim.ok, [c for c in sim.checks if not c.ok]
    [monitor] = sim.life
    notes = [r["Result"] for r in monitor.rows if r["Step"] == "in force check"]
    assert notes[-1] == (
        "The quarantine VelociraptorQuarantine is not in force: its rules or filter lists are "
        "missing from the local IPsec store (VelociraptorQuarantine PermitRule, "
        "VelociraptorQuarantine BlockRule). The monitor applies it."
    )
    assert sim.state["assigned_policy"] == "VelociraptorQuarantine Alt"


@pytest.mark.parametrize("event", [*LOST, "delete-rules"])
def test_the_status_says_not_in_force_and_why(event: str) -> None:
    steps = ({"step": "run"}, {"step": "status"}, {"step": "advance", "seconds": 7200})
    sim = _simulate(
        _life("status-" + event, *steps, {"step": "status"}, events=({"at": 3600, "local": event},))
    )
    _run, before, _advance, after = sim.life
    [held] = before.rows
    assert held["InForce"] is True and held["NotInForce"] == ""
    [lost] = after.rows
    assert lost["InForce"] is False and lost["AssignedPolicy"] == "VelociraptorQuarantine"
    why = WHY.get(event, "its rules or filter lists are missing")
    assert why in lost["NotInForce"] and lost["Summary"].startswith("NOT in force: ")


# ------------------------------------------------------------------------- item 3: registry sanity


def test_a_registry_view_that_netsh_contradicts_is_refused_before_any_change() -> None:
    sim = _simulate("registry-inconsistent")
    assert sim.ok, [c for c in sim.checks if not c.ok]
    [row] = [r for r in sim.rows if r["Status"] == "failed"]
    assert row["Result"].startswith(
        "The registry view of the local IPsec store disagrees with netsh: the registry shows "
        "the policy 'Stale Baseline' as the assigned one, but netsh ipsec static show policy "
        "does not find it (return code 1: ERR IPsec[05072]"
    )
    # netsh was only asked, read-only, before the refusal; no exit rollback was armed.
    assert [c.argv[3] for c in sim.commands if c.argv[0] == "netsh"] == ["show"]
    assert not any(ATEXIT_RAN in line for line in sim.logs)


def test_an_active_policy_that_names_no_policy_is_refused() -> None:
    dangling = dataclasses.replace(resolve_scenario("success"), registry_dangling_active=True)
    sim = _simulate(dangling)
    assert sim.state["refused"] and not sim.state["changed"]
    assert any(
        "ActivePolicy (SOFTWARE\\Policies\\Microsoft\\Windows\\IPSec\\Policy\\Local\\ipsecPolicy"
        in r["Result"]
        and "names no policy" in r["Result"]
        for r in sim.rows
    )


def test_a_consistent_store_is_checked_with_netsh_and_not_refused() -> None:
    fresh = _simulate("success")
    assert fresh.ok and not fresh.state["refused"]
    # Nothing in the store: nothing to ask netsh about.
    assert not any(c.argv[3:4] == ["show"] for c in fresh.commands if c.argv[0] == "netsh")
    previous = _simulate("previous-policy")
    assert previous.ok
    shown = [c.argv[-1] for c in previous.commands if c.argv[3:4] == ["show"]]
    assert shown[0] == "name=Corp Baseline" and all(
        c.return_code == 0 for c in previous.commands if c.argv[3:4] == ["show"]
    )


def test_the_status_names_another_profiles_quarantine_under_another_policy_name() -> None:
    other = {**OTHER, "PolicyName": "SiteB Quarantine"}
    sim = _simulate(_life("status-other", {"step": "run", "params": other}, {"step": "status"}))
    _run, status = sim.life
    [row] = status.rows
    assert row["InForce"] is False and row["AssignedPolicy"] == "SiteB Quarantine"
    assert "a vr-quarantine quarantine applied by" in row["Summary"]
    assert "from the profile other-engagement" in row["Summary"]


# ------------------------------------------------------------------------- unsafe assigned names

UNSAFE_NAMES = ('Corp Baseline" assign=n', "Corp, v2 [site]", "Baseline\r\nassign=y")


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_an_assigned_policy_with_an_unsafe_name_never_reaches_netsh_and_is_reported(
    name: str,
) -> None:
    ghost = dataclasses.replace(resolve_scenario("success"), registry_ghost_policy=name)
    sim = _simulate(ghost)
    assert sim.state["refused"] and not sim.state["changed"]
    # netsh was not even asked about it (a name that passed SafeName would have been).
    assert not any(name in " ".join(c.argv) for c in sim.commands), sim.commands
    assert not any(c.argv[0] == "netsh" for c in sim.commands), sim.commands
    [row] = [r for r in sim.rows if r["Status"] == "failed"]
    assert row["Step"] == "pre-flight"
    assert row["Result"].startswith(
        f"The assigned local IPsec policy '{name}' has a name this run does not pass to netsh"
    )
    assert row["Result"].endswith("Nothing was changed.")
    assert not any(ATEXIT_RAN in line for line in sim.logs)


def test_a_site_policy_with_an_unsafe_name_blocks_the_quarantine_and_removal_leaves_it() -> None:
    name = "Corp, v2 [site]"
    foreign = dataclasses.replace(resolve_scenario("success"), foreign_policy=name)
    sim = _simulate(foreign)
    assert sim.state["refused"] and not sim.state["changed"]
    assert sim.state["assigned_policy"] == name
    assert not any(name in " ".join(c.argv) for c in sim.commands if c.argv[3:4] != ["add"]), (
        sim.commands
    )
    removal = _simulate(foreign, {"RemovePolicy": "Y"})
    assert removal.state["assigned_policy"] == name
    assert not any(name in " ".join(c.argv) for c in removal.commands if c.argv[3:4] != ["add"]), (
        removal.commands
    )
    # Nothing of ours was there: the site's policy stays assigned, and no step failed.
    assert [r["Step"] for r in removal.rows if r["Status"] == "failed"] == []


def test_a_recorded_previous_policy_with_an_unsafe_name_is_not_given_back_through_netsh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Our quarantine is in force, but its record (the policy's description, host data) names a
    previous policy that fails SafeName: removal passes it to no netsh command, says so in a
    failed row, and still removes the quarantine."""
    from vr_quarantine.simulate import run as simulate_run
    from vr_quarantine.simulate.netsh import Netsh

    hostile = 'Corp" & calc & "'
    record = {"v": 1, "profile": "p", "profile_sha256": "0" * 64, "prev": hostile}
    description = "vrq1." + json.dumps(record).encode().hex()
    real = simulate_run.make_endpoint

    def tampered(scenario: Scenario) -> Any:
        endpoint = real(scenario)
        add = ["netsh", "ipsec", "static", "add", "policy", "name=VelociraptorQuarantine"]
        Netsh(endpoint.state, endpoint.resolve).run(
            [*add, f"description={description}", "assign=yes"]
        )
        return endpoint

    monkeypatch.setattr(simulate_run, "make_endpoint", tampered)
    sim = _simulate("success", {"RemovePolicy": "Y"})
    assert not any(hostile in " ".join(c.argv) for c in sim.commands), sim.commands
    [restore] = [r for r in sim.rows if r["Step"] == "restore previous policy"]
    assert restore["Status"] == "failed"
    assert restore["Result"].startswith(f"The local policy '{hostile}', assigned before the")
    assert "was NOT assigned again" in restore["Result"]
    [removed] = [r for r in sim.rows if r["Step"] == "remove"]
    assert removed["Result"].endswith(
        "The previous local policy was NOT given back (see the row above)."
    )
    assert sim.state["assigned_policy"] is None and not sim.state["policy_exists"]
