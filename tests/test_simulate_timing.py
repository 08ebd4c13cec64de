"""Time in a simulated life: scheduled jobs fire at their own due time, events compose and
happen at theirs, and an event query that ends does so after its ticks, never cut off by a
collection's deadline it does not have."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from vr_quarantine.simulate import resolve_scenario, simulate_file
from vr_quarantine.simulate.endpoint import WindowsEndpoint
from vr_quarantine.simulate.linux import LinuxEndpoint
from vr_quarantine.simulate.scenario import scenario_from_data
from vr_quarantine.simulate.tasks import Task
from vr_quarantine.simulate.unix import Job
from vr_quarantine.vql.eval import Engine

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "generator" / "profile" / "default.yaml"


def test_a_windows_task_runs_at_its_start_boundary_not_when_time_was_next_looked_at() -> None:
    scenario = replace(
        resolve_scenario("success"),
        events=({"at": 500, "dns": {"velociraptor.example.com": ["192.0.2.20"]}},),
    )
    host = WindowsEndpoint(scenario)
    due = host.start + 100
    host.scheduler.tasks["\\t"] = Task(
        "\\t",
        due,
        "C:\\Windows\\System32\\netsh.exe",
        'ipsec static delete policy name="X"',
        "S-1-5-18",
        start_when_available=False,
    )
    host.advance(1000)
    assert host.scheduler.tasks["\\t"].ran_at == due
    assert [(m["kind"], m["time"] - host.start) for m in host.timeline] == [
        ("task", 100.0),
        ("event", 500.0),
    ]
    assert host.clock.now() == host.start + 1000


def test_a_unix_job_runs_at_its_due_time() -> None:
    host = LinuxEndpoint(replace(resolve_scenario("success"), os="linux"))
    host.jobs.append(Job("atd", "release", host.start + 250, ["/usr/bin/true"]))
    host.advance(3600)
    ran = [c for c in host.commands if c.kind == "job"]
    assert [c.time - host.start for c in ran] == [250.0]


def test_a_server_answers_event_keeps_the_dns_an_earlier_event_changed() -> None:
    """Each event changes only what it names (fixed in e85f58f: a dns event changes the
    scenario's DNS, which the network is rebuilt from)."""
    scenario = replace(
        resolve_scenario("success"),
        events=(
            {"at": 100, "dns": {"velociraptor.example.com": ["192.0.2.20"]}},
            {"at": 200, "server_answers": False},
        ),
    )
    host = WindowsEndpoint(scenario)
    host.advance(300)
    assert host.network.lookup("velociraptor.example.com") == ["192.0.2.20"]
    assert host.network.frontend.addresses == frozenset({"192.0.2.20"})
    assert not host.network.frontend.answers


def test_an_event_of_a_preexisting_scenario_happens_in_its_life_not_in_the_set_up() -> None:
    """The set-up (a quarantine already in place) is the host's past: an event at 0 happens
    when the life starts, and the set-up does not take it back when it ends."""
    scenario = scenario_from_data(
        {
            "preexisting": True,
            "events": [{"at": 0, "dns": {"velociraptor.example.com": ["192.0.2.20"]}}],
            "life": [{"step": "monitor", "ticks": 1}],
        },
        "drift-at-start",
    )
    sim = simulate_file(DEFAULT, scenario)
    assert sim.error is None
    (event,) = [m for m in sim.timeline if m["kind"] == "event"]
    assert event["time"] >= sim.life[0].started
    assert "192.0.2.20" in " ".join(sim.state["permitted"])
    assert sim.state["permits_current"]


def test_an_event_query_that_ends_runs_all_its_ticks_with_no_deadline() -> None:
    """label-removed: the monitor's event query has no collection timeout (600 s), so it is
    not cut off before its second tick; it ends after it, and the release it schedules runs
    at its own time."""
    sim = simulate_file(DEFAULT, resolve_scenario("label-removed"))
    monitor = sim.life[0]
    assert monitor.cancelled == ""
    assert not any("timed out" in line for line in sim.logs)
    period = float(sim.params.get("ReloadPeriod") or 600)
    created = [c for c in sim.commands if "schtasks" in c.argv[0].lower()]
    assert created and created[-1].time >= monitor.started + period
    (task,) = sim.state["tasks"]
    assert task["ran_at"] == task["start"]
    assert sim.ok


def _ticks(query: str, ticks: int) -> tuple[list[float], float]:
    engine = Engine()
    engine.session.clock_ticks = ticks
    start = engine.session.clock
    rows = engine.query(query)
    return [row["Unix"] - start for row in rows], engine.session.clock - start


def test_the_clock_plugin_keeps_velociraptors_schedule() -> None:
    """vql/common/clock.go: the first row at ``start``, then one a period after the previous
    was taken; a row whose work overran the period is followed at once, and carries the time
    it fired (``time.Now()`` is taken before the blocking send), not the later moment it was
    taken; the query ends after the last row's work, not a period later."""
    assert _ticks("SELECT Unix FROM clock(period=600, start=now() + 60)", 3) == (
        [60.0, 660.0, 1260.0],
        1260.0,
    )
    slow = (
        "SELECT * FROM foreach(row={ SELECT Unix FROM clock(period=600, start=now() + 60) },"
        " query={ SELECT Unix, sleep(time=700) AS Slept FROM scope() })"
    )
    assert _ticks(slow, 3) == ([60.0, 660.0, 1360.0], 2160.0)
    assert _ticks("SELECT Unix FROM clock(period=10)", 2) == ([10.0, 20.0], 20.0)


def test_the_clock_plugin_waits_period_plus_ms() -> None:
    """vql/common/clock.go waits ``period`` seconds plus ``ms`` milliseconds; 1 s only when
    both are 0; a negative wait (``time.After``) fires at once."""
    assert _ticks("SELECT Unix FROM clock(ms=500)", 3) == ([0.0, 1.0, 1.0], 1.5)
    assert _ticks("SELECT Unix FROM clock(period=2, ms=1500)", 2) == ([3.0, 7.0], 7.0)
    assert _ticks("SELECT Unix FROM clock()", 2) == ([1.0, 2.0], 2.0)
    assert _ticks("SELECT Unix FROM clock(period=-5)", 2) == ([0.0, 0.0], 0.0)
    engine = Engine()
    engine.session.clock_ticks = 2
    rows = engine.query("SELECT String FROM clock(ms=250)")
    assert engine.session.clock == 1_700_000_000.5
    assert [row["String"] for row in rows] == [
        "2023-11-14 22:13:20.25 +0000 UTC",
        "2023-11-14 22:13:20.5 +0000 UTC",
    ]


def test_the_monitor_first_checks_after_its_start_delay() -> None:
    sim = simulate_file(DEFAULT, resolve_scenario("monitor-steady"))
    start_delay = float(sim.params.get("StartDelay") or 60)
    first = min(c.time for c in sim.commands)
    assert first - sim.life[0].started >= start_delay
