"""The queries registered with atexit(): the order the root scope's Close runs them in (newest
first, vfilter ``scope/scope.go``), each bounded by its own timeout (``vql/tools/atexit.go``), and
a monitor that registered several of them behaving correctly under that order."""

from __future__ import annotations

from pathlib import Path

from vr_quarantine.simulate import resolve_scenario, simulate_file
from vr_quarantine.simulate.collection import close_root_scope
from vr_quarantine.simulate.endpoint import WindowsEndpoint
from vr_quarantine.simulate.scenario import scenario_from_data
from vr_quarantine.vql.eval import Engine

ROOT = Path(__file__).resolve().parent.parent


def _netsh_delete(name: str) -> str:
    argv = f'["netsh", "ipsec", "static", "delete", "policy", "name={name}"]'
    return f"SELECT * FROM execve(argv={argv})"


def test_exit_queries_run_newest_first() -> None:
    engine = Engine()
    engine.query(
        'LET A <= atexit(query={ SELECT log(message="registered first") FROM scope() })\n'
        'LET B <= atexit(query={ SELECT log(message="registered second") FROM scope() })\n'
        "SELECT * FROM scope()"
    )
    engine.finish()
    assert engine.logs == [
        "Running AtExit query",
        "registered second",
        "Running AtExit query",
        "registered first",
    ]


def test_each_exit_query_has_its_own_timeout_and_one_running_out_spares_the_others() -> None:
    """B (newest, timeout 10 s) sleeps 30 s before its command: its context ends first, so its
    command never runs; A (timeout 60 s) still runs after it, in a context of its own."""
    endpoint = WindowsEndpoint(resolve_scenario("success"))
    engine = Engine(side_effects=endpoint, mocks=False)
    endpoint.clock.attach(engine.session)
    endpoint.begin_collection(600)
    engine.query(
        f"LET A <= atexit(query={{ {_netsh_delete('A')} }}, timeout=60)\n"
        "LET B <= atexit(query={ SELECT * FROM chain(\n"
        "    a={ SELECT sleep(time=30) FROM scope() },\n"
        f"    b={{ {_netsh_delete('B')} }}) }}, timeout=10)\n"
        "SELECT * FROM scope()"
    )
    close_root_scope(engine, endpoint)
    ran = [c.argv[-1] for c in endpoint.commands]
    assert ran == ["name=A"]
    assert any("did not finish within its 10 s" in line for line in engine.logs), engine.logs
    assert endpoint.deadline is None


def test_a_monitor_ended_while_it_reapplies_leaves_nothing_and_its_rollback_is_complete() -> None:
    """The label is removed (the event query is cancelled) right after the monitor assigned the
    other slot for a DNS change. Newest first, the interrupted run's exit rollback gives the
    first slot back and deletes the new one, then the monitor's release removes the quarantine:
    a complete rollback and nothing left. (Oldest first, the release would delete the first
    slot before the rollback tries to assign it again: an incomplete rollback.)"""
    scenario = scenario_from_data(
        {
            "preexisting": True,
            "cancel_after": "assign",
            "params": {"ReleaseDelay": 0},
            "events": [{"at": 100, "dns": {"velociraptor.example.com": ["192.0.2.20"]}}],
            "life": [{"step": "monitor", "ticks": 2}],
        },
        "monitor-ended-mid-reapply",
    )
    sim = simulate_file(ROOT / "examples" / "upstream-defaults.yaml", scenario)
    assert sim.error is None
    assert sim.cancelled
    done = [line for line in sim.logs if "exit rollback done" in line]
    assert done and not any("incomplete" in line for line in done), sim.logs
    assert sim.state["assigned_policy"] is None
    assert not sim.state["policy_exists"] and not sim.state["leftovers"]
    assert not sim.state["isolated"]
    what = [m["what"] for m in sim.timeline]
    restore = what.index("ipsec static set policy name=VelociraptorQuarantine assign=y", 20)
    release = what.index("ipsec static delete policy name=VelociraptorQuarantine", restore)
    assert restore < release
