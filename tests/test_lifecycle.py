"""Issue 10: a quarantine that is left in place (Windows). Monitor, zero-gap re-application,
expiry task, previous policy, state record, reason and ticket, status, provenance: each proved
on the simulated endpoint, in-process."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from vr_quarantine.profile.model import Lifecycle, Profile
from vr_quarantine.render import render_artifacts
from vr_quarantine.simulate import resolve_scenario, simulate_all
from vr_quarantine.simulate.scenario import BUILTIN, Scenario
from vr_quarantine.simulate.tasks import command_line_to_argv

from tests.clirunner import CliRunner
from tests.lifecycle_support import (
    DEFAULT,
    ROOT,
    artifact_set,
    life,
    load_profile,
    simulate_profile,
)

PROFILES = [DEFAULT, *sorted((ROOT / "examples").glob("*.yaml"))]
LIFE_SCENARIOS = (
    "monitor-steady",
    "dns-drift",
    "policy-removed-locally",
    "expiry",
    "previous-policy",
    "label-removed",
    "monitor-restart",
    "proxy-not-permitted",
)


def _simulate(
    profile: Profile, scenario: Scenario | str, params: dict[str, str] | None = None
) -> Any:
    return simulate_profile(scenario, params=params, profile=profile)


# ------------------------------------------------------------------------- the timeline proof


def unassigned_moments(timeline: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    """After the first assignment: the moments without an assigned policy that the artifacts
    opened (not a scenario event: someone on the host unassigning it) and that another
    assignment follows (a gap); and whether the life ends on such a stretch (the quarantine was
    ended on purpose: removal, expiry, label removed, or a rollback)."""
    first = next((i for i, m in enumerate(timeline) if m["assigned"]), None)
    if first is None:
        return [], False
    stretch: list[dict[str, Any]] = []
    found: list[dict[str, Any]] = []
    after_event = False
    for moment in timeline[first:]:
        if moment["kind"] == "event":
            after_event = moment["assigned"] is None
            continue
        if moment["assigned"]:
            found.extend(stretch)
            stretch, after_event = [], False
        elif not after_event:
            stretch.append(moment)
    return found, bool(stretch)


def assert_holds_without_gap(sim: Any) -> None:
    """The simulation went as its scenario expects, with no gap; a quarantine that is not in
    force at the end was ended on purpose (its scenario does not expect one)."""
    assert sim.ok, (sim.scenario.name, sim.error, [c for c in sim.checks if not c.ok])
    gaps, ended = unassigned_moments(sim.timeline)
    assert gaps == [], (sim.scenario.name, gaps)
    if ended:
        assert sim.state["assigned_policy"] is None
        assert sim.scenario.expect.policy_assigned is not True, sim.scenario.name


def test_the_proof_sees_a_gap() -> None:
    def moment(kind: str, assigned: str | None) -> dict[str, Any]:
        return {"time": 0.0, "kind": kind, "what": "", "assigned": assigned}

    gap = [moment("netsh", "A"), moment("netsh", None), moment("netsh", "A")]
    assert unassigned_moments(gap) == ([gap[1]], False)
    event = [
        moment("netsh", "A"),
        moment("event", None),
        moment("netsh", None),
        moment("netsh", "A"),
    ]
    assert unassigned_moments(event) == ([], False)
    ended = [moment("netsh", "A"), moment("netsh", None)]
    assert unassigned_moments(ended) == ([], True)


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_no_scenario_has_a_moment_without_a_policy_after_the_first_assignment(
    path: Path,
) -> None:
    simulations = simulate_all(path, platform="windows")
    assert {s.scenario.name for s in simulations} >= set(LIFE_SCENARIOS)
    assert len(simulations) == len(
        [n for n in BUILTIN if n in {s.scenario.name for s in simulations}]
    )
    for sim in simulations:
        assert_holds_without_gap(sim)


def test_dns_drift_assigns_the_other_slot_before_deleting_the_old() -> None:
    sim = _simulate(load_profile(), "dns-drift")
    what = [m["what"] for m in sim.timeline]
    assign_alt = what.index("ipsec static set policy name=VelociraptorQuarantine Alt assign=y")
    old = "ipsec static delete policy name=VelociraptorQuarantine"
    delete_old = max(i for i, w in enumerate(what) if w == old)
    assert delete_old > assign_alt
    assert all(m["assigned"] for m in sim.timeline[assign_alt:])
    assert sim.state["assigned_policy"] == "VelociraptorQuarantine Alt"
    assert "192.0.2.20" in " ".join(sim.state["permitted"])
    assert sim.state["message_boxes"] <= 1


def test_proxy_scenario_rolls_back_where_the_proxy_is_permitted() -> None:
    sim = _simulate(load_profile(ROOT / "examples" / "site-proxy.yaml"), "proxy-not-permitted")
    assert sim.ok
    assert sim.state["changed"] and not sim.state["policy_assigned"]
    assert any(row.get("Step") == "rollback" for row in sim.rows)
    refused = _simulate(load_profile(), "proxy-not-permitted")
    assert refused.state["refused"] and not refused.state["changed"]


# ------------------------------------------------------------------------- names and the task

HOSTILE = [
    'X" & calc.exe & "',
    "X name=Other",
    "X,Y",
    "X\nY",
    "X\tY",
    'X"',
    "X ",
    " X",
    "X%TEMP%",
    "X!V!",
    "X$(calc)",
    "X`n",
    "X;Y",
    "X'Y",
    "X\\",
    "..\\..\\X",
    "X<Exec>",
    "X&amp;",
    "X/Y",
    "\uff38",
    "X" * 101,
    "",
]


@pytest.mark.parametrize("name", HOSTILE, ids=repr)
def test_hostile_policy_names_are_refused_before_any_change(name: str) -> None:
    sim = _simulate(load_profile(), "success", {"PolicyName": name, "Expiry": "1h"})
    assert sim.state["refused"] and not sim.state["changed"]
    assert not [c for c in sim.commands if c.kind in ("execve", "task")], sim.commands
    assert not sim.state["tasks"]


@pytest.mark.parametrize(
    "name",
    ["VelociraptorQuarantine", "IR 2026-042 quarantine (ACME)", "a", "-Q_1.2-3.", "X" * 100],
)
def test_the_expiry_task_is_one_netsh_command_as_system(name: str) -> None:
    sim = _simulate(load_profile(), "success", {"PolicyName": name, "Expiry": "72h"})
    assert sim.ok and sim.state["expiry_task"]
    [task] = sim.state["tasks"]
    assert task["name"].startswith(f"\\vr-quarantine\\{name} until ")
    assert task["user"] == "S-1-5-18" and task["start_when_available"]
    assert task["command"] == "C:\\Windows\\System32\\netsh.exe"
    assert command_line_to_argv(task["arguments"]) == [
        "ipsec",
        "static",
        "delete",
        "policy",
        f"name={name}",
    ]
    applied = next(c.time for c in sim.commands if "assign=y" in c.argv)
    assert abs(task["start"] - applied - 72 * 3600) < 60


def _expiry_argv(foreign: str) -> list[str]:
    sim = _simulate(
        load_profile(),
        dataclasses.replace(resolve_scenario("success"), foreign_policy=foreign),
        {"Expiry": "1h"},
    )
    [task] = sim.state["tasks"]
    return command_line_to_argv(task["arguments"])


def test_the_expiry_task_gives_back_a_safe_previous_policy_and_never_an_unsafe_one() -> None:
    assert _expiry_argv("Corp Base") == [
        "ipsec",
        "static",
        "set",
        "policy",
        "name=Corp Base",
        "assign=y",
    ]
    # A previous policy whose name fails SafeName never reaches netsh nor a task: the run is
    # refused before any change, and a removal leaves that policy assigned as it was.
    hostile = 'Corp" & calc & "'
    hostile_life = life(
        "hostile-previous", {"step": "run"}, {"step": "remove"}, foreign_policy=hostile
    )
    sim = _simulate(load_profile(), hostile_life)
    run, removed = sim.life
    [refusal] = [r for r in run.rows if r["Status"] == "failed"]
    assert refusal["Result"].startswith(f"The assigned local IPsec policy '{hostile}' has a name")
    assert not [r for r in removed.rows if r["Status"] == "failed"]
    assert sim.state["assigned_policy"] == hostile and not sim.state["tasks"]
    assert not any(hostile in " ".join(c.argv) for c in sim.commands), sim.commands


def test_the_monitor_never_extends_the_expiry() -> None:
    sim = _simulate(
        load_profile(),
        life(
            "drift-with-expiry",
            {"step": "run", "params": {"Expiry": "2h"}},
            {"step": "monitor", "ticks": 3},
            events=({"at": 300, "dns": {"velociraptor.example.com": ["192.0.2.20"]}},),
        ),
    )
    assert sim.ok
    pending = [t for t in sim.state["tasks"] if t["ran_at"] is None]
    [task] = pending
    first = next(c.time for c in sim.commands if "assign=y" in c.argv)
    assert abs(task["start"] - first - 7200) < 60
    assert task["arguments"].endswith('name="VelociraptorQuarantine Alt"')


def test_removal_deletes_both_slots_and_the_task() -> None:
    sim = _simulate(
        load_profile(),
        life("remove", {"step": "run", "params": {"Expiry": "1h"}}, {"step": "remove"}),
    )
    assert not sim.state["policy_exists"] and not sim.state["leftovers"]
    assert not sim.state["tasks"]
    deleted = {c.argv[-1] for c in sim.commands if c.argv[1:4] == ["ipsec", "static", "delete"]}
    assert {"name=VelociraptorQuarantine", "name=VelociraptorQuarantine Alt"} <= deleted


# ------------------------------------------------------------------------- record and status


def _record(sim: Any) -> dict[str, Any]:
    [description] = [
        word.removeprefix("description=")
        for c in sim.commands
        if c.argv[1:5] == ["ipsec", "static", "add", "policy"]
        for word in c.argv
        if word.startswith("description=")
    ]
    assert description.startswith("vrq1.") and set(description[5:]) <= set("0123456789abcdef")
    return dict(json.loads(bytes.fromhex(description[5:])))


def test_the_state_record_holds_who_why_when_and_what() -> None:
    reason = 'Ransomware "note" found; see IR=42 & don\'t reboot'
    sim = _simulate(
        load_profile(), "success", {"Reason": reason, "Ticket": "IR-42", "Expiry": "3d"}
    )
    record = _record(sim)
    assert record["reason"] == reason and record["ticket"] == "IR-42"
    assert record["profile"] == load_profile().id and len(record["profile_sha256"]) == 64
    assert record["tool"].startswith("vr-quarantine ")
    assert record["exp"] - record["at"] == 3 * 86400
    assert record["permits"] and record["prev"] == ""
    assert record["artifact"] == "Custom.Windows.Remediation.Quarantine"
    # Every result row carries the run summary.
    assert all(row["Run"]["Reason"] == reason for row in sim.rows)
    assert all(row["Run"]["Ticket"] == "IR-42" for row in sim.rows)


def test_status_reports_a_quarantine_in_force_and_nothing_else_changes() -> None:
    steps = (
        {"step": "status"},
        {"step": "run", "params": {"Reason": "beaconing", "Ticket": "T-1", "Expiry": "1d"}},
    )
    sim = _simulate(load_profile(), life("status", *steps, {"step": "status"}))
    before, _run, after = sim.life
    [idle] = before.rows
    assert idle["InForce"] is False and "No quarantine" in idle["Summary"]
    [status] = after.rows
    assert status["InForce"] is True and status["Reason"] == "beaconing"
    assert status["Ticket"] == "T-1" and status["ExpiryTaskPresent"] is True
    assert status["ServerReachable"] is True
    assert status["By"] == "Custom.Windows.Remediation.Quarantine"
    # The status step adds only curl probes to what the same life without it runs.
    without = _simulate(load_profile(), life("no-status", *steps))
    assert sim.commands[: len(without.commands)] == without.commands
    added = sim.commands[len(without.commands) :]
    assert added and all(c.argv[0].endswith("curl.exe") for c in added), added


def test_status_recognises_upstreams_policy() -> None:
    sim = _simulate(
        load_profile(ROOT / "examples" / "engagement-jumphost-share-ipv6.yaml"),
        life("upstream-left", {"step": "status"}, foreign_policy="VelociraptorQuarantine"),
    )
    [row] = sim.life[0].rows
    assert row["InForce"] is True and "upstream" in row["By"]


# ------------------------------------------------------------------------- reason and ticket


def test_a_profile_can_require_a_reason() -> None:
    profile = dataclasses.replace(load_profile(), lifecycle=Lifecycle(require_reason=True))
    main = artifact_set(profile)[0]
    params = {p["name"]: p for p in yaml.safe_load(main.text)["parameters"]}
    assert params["RequireReason"]["default"] == "Y"
    refused = _simulate(profile, "success")
    assert refused.state["refused"] and not refused.state["changed"]
    assert any("requires a reason" in str(row.get("Result")) for row in refused.rows)
    applied = _simulate(profile, "success", {"Reason": "C2 beacon"})
    assert applied.ok and applied.state["policy_assigned"]


def test_an_overlong_reason_is_refused_before_any_change() -> None:
    sim = _simulate(load_profile(), "success", {"Reason": "x" * 1001})
    assert sim.state["refused"] and not sim.state["changed"]


def test_profile_lifecycle_sets_the_defaults() -> None:
    profile = dataclasses.replace(
        load_profile(),
        lifecycle=Lifecycle(expiry="72h", monitor_period_seconds=300),
    )
    main, monitor, _status = artifact_set(profile)
    defaults = {p["name"]: p.get("default") for p in yaml.safe_load(main.text)["parameters"]}
    assert defaults["Expiry"] == "72h"
    watch = {p["name"]: p.get("default") for p in yaml.safe_load(monitor.text)["parameters"]}
    assert watch["ReloadPeriod"] == "300" and watch["Expiry"] == "72h"


# ------------------------------------------------------------------------- companions


def test_the_default_monitor_replaces_upstreams_and_calls_ours() -> None:
    main, monitor, status = artifact_set(load_profile())
    assert (main.name, monitor.name, status.name) == (
        "Custom.Windows.Remediation.Quarantine",
        "Custom.Windows.Remediation.QuarantineMonitor",
        "Custom.Windows.Remediation.QuarantineStatus",
    )
    data = yaml.safe_load(monitor.text)
    assert data["type"] == "CLIENT_EVENT"
    query = data["sources"][0]["query"]
    assert "Artifact.Custom.Windows.Remediation.Quarantine(" in query
    assert "Artifact.Windows.Remediation.Quarantine(" not in query
    assert yaml.safe_load(status.text)["type"] == "CLIENT"
    for rendered in (main, monitor, status):
        assert not rendered.diagnostics, rendered.diagnostics


def test_provenance_is_deterministic_and_follows_the_profile() -> None:
    profile = load_profile()
    first = [r.text for r in render_artifacts(profile)]
    assert first == [r.text for r in render_artifacts(profile)]
    canonical = json.dumps(dataclasses.asdict(profile), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    for text in first:
        assert text is not None
        header = " ".join(text.split("\nname:", 1)[0].split())
        assert digest in header and "vr-quarantine 0." in header
        assert digest in " ".join(yaml.safe_load(text)["description"].split())
    changed = dataclasses.replace(profile, message="other")
    assert digest not in (render_artifacts(changed)[0].text or "")


# ------------------------------------------------------------------------- the CLI


def test_scenario_all_prints_one_table_and_json_has_timelines() -> None:
    runner = CliRunner()
    result = runner.invoke(
        __import__("vr_quarantine.cli", fromlist=["main"]).main,
        ["simulate", str(DEFAULT), "--scenario", "all"],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].split()[:2] == ["scenario", "outcome"]
    for name in LIFE_SCENARIOS:
        assert any(line.startswith(name + " ") for line in lines), name
    assert lines[-1].startswith("Outcome: ") and "scenarios as expected" in lines[-1]
    result = runner.invoke(
        __import__("vr_quarantine.cli", fromlist=["main"]).main,
        ["simulate", str(DEFAULT), "--scenario", "all", "-f", "json"],
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    steady = next(d for d in data if d["scenario"]["name"] == "monitor-steady")
    assert steady["timeline"] and steady["gaps"] == []
    assert {"time", "kind", "what", "assigned"} <= set(steady["timeline"][0])


def test_a_monitor_with_an_expiry_changes_nothing_after_the_first_application() -> None:
    # The expiry is read back from the task's name (Go's regexp.Expand: "$3T" would be the
    # group "3T", so the template writes "${3}T").
    steady = dataclasses.replace(
        resolve_scenario("monitor-steady"),
        params={**resolve_scenario("monitor-steady").params, "Expiry": "72h"},
    )
    sim = _simulate(load_profile(), steady)
    assert sim.ok and sim.state["applied_once"] and sim.state["expiry_task"]
    [task] = sim.state["tasks"]
    assert task["ran_at"] is None


@pytest.mark.parametrize(("minutes", "released"), [("0", False), ("15", True)])
def test_the_dead_man_release_is_off_unless_asked_for(minutes: str, released: bool) -> None:
    sim = _simulate(
        load_profile(),
        life(
            "dead-man",
            {"step": "monitor", "ticks": 5, "params": {"ReleaseAfterUnreachableMinutes": minutes}},
            events=({"at": 700, "server_answers": False},),
        ),
    )
    assert sim.error is None
    assert (sim.state["assigned_policy"] is None) is released
    assert any(row.get("Step") == "dead-man release" for row in sim.rows) is released


def test_the_monitor_stopping_schedules_the_release_and_zero_removes_at_once() -> None:
    ended = life("ends", {"step": "monitor", "ticks": 1, "ends": True})
    deferred = _simulate(load_profile(), ended)
    assert deferred.state["policy_assigned"]
    [task] = [t for t in deferred.state["tasks"] if " release " in t["name"]]
    assert task["user"] == "S-1-5-18" and not task["start_when_available"]
    assert command_line_to_argv(task["arguments"]) == [
        "ipsec",
        "static",
        "delete",
        "policy",
        "name=VelociraptorQuarantine",
    ]
    immediate = _simulate(load_profile(), dataclasses.replace(ended, params={"ReleaseDelay": "0"}))
    assert not immediate.state["policy_exists"] and not immediate.state["tasks"]
