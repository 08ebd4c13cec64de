"""The netsh ipsec static model and the simulated endpoint's answers."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vr_quarantine.errors import VrqError
from vr_quarantine.simulate.endpoint import WindowsEndpoint
from vr_quarantine.simulate.netsh import Netsh, NetshState, decide
from vr_quarantine.simulate.scenario import resolve_scenario, scenario_from_data

P = "Q"


def netsh(state: NetshState, *words: str) -> tuple[int, str]:
    code, out, _ = Netsh(state, lambda name: ["192.0.2.7"] if name == "srv.example" else []).run(
        ["netsh", "ipsec", "static", *words]
    )
    return code, out


def quarantine(state: NetshState, *permits: str) -> None:
    """Block all, and one TCP permit per argument (its destination options, space-separated)."""
    assert netsh(state, "add", "policy", f"name={P}", "assign=no")[0] == 0
    for destination in permits:
        assert (
            netsh(
                state,
                "add",
                "filter",
                "filterlist=PL",
                "srcaddr=me",
                *destination.split(),
                "protocol=tcp",
                "mirrored=yes",
            )[0]
            == 0
        )
    assert netsh(state, "add", "filter", "filterlist=BL", "srcaddr=any", "dstaddr=any")[0] == 0
    assert netsh(state, "add", "filteraction", "name=PA", "action=permit")[0] == 0
    assert netsh(state, "add", "filteraction", "name=BA", "action=block")[0] == 0
    assert (
        netsh(state, "add", "rule", "name=PR", f"policy={P}", "filterlist=PL", "filteraction=PA")[0]
        == 0
    )
    assert (
        netsh(state, "add", "rule", "name=BR", f"policy={P}", "filterlist=BL", "filteraction=BA")[0]
        == 0
    )
    assert netsh(state, "set", "policy", f"name={P}", "assign=y")[0] == 0


def test_the_most_specific_filter_wins() -> None:
    state = NetshState()
    quarantine(state, "dstaddr=192.0.2.10", "dstaddr=srv.example")
    assert decide(state, "192.0.2.10", 8000) == "permit"
    assert decide(state, "192.0.2.7", 443) == "permit"  # a DNS name, resolved at creation
    assert decide(state, "203.0.113.1", 443) == "block"


def test_port_and_mask_narrow_a_permit() -> None:
    state = NetshState()
    quarantine(state, "dstaddr=192.0.2.0 dstmask=24 dstport=445")
    assert decide(state, "192.0.2.99", 445) == "permit"
    assert decide(state, "192.0.2.99", 80) == "block"
    assert decide(state, "192.0.3.1", 445) == "block"


def test_nothing_decides_without_an_assigned_policy() -> None:
    state = NetshState()
    quarantine(state, "dstaddr=192.0.2.10")
    assert netsh(state, "set", "policy", f"name={P}", "assign=n")[0] == 0
    assert decide(state, "203.0.113.1", 443) is None


def test_deleting_the_policy_removes_its_rules_but_not_lists_or_actions() -> None:
    state = NetshState()
    quarantine(state, "dstaddr=192.0.2.10")
    assert netsh(state, "delete", "policy", f"name={P}")[0] == 0
    assert state.assigned is None and state.rules == {}
    assert set(state.filterlists) == {"PL", "BL"} and set(state.filteractions) == {"PA", "BA"}
    assert netsh(state, "delete", "filterlist", "name=PL")[0] == 0


@pytest.mark.parametrize(
    ("words", "code"),
    [
        (("delete", "policy", "name=missing"), "05072"),
        (("add", "filter", "filterlist=L", "srcaddr=me", "dstaddr=["), "05015"),
        (("add", "filter", "filterlist=L", "srcaddr=me", "dstaddr=nowhere.example"), "05016"),
        (("add", "filter", "filterlist=L", "srcaddr=me", "dstaddr=any", "dstport=70000"), "05011"),
        (("add", "filteraction", "name=A", "action=allow"), "05014"),
        (("add", "rule", "name=R", "policy=nope", "filterlist=L", "filteraction=A"), "05072"),
        (("add", "policy", "assign"), "05001"),
        (("show", "policy", "name=x"), "05072"),
        (("show", "filterlist", "name=x"), "05000"),
    ],
)
def test_bad_commands_fail_with_an_err_ipsec_code(words: tuple[str, ...], code: str) -> None:
    result, out = netsh(NetshState(), *words)
    assert result == 1
    assert out.startswith(f"ERR IPsec[{code}]")


def test_a_used_filter_list_cannot_be_deleted() -> None:
    state = NetshState()
    quarantine(state, "dstaddr=192.0.2.10")
    code, out = netsh(state, "delete", "filterlist", "name=PL")
    assert code == 1 and "used by a rule" in out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=20), max_size=8))
def test_any_argv_gets_an_answer(words: list[str]) -> None:
    code, out, err = Netsh(NetshState(), lambda _: []).run(["netsh", *words])
    assert code in (0, 1)
    assert code == 0 or out.startswith("ERR IPsec[")
    assert err == ""


# ---------------------------------------------------------------- endpoint


def test_endpoint_answers_host_stat_info_and_scenario_results() -> None:
    scenario = scenario_from_data(
        {
            "dns": {"Srv.Example": ["192.0.2.5", "2001:db8::5"]},
            "files": ["C:\\tools\\curl.exe"],
            "plugin_results": {"pslist": [{"Pid": 4}]},
            "function_results": {"environ": "x"},
        },
        "test",
    )
    endpoint = WindowsEndpoint(scenario)
    assert endpoint.function("host", {"name": "srv.example"}) == (
        True,
        ["192.0.2.5", "2001:db8::5"],
    )
    assert endpoint.function("host", {"name": "192.0.2.1"}) == (True, ["192.0.2.1"])
    other = endpoint.function("host", {"name": "other.example"})[1]
    assert other == endpoint.function("host", {"name": "OTHER.example"})[1]
    assert other[0].startswith("203.0.113.")
    assert endpoint.function("stat", {"filename": "c:\\TOOLS\\curl.exe"})[1]["Size"] == 4096
    assert endpoint.plugin("stat", {"filename": "C:\\nope.exe"}) == []
    assert endpoint.plugin("info", {})[0]["OS"] == "windows"
    assert endpoint.plugin("pslist", {}) == [{"Pid": 4}]
    assert endpoint.function("environ", {"var": "PATH"}) == (True, "x")
    assert endpoint.function("tempfile", {"data": "x", "extension": ".xml"}) == (
        True,
        "C:\\Windows\\Temp\\tmp0001.xml",
    )
    assert endpoint.function("copy", {}) == (False, endpoint.function("nope", {})[1])


def _curl(endpoint: WindowsEndpoint, url: str) -> int:
    rows = endpoint.plugin(
        "execve",
        {"argv": ["C:\\Windows\\System32\\curl.exe", "--globoff", "--noproxy", "*", url]},
    )
    assert rows is not None
    return int(rows[-1]["ReturnCode"])


def test_server_unreachable_only_affects_velociraptor_frontends() -> None:
    endpoint = WindowsEndpoint(resolve_scenario("server-unreachable"))
    assert _curl(endpoint, "https://velociraptor.example.com:8000/server.pem") == 28
    assert _curl(endpoint, "https://192.0.2.44:8443/server.pem") == 28
    assert _curl(endpoint, "https://www.example.com/") == 0
    assert _curl(endpoint, "https://[::1/x") == 3


_YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=80, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "base",
                "dns",
                "expect",
                "params",
                "files",
                "os",
                "server_answers",
                "netsh_fail_step",
                "other",
            ]
        ),
        _YAML_VALUES,
        max_size=5,
    )
)
def test_any_scenario_data_loads_or_is_refused_with_a_message(data: dict[str, object]) -> None:
    from vr_quarantine.errors import VrqError

    try:
        scenario = scenario_from_data(data, "fuzz.yaml")
    except VrqError as error:
        assert str(error).startswith("fuzz.yaml: invalid scenario")
    else:
        assert scenario.name


def test_curl_exit_codes_follow_the_failure() -> None:
    scenario = scenario_from_data({"dns": {"gone.example": []}}, "t")
    endpoint = WindowsEndpoint(scenario)
    curl = ["curl.exe", "--write-out", "%{http_code}"]
    assert (
        endpoint.plugin("execve", {"argv": [*curl, "https://www.example.com/"]})[0]["ReturnCode"]
        == 0
    )
    row = endpoint.plugin("execve", {"argv": [*curl, "https://gone.example/"]})[0]
    assert row["ReturnCode"] == 6 and "Could not resolve host: gone.example" in row["Stderr"]
    row = endpoint.plugin("execve", {"argv": [*curl, "https://[2001:db8/server.pem"]})[0]
    assert row["ReturnCode"] == 3
    down = WindowsEndpoint(resolve_scenario("server-unreachable"))
    row = down.plugin("execve", {"argv": [*curl, "https://192.0.2.10:8000/server.pem"]})[0]
    assert row["ReturnCode"] == 28 and row["Stdout"] == "000"


def test_scenario_results_in_mock_multi_call_form_answer_call_by_call() -> None:
    scenario = scenario_from_data(
        {
            "plugin_results": {
                "pslist": [[{"Pid": 4}], [], [{"Pid": 8}, {"Pid": 9}]],
                "netstat": [{"Laddr": "0.0.0.0"}, {"Laddr": "::"}],
            },
            "function_results": {"environ": [["C:\\a"], ["C:\\b"]], "hostname": ["a", "b"]},
        },
        "test",
    )
    endpoint = WindowsEndpoint(scenario)
    calls = [endpoint.plugin("pslist", {"n": n}) for n in range(4)]
    assert calls == [[{"Pid": 4}], [], [{"Pid": 8}, {"Pid": 9}], [{"Pid": 4}]]
    assert endpoint.plugin("netstat", {}) == endpoint.plugin("netstat", {})
    assert len(endpoint.plugin("netstat", {})) == 2  # a plain list: every call, every row
    env = [endpoint.function("environ", {}) for _ in range(3)]
    assert env == [(True, ["C:\\a"]), (True, ["C:\\b"]), (True, ["C:\\a"])]
    assert endpoint.function("hostname", {}) == (True, ["a", "b"])


@pytest.mark.parametrize(
    ("results", "where"),
    [
        ({"pslist": ["notarow"]}, "pslist: row 1 is not a mapping (got 'notarow')"),
        ({"pslist": [{"Pid": 4}, 7]}, "pslist: row 2 is not a mapping (got 7)"),
        ({"pslist": [[{"Pid": 4}], [None]]}, "pslist: call 2, row 1 is not a mapping"),
        ({"pslist": {"Pid": 4}}, "pslist: expected a list of rows"),
    ],
)
def test_plugin_rows_that_are_not_mappings_are_refused(results: dict[str, Any], where: str) -> None:
    with pytest.raises(VrqError) as caught:
        scenario_from_data({"plugin_results": results}, "bad.yaml")
    assert str(caught.value).startswith("bad.yaml: invalid scenario:")
    assert f"plugin_results: {where}" in str(caught.value)
