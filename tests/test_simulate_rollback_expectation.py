"""Scenarios that expect a rollback check that it happened and was complete (`rolled_back`):
the host's packet filter, files and pending jobs are as before the run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from vr_quarantine.simulate import resolve_scenario, simulate_file
from vr_quarantine.simulate.scenario import BUILTIN

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "upstream-defaults.yaml"


@pytest.mark.parametrize(
    "name", ["server-unreachable", "policy-not-enforced", "collection-cancelled"]
)
def test_the_rollback_scenarios_expect_a_complete_rollback(name: str) -> None:
    assert BUILTIN[name].expect.rolled_back is True


def test_a_rollback_that_leaves_a_filter_list_fails_the_scenario() -> None:
    """The undo of the permit filter list fails: no policy is assigned and the host is not
    isolated (all the scenario used to check), but a filter list is left behind."""
    scenario = resolve_scenario("server-unreachable")
    clean = simulate_file(EXAMPLE, scenario)
    assert clean.ok and clean.state["rolled_back"]
    netsh = clean.netsh_commands
    assigned = max(i for i, argv in enumerate(netsh) if argv[-1] == "assign=y")
    undo_list = next(i for i in range(assigned + 1, len(netsh)) if netsh[i][4] == "filterlist")
    sim = simulate_file(EXAMPLE, replace(scenario, netsh_fail_step=undo_list + 1))
    assert not sim.state["policy_assigned"] and not sim.state["isolated"]
    assert sim.state["leftovers"] and not sim.state["rolled_back"]
    assert [c.name for c in sim.checks if not c.ok] == ["rolled_back"]
    assert not sim.ok


def test_a_run_that_never_changed_the_host_did_not_roll_back() -> None:
    sim = simulate_file(EXAMPLE, resolve_scenario("domain-ipsec-policy"))
    assert not sim.state["changed"] and not sim.state["rolled_back"]
