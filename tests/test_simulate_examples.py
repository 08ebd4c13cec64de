"""Every example profile's artifact under every built-in scenario: exact netsh argv, final state.

The expected netsh sequences are built here from the profile model, independently of the
templates: clean-up deletes, the policy created unassigned, filter lists, server permits, the
rule table, filter actions, rules, and the assignment last; a failure or a failed check then
deletes what the run created, in creation order.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from vr_quarantine.profile import Profile, load_profile_file, table_rules
from vr_quarantine.render.context import rule_row
from vr_quarantine.simulate import Simulation, resolve_scenario, simulate_file
from vr_quarantine.simulate.endpoint import WindowsEndpoint
from vr_quarantine.simulate.scenario import DEFAULT_SERVER_URL, Scenario
from vr_quarantine.vql.eval.values import GoUrl

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
NETSH = ["netsh", "ipsec", "static"]
_CLEAN = re.compile(r"(?s)^(\w+|\w+=.+)$")


def _profile(path: Path) -> Profile:
    loaded = load_profile_file(path)
    assert loaded.profile is not None, loaded.diagnostics
    return loaded.profile


def _names(profile: Profile) -> dict[str, str]:
    policy = profile.policy_name
    return {
        "policy": policy,
        "list permit": f"{policy} PermitFilterList",
        "list block": f"{policy} BlockFilterList",
        "action permit": f"{policy} PermitAction",
        "action block": f"{policy} BlockAction",
        "rule permit": f"{policy} PermitRule",
        "rule block": f"{policy} BlockRule",
    }


def _uses_block(profile: Profile) -> bool:
    return any(rule.action == "block" for rule in table_rules(profile))


def _alt(argv: list[str], profile: Profile) -> list[str]:
    """The same command for the alternate slot (the policy name + " Alt")."""
    name = profile.policy_name
    return [*argv[:-1], argv[-1].replace(f"={name}", f"={name} Alt", 1)]


def cleanup(profile: Profile) -> list[list[str]]:
    n = _names(profile)
    return [
        [*NETSH, "delete", "policy", f"name={n['policy']}"],
        [*NETSH, "delete", "filterlist", f"name={n['list permit']}"],
        [*NETSH, "delete", "filterlist", f"name={n['list block']}"],
        [*NETSH, "delete", "filteraction", f"name={n['action permit']}"],
        [*NETSH, "delete", "filteraction", f"name={n['action block']}"],
    ]


def server_endpoints(profile: Profile, scenario: Scenario) -> list[tuple[str, str]]:
    """(address, port) of every server the artifact permits, resolved as the scenario does."""
    urls = list(scenario.client_config["server_urls"]) if profile.use_client_server_urls else []
    urls += [server.url for server in profile.server_urls]
    endpoint = WindowsEndpoint(scenario)
    found: list[tuple[str, str]] = []
    for url in urls:
        parsed = GoUrl.parse(url)
        if parsed.Scheme not in ("https", "wss"):
            continue
        port = str(parsed.member("Port")[1]) or "443"
        for address in endpoint.resolve(str(parsed.member("Hostname")[1])):
            if (address, port) not in found:
                found.append((address, port))
    return found


def build(profile: Profile, scenario: Scenario) -> list[tuple[str, list[str]]]:
    """(undo key or "", argv) for every command after the clean-up, in order."""
    n = _names(profile)
    block = _uses_block(profile)
    steps: list[tuple[str, list[str]]] = [
        (
            "policy",
            [
                *NETSH,
                "add",
                "policy",
                f"name={n['policy']}",
                "description=<state>",
                "assign=no",
            ],
        ),
        ("list permit", [*NETSH, "add", "filterlist", f"name={n['list permit']}"]),
    ]
    if block:
        steps.append(("list block", [*NETSH, "add", "filterlist", f"name={n['list block']}"]))
    for address, port in server_endpoints(profile, scenario):
        steps.append(
            (
                "",
                [
                    *NETSH,
                    "add",
                    "filter",
                    f"filterlist={n['list permit']}",
                    "srcaddr=me",
                    "srcport=0",
                    f"dstaddr={address}",
                    f"dstport={port}",
                    "protocol=tcp",
                    "mirrored=yes",
                    "description=Velociraptor server",
                ],
            )
        )
    keys = (
        "srcaddr",
        "srcmask",
        "srcport",
        "dstaddr",
        "dstmask",
        "dstport",
        "protocol",
        "mirrored",
        "description",
    )
    for rule in table_rules(profile):
        cells = rule_row(rule)
        action = cells[0].lower()
        argv = [*NETSH, "add", "filter", f"filterlist={n['list ' + action]}"]
        argv += [f"{key}={cell}" for key, cell in zip(keys, cells[1:], strict=True)]
        steps.append(("", [a for a in argv if _CLEAN.match(a)]))
    steps.append(
        (
            "action permit",
            [*NETSH, "add", "filteraction", f"name={n['action permit']}", "action=permit"],
        )
    )
    if block:
        steps.append(
            (
                "action block",
                [*NETSH, "add", "filteraction", f"name={n['action block']}", "action=block"],
            )
        )
    for action in ("permit", "block") if block else ("permit",):
        steps.append(
            (
                "",
                [
                    *NETSH,
                    "add",
                    "rule",
                    f"name={n['rule ' + action]}",
                    f"policy={n['policy']}",
                    f"filterlist={n['list ' + action]}",
                    f"filteraction={n['action ' + action]}",
                ],
            )
        )
    steps.append(("", [*NETSH, "set", "policy", f"name={n['policy']}", "assign=y"]))
    return steps


def undo(profile: Profile, created: list[str]) -> list[list[str]]:
    """The rollback: delete what was created, in creation order."""
    by_key = dict(
        zip(
            ("policy", "list permit", "list block", "action permit", "action block"),
            cleanup(profile),
            strict=True,
        )
    )
    return [by_key[key] for key in created if key]


def apply_sequence(profile: Profile, scenario: Scenario) -> list[list[str]]:
    return cleanup(profile) + [argv for _, argv in build(profile, scenario)]


def run(example: Path, scenario_name: str) -> tuple[Profile, Scenario, Simulation]:
    scenario = resolve_scenario(scenario_name)
    return _profile(example), scenario, simulate_file(example, scenario)


def _our_objects(sim: Simulation, profile: Profile) -> list[str]:
    store = sim.state["store"]
    names = set(_names(profile).values())
    present = [*store["policies"], *store["filterlists"], *store["filteractions"], *store["rules"]]
    return [name for name in present if name in names]


def netsh_of(sim: Simulation) -> list[list[str]]:
    """The netsh commands, with the state record's hex shown as <state>."""
    return [
        [re.sub(r"^description=vrq1\.[0-9a-f]+$", "description=<state>", a) for a in argv]
        for argv in sim.netsh_commands
    ]


def test_the_examples_exist() -> None:
    assert len(EXAMPLES) >= 3


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.stem)
def example(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    return path


def test_success(example: Path) -> None:
    profile, scenario, sim = run(example, "success")
    assert sim.error is None
    assert netsh_of(sim) == apply_sequence(profile, scenario)
    assert sim.state["assigned_policy"] == profile.policy_name
    assert sim.state["isolated"] and sim.state["server_reachable"]
    assert sim.state["failed_changes"] == []
    servers = server_endpoints(profile, scenario)
    permits = [r for r in table_rules(profile) if r.action == "permit"]
    assert len(sim.state["permitted"]) == len(servers) + len(permits)
    statuses = {row["Step"]: row["Status"] for row in sim.rows}
    assert not [step for step, status in statuses.items() if status in {"warning", "failed"}]
    assert sim.ok


def test_server_unreachable_rolls_back(example: Path) -> None:
    profile, scenario, sim = run(example, "server-unreachable")
    steps = build(profile, scenario)
    created = [key for key, _ in steps]
    expected = apply_sequence(profile, scenario) + undo(profile, created)
    assert netsh_of(sim) == expected
    assert sim.state["assigned_policy"] is None
    assert _our_objects(sim, profile) == []
    assert any(
        line.startswith("ERROR:") and "connectivity check failed" in line for line in sim.logs
    )
    assert sim.ok


@pytest.mark.parametrize("step", [2, 6, 7, 9, -1])
def test_netsh_failure_stops_and_removes_what_was_created(example: Path, step: int) -> None:
    profile = _profile(example)
    full = apply_sequence(profile, resolve_scenario("success"))
    index = len(full) if step == -1 else step
    name = f"netsh-fail:{index}"
    scenario = resolve_scenario(name)
    sim = simulate_file(example, scenario)
    steps = build(profile, scenario)
    if index <= 5:
        # A clean-up delete may fail (the object is usually absent): the run goes on.
        assert netsh_of(sim) == full
        assert sim.state["assigned_policy"] == profile.policy_name
    else:
        created = [key for key, _ in steps[: index - 6]]
        assert netsh_of(sim) == full[:index] + undo(profile, created)
        assert sim.state["assigned_policy"] is None
        assert _our_objects(sim, profile) == []
    assert sim.state["half_applied"] is False
    assert sim.ok


def test_domain_ipsec_policy_changes_nothing(example: Path) -> None:
    _, _, sim = run(example, "domain-ipsec-policy")
    assert netsh_of(sim) == []
    assert sim.state["assigned_policy"] is None
    assert any("domain IPsec policy" in str(row.get("Result")) for row in sim.rows)
    assert sim.ok


def test_policy_not_enforced(example: Path) -> None:
    profile, scenario, sim = run(example, "policy-not-enforced")
    applied = apply_sequence(profile, scenario)
    if profile.rollback.negative_check_url:
        created = [key for key, _ in build(profile, scenario)]
        assert netsh_of(sim) == applied + undo(profile, created)
        assert sim.state["assigned_policy"] is None
        assert any("negative check failed" in line for line in sim.logs)
        assert sim.ok
    else:
        # Without a negative check nothing can notice: the simulation says so and fails.
        assert netsh_of(sim) == applied
        assert sim.state["assigned_policy"] == profile.policy_name
        assert not sim.state["isolated"]
        assert not sim.ok
        assert any("NegativeCheckURL is empty" in note for note in sim.notes)


def test_removal(example: Path) -> None:
    profile, _, sim = run(example, "removal")
    setup = [c.argv for c in sim.setup_commands if c.argv[0] == "netsh"]
    assert [
        [re.sub(r"^description=vrq1\.[0-9a-f]+$", "description=<state>", a) for a in argv]
        for argv in setup
    ] == apply_sequence(profile, resolve_scenario("success"))
    assert netsh_of(sim) == cleanup(profile) + [_alt(argv, profile) for argv in cleanup(profile)]
    assert sim.state["assigned_policy"] is None
    assert _our_objects(sim, profile) == []
    assert any("quarantine removed" in str(row.get("Result")) for row in sim.rows)
    assert sim.ok


def test_the_client_config_server_is_the_default() -> None:
    assert resolve_scenario("success").client_config["server_urls"] == [DEFAULT_SERVER_URL]


NEW_SCENARIOS = (
    "proxy-config",
    "env-proxy",
    "collection-cancelled",
    "sni-frontend",
    "dual-stack",
    "dual-stack-any-ipv4-only",
)


@pytest.mark.parametrize("scenario_name", NEW_SCENARIOS)
def test_the_truth_scenarios_pass_on_every_example(example: Path, scenario_name: str) -> None:
    _, _, sim = run(example, scenario_name)
    assert sim.error is None
    assert not sim.state["locked_out"]
    assert sim.ok, [c for c in sim.checks if not c.ok]


def _proxy_permitted(profile: Profile, address: str) -> bool:
    return any(
        r.action == "permit" and r.dst_addr == address and r.dst_port == 3128
        for r in table_rules(profile)
    )


@pytest.mark.parametrize(
    ("scenario_name", "proxy"),
    [("proxy-config", "http://203.0.113.8:3128"), ("env-proxy", "http://203.0.113.9:3128")],
)
def test_the_client_proxy_is_permitted_or_the_run_refuses_naming_it(
    example: Path, scenario_name: str, proxy: str
) -> None:
    profile, _, sim = run(example, scenario_name)
    address = proxy.split("//")[1].split(":")[0]
    probes = [c.argv for c in sim.commands if c.argv[0].endswith("curl.exe")]
    if _proxy_permitted(profile, address):
        assert sim.state["policy_assigned"] and sim.state["server_reachable"]
        server_probes = [p for p in probes if p[-1].endswith("/server.pem")]
        assert server_probes and all(p[p.index("--proxy") + 1] == proxy for p in server_probes)
    else:
        assert netsh_of(sim) == [] and probes == []
        refusals = [r["Result"] for r in sim.rows if r["Status"] == "failed"]
        assert refusals
        for refusal in refusals:
            assert f"through the proxy {proxy}" in refusal and address in refusal
            assert "Nothing was changed" in refusal


def test_a_cancelled_collection_leaves_nothing_behind(example: Path) -> None:
    profile, scenario, sim = run(example, "collection-cancelled")
    created = [key for key, _ in build(profile, scenario)]
    assert sim.cancelled
    # Everything up to the assignment, then the exit rollback: the same deletes as a failure.
    assert netsh_of(sim) == apply_sequence(profile, scenario) + undo(profile, created)
    assert not any(c.argv[0].endswith("curl.exe") for c in sim.commands)
    assert _our_objects(sim, profile) == []
    assert any("ended before the verdict" in line for line in sim.logs)


def test_probes_name_the_server_so_an_sni_frontend_answers(example: Path) -> None:
    _, _, sim = run(example, "sni-frontend")
    probes = [c for c in sim.commands if c.argv[0].endswith("curl.exe")]
    named = [c for c in probes if "velociraptor.example.com:8000/server.pem" in c.argv[-1]]
    assert named and all(c.return_code == 0 for c in named)
    assert all("--connect-to" in c.argv for c in named)


def test_dual_stack_permits_both_families(example: Path) -> None:
    _, _, sim = run(example, "dual-stack")
    permits = " ".join(sim.state["permitted"])
    assert "192.0.2.10:8000" in permits and "[2001:db8::10]:8000" in permits
    connects = [
        c.argv[c.argv.index("--connect-to") + 1] for c in sim.commands if "--connect-to" in c.argv
    ]
    assert "velociraptor.example.com:8000:[2001:db8::10]:8000" in connects


def test_dual_stack_is_run_under_both_readings_of_any() -> None:
    assert resolve_scenario("dual-stack").ipsec_any_covers_ipv6 is True
    assert resolve_scenario("dual-stack-any-ipv4-only").ipsec_any_covers_ipv6 is False


def test_a_quarantine_that_leaks_over_ipv6_fails_the_ipv4_only_reading(example: Path) -> None:
    """Without a negative check nothing notices that the block-all misses IPv6: the policy
    stays assigned while the host is open over IPv6, and the scenario says so."""
    scenario = resolve_scenario("dual-stack-any-ipv4-only")
    sim = simulate_file(example, scenario, params={"NegativeCheckURL": ""})
    assert sim.state["policy_assigned"] and not sim.state["isolated"]
    assert not sim.ok


def test_a_block_all_that_misses_ipv6_is_caught_by_a_dual_stack_negative_check() -> None:
    example = ROOT / "examples" / "engagement-jumphost-share-ipv6.yaml"
    scenario = replace(resolve_scenario("dual-stack"), ipsec_any_covers_ipv6=False)
    sim = simulate_file(example, scenario)
    assert sim.state["assigned_policy"] is None
    assert any("negative check failed" in line for line in sim.logs)
