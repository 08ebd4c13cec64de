"""The Linux (nftables) and macOS (pf) artifacts on their simulated endpoints.

Built-in scenarios per platform, IPv6-only and dual-stack servers, the life of a quarantine
(monitor, reboot, DNS drift, expiry, label removed) and the status artifact.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from vr_quarantine.cli import main
from vr_quarantine.errors import VrqError
from vr_quarantine.profile.model import LinuxOptions, MacOptions
from vr_quarantine.render import render_artifacts
from vr_quarantine.simulate import (
    resolve_scenario,
    simulate_all,
    simulate_artifact,
    simulate_loaded,
)
from vr_quarantine.simulate.collection import close_root_scope
from vr_quarantine.simulate.linux import LinuxEndpoint
from vr_quarantine.simulate.macos import MacEndpoint
from vr_quarantine.simulate.platforms import WINDOWS_ONLY_SCENARIOS
from vr_quarantine.simulate.scenario import INTERNET_ADDRESS, Scenario, scenario_from_data
from vr_quarantine.simulate.unix import RESOLVER, UnixEndpoint
from vr_quarantine.vql.eval import ArtifactSet, Engine, load_artifact_text
from vr_quarantine.vql.eval.values import NULL

from tests.clirunner import CliRunner
from tests.test_lifecycle import assert_holds_without_gap, unassigned_moments
from tests.test_render_support import plain_profile

ROOT = Path(__file__).resolve().parent.parent

PLATFORMS = ("linux", "macos")
OS = {"linux": "linux", "macos": "darwin"}
FIREWALL = {"linux": "nft", "macos": "pfctl"}
ENGAGEMENT = Path(__file__).parent.parent / "examples" / "engagement-jumphost-share-ipv6.yaml"
PATHS = {"linux": "/usr/sbin/nft", "macos": "/sbin/pfctl"}
FORBIDDEN = {"ForbiddenTestURL": "https://www.example.com/"}


@functools.cache
def texts(platform: str) -> dict[str, str]:
    """The default profile's quarantine, monitor and status artifacts for `platform`."""
    profile = plain_profile(platforms=(platform,), message="Isolated by the DFIR team.")
    rendered = render_artifacts(profile)
    out: dict[str, str] = {}
    for kind, artifact in zip(("quarantine", "monitor", "status"), rendered, strict=True):
        assert artifact.text is not None, artifact.diagnostics
        out[kind] = artifact.text
    return out


def simulate(platform: str, scenario: Scenario | str, **params: str) -> Any:
    if isinstance(scenario, str):
        scenario = resolve_scenario(scenario)
    return simulate_artifact(texts(platform)["quarantine"], scenario, params=params)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize(
    "scenario",
    [
        "success",
        "server-unreachable",
        "removal",
        "policy-not-enforced",
        "proxy-config",
        "env-proxy",
        "collection-cancelled",
        "sni-frontend",
        "dual-stack",
    ],
)
def test_builtin_scenarios(platform: str, scenario: str) -> None:
    result = simulate(platform, scenario, **FORBIDDEN)
    assert result.error is None, result.error
    assert result.ok, [c for c in result.checks if not c.ok]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_failing_firewall_command_at_every_step_leaves_no_half(platform: str) -> None:
    steps = sum(
        1
        for c in simulate(platform, "success", **FORBIDDEN).commands
        if c.argv[0].endswith(FIREWALL[platform])
    )
    assert steps >= 4
    for step in range(1, steps + 1):
        result = simulate(platform, f"{FIREWALL[platform]}-fail:{step}", **FORBIDDEN)
        assert result.ok, (step, [c for c in result.checks if not c.ok], result.rows)
        assert not result.state["locked_out"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_success_runs_check_then_one_atomic_load(platform: str) -> None:
    commands = [c.argv for c in simulate(platform, "success").commands]
    loads = [a for a in commands if "-f" in a and a[0].endswith(FIREWALL[platform])]
    assert len(loads) == 2
    assert "-c" in loads[0] or "-n" in loads[0]
    assert "-c" not in loads[1] and "-n" not in loads[1]
    assert commands.index(loads[0]) < commands.index(loads[1])


@pytest.mark.parametrize(
    "changes",
    [
        {"platforms": ("linux",), "linux": LinuxOptions(table_name="site_quarantine")},
        {"platforms": ("macos",), "macos": MacOptions(anchor="com.apple/velociraptor.site")},
        {"platforms": ("windows",), "policy_name": "Site Quarantine"},
    ],
    ids=["linux-table", "macos-anchor", "windows-policy"],
)
def test_the_endpoint_reads_the_names_the_profile_gave_the_artifact(changes: Any) -> None:
    # The table, anchor or policy name is a parameter default of the rendered artifact, given
    # by no scenario: the simulated host must look for the quarantine under that name.
    rendered = render_artifacts(plain_profile(**changes))
    assert rendered[0].text is not None, rendered[0].diagnostics
    result = simulate_artifact(rendered[0].text, resolve_scenario("success"))
    assert result.ok, [c for c in result.checks if not c.ok]
    assert result.state["policy_assigned"] and result.state["isolated"]


def _v6_scenario(addresses: list[str], name: str = "vr6.example.org") -> Scenario:
    return scenario_from_data(
        {
            "client_config": {"server_urls": [f"https://{name}:8000/"]},
            "dns": {name: addresses},
            "expect": {
                "policy_assigned": True,
                "isolated": True,
                "server_reachable": True,
                "half_applied": False,
            },
        },
        "ipv6",
    )


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize(
    "addresses",
    [["2001:db8::10", "2001:db8::11"], ["192.0.2.10", "2001:db8::10", "192.0.2.11"]],
    ids=["ipv6-only", "dual-stack"],
)
def test_every_resolved_address_of_an_ipv6_or_dual_stack_server_is_permitted(
    platform: str, addresses: list[str]
) -> None:
    result = simulate(platform, _v6_scenario(addresses))
    assert result.ok, (result.rows, [c for c in result.checks if not c.ok])
    permitted = "\n".join(result.state["permitted"])
    for address in addresses:
        family = "ip6" if ":" in address else "ip"
        if platform == "linux":
            assert f"{family} daddr {address} tcp dport 8000 accept" in permitted
            assert f"{family} saddr {address} tcp sport 8000 accept" in permitted
        else:
            assert f"to {address} port 8000 no state" in permitted
            assert f"from {address} port 8000 to any" in permitted
    probes = [c.argv for c in result.commands if c.argv[0].endswith("curl")]
    pinned = {a[a.index("--connect-to") + 1] for a in probes if "--connect-to" in a}
    assert pinned == {f"vr6.example.org:8000:{f'[{a}]' if ':' in a else a}:8000" for a in addresses}


def _endpoint(platform: str, scenario: Scenario) -> UnixEndpoint:
    scenario = dataclasses.replace(scenario, os=OS[platform])
    return LinuxEndpoint(scenario) if platform == "linux" else MacEndpoint(scenario)


def test_ipv6_traffic_to_anything_else_is_blocked_on_both_platforms() -> None:
    for platform in PLATFORMS:
        result = simulate(platform, _v6_scenario(["2001:db8::10"]))
        assert result.ok
    host = Host("linux", _v6_scenario(["2001:db8::10"]))
    host.run("quarantine")
    assert host.endpoint.connection_ok("2001:db8::10", 8000)
    assert not host.endpoint.connection_ok("2001:db8:99::1", 443)
    assert not host.endpoint.connection_ok("2001:db8::10", 22)


# ---------------------------------------------------------------- the life of a quarantine


class Host:
    """One simulated host across several collections (the state persists between them)."""

    def __init__(self, platform: str, scenario: Scenario | None = None) -> None:
        self.platform = platform
        scenario = scenario or resolve_scenario("success")
        self.endpoint = _endpoint(platform, scenario)
        self.artifacts = ArtifactSet()
        self.names: dict[str, str] = {}
        for kind, text in texts(platform).items():
            artifact = load_artifact_text(text, f"{kind}.yaml")
            self.artifacts.add(artifact)
            self.names[kind] = artifact.name
        self.engine = self._engine()
        self.timeline: list[bool] = []

    def _engine(self) -> Engine:
        engine = Engine(
            config=dict(self.endpoint.scenario.client_config),
            side_effects=self.endpoint,
            artifacts=self.artifacts,
            mocks=False,
        )
        self.endpoint.clock.attach(engine.session)
        return engine

    def run(self, kind: str, **params: str) -> list[Any]:
        self.engine = self._engine()
        start = len(self.endpoint.commands)
        self.endpoint.begin_collection(600)
        rows = self.engine.run_artifact(self.names[kind], dict(params))
        close_root_scope(self.engine, self.endpoint)
        self.endpoint.query_ended()
        self.endpoint.deadline = None
        self.last = self.endpoint.commands[start:]
        return rows

    def watch(self) -> None:
        """Record, after every command, whether a quarantine is in force."""
        original: Callable[[list[str]], tuple[int, str, str]] = self.endpoint.run_program

        def watched(argv: list[str]) -> tuple[int, str, str]:
            result = original(argv)
            self.timeline.append(self.endpoint.in_force())
            return result

        self.endpoint.run_program = watched  # type: ignore[method-assign]

    def ran(self, word: str) -> list[list[str]]:
        return [c.argv for c in self.last if word in " ".join(c.argv)]

    def later(self, seconds: float) -> None:
        self.endpoint.advance(seconds)


LOAD = {"linux": "nft -f", "macos": "-f /tmp"}
MESSAGE = {"linux": "wall", "macos": "osascript"}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_monitor_steady_changes_nothing_and_shows_the_message_once(platform: str) -> None:
    host = Host(platform)
    host.run("quarantine", MonitorMode="Y")
    assert host.endpoint.in_force() and host.ran(MESSAGE[platform])
    for _ in range(3):
        assert host.run("quarantine", MonitorMode="Y") == []
        assert not host.ran(LOAD[platform]) and not host.ran(MESSAGE[platform])
        assert not [
            c
            for c in host.last
            if c.argv[0].endswith(FIREWALL[platform])
            and re.search(r" -(f|F|E|X) ", " ".join(c.argv) + " ")
            and "-s" not in c.argv
        ]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_monitor_reapplies_after_a_reboot_and_after_dns_drift_with_no_gap(platform: str) -> None:
    host = Host(platform)
    host.run("quarantine", MonitorMode="Y")
    # A reboot: the rules are gone (the recorded state on disk stays).
    if platform == "linux":
        assert isinstance(host.endpoint, LinuxEndpoint)
        host.endpoint.nft.tables.clear()
    else:
        assert isinstance(host.endpoint, MacEndpoint)
        host.endpoint.pf.anchors.clear()
        host.endpoint.pf.references.clear()
    rows = host.run("quarantine", MonitorMode="Y")
    assert host.endpoint.in_force() and host.ran(LOAD[platform])
    assert not host.ran(MESSAGE[platform]), "the message is shown once per quarantine"
    assert rows[-1]["Status"] == "ok"
    # DNS drift: the server moves; the re-application never leaves the host unquarantined.
    moved = dataclasses.replace(
        host.endpoint.scenario, dns={"velociraptor.example.com": ["192.0.2.77"]}
    )
    host.endpoint.scenario = moved
    host.watch()
    host.run("quarantine", MonitorMode="Y")
    assert host.ran(LOAD[platform])
    assert host.timeline and all(host.timeline), host.timeline
    assert host.endpoint.connection_ok("192.0.2.77", 8000)
    assert not host.endpoint.connection_ok("192.0.2.10", 8000)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_expiry_removes_the_quarantine_even_without_the_client(platform: str) -> None:
    host = Host(platform)
    host.run("quarantine", Expiry="2h")
    assert host.endpoint.in_force()
    scheduler = {"linux": "systemd", "macos": "launchd"}[platform]
    assert [j.owner for j in host.endpoint.jobs] == [scheduler]
    host.later(3600)
    assert host.endpoint.in_force()
    # The monitor keeps the deadline: it never extends it.
    host.endpoint.clock.advance(1)
    host.run("quarantine", MonitorMode="Y", Expiry="48h")
    # launchd starts a job at the start of a minute: the one after the deadline (never early).
    host.later(3600 + 60)
    assert not host.endpoint.enforced()
    state = host.endpoint.final_state([])
    assert not state["isolated"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_expired_quarantine_is_ended_and_never_re_applied(platform: str) -> None:
    host = Host(platform)
    host.run("quarantine", Expiry="1h")
    for job in host.endpoint.jobs:  # the expiry job was lost (a restart took it)
        job.fired = True
    host.endpoint.clock.advance(7200)
    rows = host.run("quarantine", MonitorMode="Y")
    assert "expired" in rows[0]["Result"] and "monitor ends it now" in rows[0]["Result"]
    assert not host.endpoint.in_force()
    for _ in range(2):
        rows = host.run("quarantine", MonitorMode="Y")
        assert [r["Step"] for r in rows] == ["expiry"] and "not re-applied" in rows[0]["Result"]
        assert not host.ran(LOAD[platform]) and not host.endpoint.in_force()
    # The recorded state marks the expired quarantine until the label is removed.
    host.run("quarantine", RemovePolicy="Y")
    state = host.endpoint.final_state([])
    assert not state["policy_assigned"] and not state["leftovers"], state


def test_linux_expiry_falls_back_to_at_and_refuses_without_either() -> None:
    at_only = dataclasses.replace(
        resolve_scenario("success"), absent_files=("/run/systemd/system",)
    )
    host = Host("linux", at_only)
    host.run("quarantine", Expiry="1h")
    assert [j.owner for j in host.endpoint.jobs] == ["at"]
    assert host.ran("at -f")
    host.later(3601)
    assert not host.endpoint.in_force()

    neither = dataclasses.replace(at_only, absent_files=("/run/systemd/system", "atq", "at"))
    result = simulate_artifact(texts("linux")["quarantine"], neither, params={"Expiry": "1h"})
    assert result.rows and all(r["Status"] == "failed" for r in result.rows)
    assert "neither systemd" in result.rows[0]["Result"]
    assert not any("-f" in c.argv for c in result.commands)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_removal_cancels_the_expiry_job_and_forgets_the_state(platform: str) -> None:
    host = Host(platform)
    host.run("quarantine", Expiry="1d")
    host.run("quarantine", RemovePolicy="Y")
    state = host.endpoint.final_state([])
    assert not state["policy_assigned"] and not state["leftovers"], state
    assert state["expiry_jobs"] == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_label_removed_schedules_the_release_and_a_new_monitor_cancels_it(platform: str) -> None:
    host = Host(platform)
    host.run("monitor")  # one clock tick: applies; finish() runs its atexit: the label is gone
    assert host.endpoint.in_force(), "the release waits ReleaseDelay seconds"
    release = [j for j in host.endpoint.jobs if "release" in j.name and not j.fired]
    assert len(release) == 1 and PATHS[platform] in " ".join(release[0].argv)
    assert host.run("status")[0]["ReleaseAt"] is not None, "status shows the pending release"
    host.run("monitor")  # the monitor starts again within the delay: the release is cancelled
    assert not [j for j in host.endpoint.jobs if "release" in j.name and j.ran]
    pending = [j for j in host.endpoint.jobs if "release" in j.name and not j.fired]
    assert len(pending) == 1, "the second monitor's own exit scheduled a new one"
    host.later(600 + 60)
    state = host.endpoint.final_state([])
    assert not state["policy_assigned"] and not state["isolated"] and state["task_ran"]
    assert state["no_gap"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_release_delay_zero_removes_at_once(platform: str) -> None:
    host = Host(platform)
    host.run("monitor", ReleaseDelay="0")
    state = host.endpoint.final_state([])
    assert not state["policy_assigned"] and not state["isolated"]
    assert not [j for j in host.endpoint.jobs if "release" in j.name]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_status_reports_the_quarantine_without_changing_anything(platform: str) -> None:
    host = Host(platform)
    [before] = host.run("status")
    assert before["InForce"] is False
    host.run("quarantine", Expiry="1d", Reason="Ransomware", Ticket="IR-1")
    [after] = host.run("status")
    assert after["InForce"] is True and after["ServerReachable"] is True
    assert after["Owner"].startswith("vr-quarantine")
    assert (after["Reason"], after["Ticket"], after["ExpiryScheduled"]) == (
        "Ransomware",
        "IR-1",
        True,
    )
    changed = [
        c.argv
        for c in host.last
        if c.argv[0].endswith(FIREWALL[platform]) and not {"list", "-s"} & set(c.argv)
    ]
    assert changed == []


def test_linux_status_recognises_upstreams_table() -> None:
    host = Host("linux")
    assert isinstance(host.endpoint, LinuxEndpoint)
    host.endpoint.files["/tmp/up.nft"] = (
        "table inet vrr_quarantine_table {\n\tchain inbound_chain {\n"
        "\t\ttype filter hook input priority 0; policy drop;\n\t}\n}\n"
    )
    host.endpoint.run_program(["/usr/sbin/nft", "-f", "/tmp/up.nft"])
    [row] = host.run("status")
    assert row["InForce"] is True and "upstream" in row["Owner"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_proxy_the_rule_table_permits_is_probed_and_kept(platform: str) -> None:
    proxied = dataclasses.replace(
        resolve_scenario("env-proxy"),
        expect=resolve_scenario("success").expect,
        expect_one_of=(),
    )
    table = (
        "Action,SrcAddr,SrcPort,DstAddr,DstPort,Protocol,Mirrored,Description\n"
        "permit,me,,203.0.113.9,3128,tcp,yes,Web proxy\n"
        "permit,me,,any,53,udp,yes,DNS\n"
    )
    result = simulate(platform, proxied, RuleLookupTable=table)
    assert result.ok, (result.rows, [c for c in result.checks if not c.ok])
    probes = [c.argv for c in result.commands if c.argv[0].endswith("curl")]
    assert any("--proxy" in a and "http://203.0.113.9:3128" in a for a in probes)


def test_windows_only_scenarios_are_refused_for_linux_and_macos() -> None:
    for platform in PLATFORMS:
        with pytest.raises(VrqError, match="models Windows only"):
            simulate(platform, "domain-ipsec-policy")


@pytest.mark.parametrize(
    ("platform", "tool"), [("windows", "netsh"), ("linux", "nft"), ("macos", "pfctl")]
)
def test_simulate_a_profile_for_each_of_its_platforms(platform: str, tool: str) -> None:
    example = ROOT / "examples" / "engagement-jumphost-share-ipv6.yaml"
    for scenario in ("success", "server-unreachable", "removal"):
        result = CliRunner().invoke(
            main, ["simulate", str(example), "--platform", platform, "-s", scenario, "-f", "json"]
        )
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        assert any(tool in " ".join(c["argv"]) for c in report["commands"])


def test_simulate_refuses_a_platform_the_profile_does_not_name() -> None:
    example = ROOT / "examples" / "site-proxy.yaml"
    result = CliRunner().invoke(main, ["simulate", str(example), "--platform", "linux"])
    assert result.exit_code == 2 and "does not render for 'linux'" in result.stderr


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"RequireReason": "Y"}, "requires a Reason"),
        ({"Expiry": "3 weeks"}, "is not a duration"),
        ({"Expiry": "400d"}, "is not a duration"),
    ],
)
def test_refusals_change_nothing(platform: str, params: dict[str, str], message: str) -> None:
    result = simulate(platform, "success", **params)
    assert result.rows and all(r["Status"] == "failed" for r in result.rows), result.rows
    assert any(message in r["Result"] for r in result.rows)
    assert not result.state["changed"] and not result.state["policy_assigned"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_recorded_state_holds_reason_ticket_provenance_and_deadline(platform: str) -> None:
    host = Host(platform)
    host.run("quarantine", Reason="Ransomware", Ticket="IR-7", Expiry="90m")
    state = json.loads(host.endpoint.final_state([])["state_file"])
    assert (state["Reason"], state["Ticket"]) == ("Ransomware", "IR-7")
    assert state["ExpiresAt"] - state["AppliedAt"] == 5400
    assert state["ProfileId"] == "test-profile" and len(state["ProfileSHA256"]) == 64
    assert state["ToolVersion"].startswith("vr-quarantine ")
    assert state["Artifact"] == host.names["quarantine"]


# ---------------------------------------------------------------- built-in life scenarios


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_builtin_scenario_holds_with_no_gap(platform: str) -> None:
    """The same built-in scenarios as Windows (but those about Windows alone), life ones
    included: the monitor steady, DNS drift, the quarantine removed locally, expiry, the label
    removed, the monitor restarted; and the timeline proof of tests/test_lifecycle.py."""
    simulations = simulate_all(ENGAGEMENT, platform=platform)
    names = {s.scenario.name for s in simulations}
    assert names >= {"monitor-steady", "dns-drift", "label-removed", "monitor-restart"}
    assert names.isdisjoint(WINDOWS_ONLY_SCENARIOS)
    for sim in simulations:
        assert_holds_without_gap(sim)


def test_linux_release_falls_back_to_at_and_is_cancelled_with_atrm() -> None:
    at_only = dataclasses.replace(
        resolve_scenario("success"), absent_files=("/run/systemd/system",)
    )
    host = Host("linux", at_only)
    host.run("monitor")
    assert host.endpoint.in_force() and host.ran("at -f")
    assert [j.owner for j in host.endpoint.jobs if not j.fired] == ["at"]
    host.run("monitor")
    assert host.ran("atrm 1")
    host.later(600 + 60)
    assert not host.endpoint.in_force()


@functools.cache
def _rendered(platform: str) -> tuple[Any, ...]:
    profile = plain_profile(platforms=(platform,), message="Isolated by the DFIR team.")
    return tuple(r.file for r in render_artifacts(profile))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_reboot_between_two_monitor_periods_is_healed_with_one_message(platform: str) -> None:
    main, *companions = _rendered(platform)
    scenario = dataclasses.replace(
        resolve_scenario("monitor-steady"),
        name="reboot",
        events=({"at": 600, "local": "reboot"},),
        expect=dataclasses.replace(resolve_scenario("monitor-steady").expect, applied_once=None),
    )
    result = simulate_loaded(main, scenario, source="<profile>", companions=tuple(companions))
    assert result.ok, [c for c in result.checks if not c.ok]
    assert [m["what"] for m in result.timeline if m["kind"] == "event"] == ["the host restarted"]
    assert len([m for m in result.timeline if m["kind"] == "load"]) == 2
    assert result.state["message_boxes"] == 1
    gaps, _ = unassigned_moments(result.timeline)
    assert gaps == []


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize(("minutes", "released"), [("0", False), ("10", True)])
def test_the_dead_man_release_is_off_unless_asked_for(
    platform: str, minutes: str, released: bool
) -> None:
    main, *companions = _rendered(platform)
    scenario = dataclasses.replace(
        resolve_scenario("success"),
        name="dead-man",
        life=(
            {"step": "monitor", "ticks": 5, "params": {"ReleaseAfterUnreachableMinutes": minutes}},
        ),
        events=({"at": 700, "server_answers": False},),
    )
    result = simulate_loaded(main, scenario, source="<profile>", companions=tuple(companions))
    assert result.error is None
    assert (result.state["assigned_policy"] is None) is released
    assert any(row.get("Step") == "dead-man release" for row in result.rows) is released


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("scenario", ["server-unreachable", "policy-not-enforced"])
def test_every_rollback_command_succeeds(platform: str, scenario: str) -> None:
    """A rollback on a healthy host is complete: every command of it succeeds (on macOS the
    token file and the expiry job file go with /bin/rm -f)."""
    result = simulate(platform, scenario, Expiry="2h", **FORBIDDEN)
    rollback = [r for r in result.rows if r["Step"] == "rollback"]
    assert rollback, result.rows
    assert all(r["Status"] == "ok" for r in rollback), rollback
    assert not any("Rollback incomplete" in r["Result"] for r in result.rows)
    assert not result.state["leftovers"], result.state


def test_the_unix_model_runs_rm_as_rm_1_does() -> None:
    endpoint = MacEndpoint(resolve_scenario("success"))
    endpoint.files["/var/run/x.pf-token"] = "12"
    assert endpoint.run_program(["/bin/rm", "-f", "/var/run/x.pf-token"]) == (0, "", "")
    assert "/var/run/x.pf-token" not in endpoint.files
    assert endpoint.run_program(["/bin/rm", "-f", "/var/run/x.pf-token"]) == (0, "", "")
    code, _, err = endpoint.run_program(["/bin/rm", "/var/run/x.pf-token"])
    assert code == 1 and "No such file or directory" in err
    code, _, err = endpoint.run_program(["/bin/rm", "-f", "/var/run"])
    assert code == 1 and "is a directory" in err
    assert "/var/run" in endpoint.directories


# ---------------------------------------------------------------- a failed re-apply


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("monitor", [True, False], ids=["monitor", "second-collection"])
def test_a_failed_reapply_gives_back_the_quarantine_in_force(platform: str, monitor: bool) -> None:
    """Applied again over a quarantine in force (the monitor after DNS drift, or a second
    collection) with a server that no longer answers: the check fails, and the rules, the pf
    enable reference and the expiry job that were in force stay or come back, with no moment
    open in between."""
    host = Host(platform)
    mode = {"MonitorMode": "Y"} if monitor else {}
    host.run("quarantine", Expiry="2h", **mode)
    before = host.endpoint.final_state([])
    assert before["policy_assigned"] and before["expiry_jobs"]
    host.endpoint.scenario = dataclasses.replace(
        host.endpoint.scenario,
        dns={"velociraptor.example.com": ["192.0.2.77"]},
        server_answers=False,
    )
    host.watch()
    host.endpoint.clock.advance(60)
    rows = host.run("quarantine", Expiry="2h", **mode)
    assert host.ran(LOAD[platform]), "the new rules were loaded, then failed their check"
    assert any(r["Step"] == "quarantine" and r["Status"] == "failed" for r in rows)
    restored = [r for r in rows if r["Step"] == "restored"]
    assert restored and "in force again" in restored[0]["Result"], rows
    assert host.timeline and all(host.timeline), "a moment without the quarantine"
    after = host.endpoint.final_state([])
    assert after["policy_assigned"] and after["isolated"]
    assert after["store"] == before["store"], "the rules in force are not those before"
    assert after["expiry_jobs"] == before["expiry_jobs"], "the expiry job in force was lost"
    assert after["state_file"] == before["state_file"]


@pytest.mark.parametrize(
    "token_file", ["/var/run/../etc/pf.tok", "/var/run/./pf.tok", "/var/run/..", "/var//pf.tok"]
)
def test_the_macos_artifact_refuses_a_token_file_with_a_dot_part(token_file: str) -> None:
    """The parameter can be changed in the GUI, past validate: the artifact's own pre-flight
    refuses a token file whose path has an empty, '.' or '..' part, and writes nothing."""
    result = simulate("macos", "success", TokenFile=token_file)
    assert result.rows and all(r["Status"] == "failed" for r in result.rows), result.rows
    assert any("no empty, . or .. part" in r["Result"] for r in result.rows)
    assert not result.state["changed"]


# ---------------------------------------------------------------- macOS: the pf reference


@pytest.mark.parametrize("end", ["expiry", "release"])
def test_the_macos_launchd_job_releases_the_pf_reference_and_the_token_file(end: str) -> None:
    """The launchd job that ends the quarantine without the client (the expiry, or the release
    the monitor's exit scheduled) flushes the anchor, releases the pf enable reference the
    artifact took with pfctl -E (pf is disabled when no reference is left) and removes the
    token file: nothing of ours keeps pf enabled."""
    host = Host("macos")
    assert isinstance(host.endpoint, MacEndpoint)
    if end == "expiry":
        host.run("quarantine", Expiry="1h")
    else:
        host.run("monitor")  # applies, then its atexit schedules the release
    token_file = "/var/run/velociraptor-quarantine.pf-token"
    before = host.endpoint.final_state([])
    assert before["pf_references"] and token_file in host.endpoint.files
    host.later(3600 + 60)
    after = host.endpoint.final_state([])
    assert after["task_ran"] and not after["policy_exists"]
    assert after["pf_references"] == [], "the pf enable reference is still held"
    assert not host.endpoint.pf.enabled
    assert token_file not in host.endpoint.files
    job = next(j for j in host.endpoint.jobs if j.ran)
    assert job.argv[:2] == ["/bin/sh", "-c"]
    assert job.argv[2] == (
        f"/sbin/pfctl -a com.apple/velociraptor.quarantine -F all; "
        f"/sbin/pfctl -X {before['pf_references'][0]}; /bin/rm -f {token_file}"
    )


def test_a_macos_job_keeps_pf_enabled_for_another_service() -> None:
    """pf enabled by someone else (another reference) stays enabled after our job ran."""
    host = Host("macos")
    assert isinstance(host.endpoint, MacEndpoint)
    host.endpoint.pf.enabled_by_system = True
    host.run("quarantine", Expiry="1h")
    host.later(3600 + 60)
    assert host.endpoint.final_state([])["pf_references"] == []
    assert host.endpoint.pf.enabled and not host.endpoint.in_force()


# ---------------------------------------------------------------- status without the tools


@pytest.mark.parametrize("platform", PLATFORMS)
def test_status_without_the_firewall_tool_or_curl_says_so_and_starts_nothing(
    platform: str,
) -> None:
    """A status collection on a host without nft/pfctl and curl starts no missing program (no
    'fork/exec ...: no such file or directory' rows or log lines): InForce and ServerReachable
    are empty rather than a false no, and Notes says what could not be read."""
    absent = (PATHS[platform], "/usr/bin/curl")
    host = Host(platform, dataclasses.replace(resolve_scenario("success"), absent_files=absent))
    [row] = host.run("status")
    assert [c.argv for c in host.last if c.return_code != 0] == []
    assert not [line for line in host.engine.logs if "fork/exec" in line], host.engine.logs
    assert row["InForce"] is NULL and row["ServerReachable"] is NULL
    assert f"{FIREWALL[platform]} was not found at {PATHS[platform]}" in row["Notes"]
    assert "curl was not found at /usr/bin/curl" in row["Notes"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_status_looks_at_the_expiry_job_only_where_its_scheduler_is(platform: str) -> None:
    host = Host(platform)
    host.run("quarantine", Expiry="1h")
    if platform == "linux":
        host.endpoint.directories.discard("/run/systemd/system")
    else:
        del host.endpoint.files["/bin/launchctl"]
    [row] = host.run("status")
    assert not [c.argv for c in host.last if c.argv[0].endswith(("systemctl", "launchctl"))]
    assert row["InForce"] is True and row["ExpiryScheduled"] is False
    assert "could not be looked at" in row["Notes"]
    [healthy] = Host(platform).run("status")
    assert healthy["Notes"] == ""


# ---------------------------------------------------------------- DNS replies by state


@pytest.mark.parametrize("platform", PLATFORMS)
def test_dns_replies_come_in_by_state_and_nothing_comes_from_port_53_unasked(
    platform: str,
) -> None:
    """The DNS permits let the host's queries out and their replies in by connection state
    (nftables ct state established,related; pf keep state), with no stateless reverse rule: a
    packet from port 53 that answers no query (any address, UDP or TCP) is dropped."""
    host = Host(platform)
    host.run("quarantine")
    endpoint = host.endpoint
    assert endpoint.in_force() and endpoint.dns_passes()
    for protocol in (17, 6):
        for remote in (RESOLVER, INTERNET_ADDRESS):
            assert endpoint.packet_ok("out", remote, protocol, 53, 40000)
            assert endpoint.packet_ok("in", remote, protocol, 53, 40000, reply=True)
            assert not endpoint.packet_ok("in", remote, protocol, 53, 40000), (remote, protocol)
            assert not endpoint.packet_ok("in", remote, protocol, 53, 22), (remote, protocol)
    rules = endpoint.final_state([])["permitted"]
    if platform == "linux":
        assert "input: udp sport 53 ct state established,related accept" in rules
        assert "input: udp sport 53 accept" not in rules
    else:
        assert "pass out quick proto udp from any to any port 53 keep state" in rules
        assert not [r for r in rules if "port 53 to" in r], rules
    # DHCP stays stateless: its server answers a broadcast from an address of its own.
    assert endpoint.packet_ok("in", "10.0.0.1", 17, 67, 68)
