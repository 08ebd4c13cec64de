"""The pf model: pfctl -n/-f on anchors, enable references, quick rules, what pfctl refuses."""

from __future__ import annotations

import pytest
from vr_quarantine.simulate.pf import Pfctl, PfPacket, PfState, decide, keeps_state

ANCHOR = "com.apple/velociraptor.quarantine"
RULES = """# quarantine
pass quick on lo0 all no state
pass out quick proto tcp from any to 192.0.2.10 port 8000 no state
pass in quick proto tcp from 192.0.2.10 port 8000 to any no state
pass out quick proto tcp from any to 2001:db8::10 port 8000 no state
pass in quick proto tcp from 2001:db8::10 port 8000 to any no state
pass quick inet6 proto icmp6 all icmp6-type 135 no state
block drop quick all
"""


def pfctl(state: PfState, *argv: str, text: str = RULES) -> tuple[int, str, str]:
    return Pfctl(state, lambda path: text if path == "f" else None).run(["/sbin/pfctl", *argv])


def quarantined() -> tuple[PfState, str]:
    state = PfState()
    assert pfctl(state, "-a", ANCHOR, "-f", "f")[0] == 0
    code, _, err = pfctl(state, "-E")
    assert code == 0
    return state, err.rsplit("Token : ", 1)[1].strip()


def test_dry_run_loads_nothing_and_rules_act_only_once_pf_is_enabled() -> None:
    state = PfState()
    assert pfctl(state, "-n", "-a", ANCHOR, "-f", "f")[0] == 0
    assert state.anchors == {}
    assert pfctl(state, "-a", ANCHOR, "-f", "f")[0] == 0
    internet = PfPacket("out", "10.0.0.5", "203.0.113.80", 6, 40000, 443)
    assert decide(state, internet) == "pass"  # pf disabled
    code, _, err = pfctl(state, "-E")
    assert code == 0 and "Token : " in err
    assert decide(state, internet) == "block"
    assert decide(state, PfPacket("out", "10.0.0.5", "192.0.2.10", 6, 40000, 8000)) == "pass"
    assert decide(state, PfPacket("in", "2001:db8::10", "2001:db8::5", 6, 8000, 40000)) == "pass"
    assert decide(state, PfPacket("in", "fe80::1", "fe80::2", 58, icmp_type=135)) == "pass"


def test_release_and_flush() -> None:
    state, token = quarantined()
    assert pfctl(state, "-X", "12345") == (1, "", "token invalid\n")
    assert pfctl(state, "-X", token)[0] == 0
    assert not state.enabled
    assert pfctl(state, "-X", token) == (1, "", "pf not enabled\n")
    state, _ = quarantined()
    assert pfctl(state, "-a", ANCHOR, "-F", "all")[0] == 0
    assert pfctl(state, "-a", ANCHOR, "-s", "rules")[1] == ""


def test_another_reference_keeps_pf_enabled() -> None:
    state, token = quarantined()
    state.enabled_by_system = True
    assert pfctl(state, "-X", token)[0] == 0
    assert state.enabled


def test_an_anchor_the_main_ruleset_does_not_attach_is_never_evaluated() -> None:
    state, _ = quarantined()
    state.attached = ()
    assert decide(state, PfPacket("out", "10.0.0.5", "203.0.113.80", 6, 40000, 443)) == "pass"


def test_loading_replaces_the_anchor() -> None:
    state, _ = quarantined()
    assert pfctl(state, "-a", ANCHOR, "-f", "f", text="pass quick all no state\n")[0] == 0
    assert [r.text for r in state.anchors[ANCHOR]] == ["pass quick all no state"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("pass out quick proto tcp from any to 1.2.3.999 port 22", "no IP address found"),
        ("pass out quick from any to any port 53", "port only applies to tcp/udp"),
        ("pass out quick proto tcp from any to any port 70000", "illegal port value"),
        ("block drop quick all no state", "doesn't make sense"),
        ("pass out quick proto tcp from 1.2.3.4 to ::1", "address family mismatch"),
        ("pass out quick inet proto tcp from any to ::1", "address family mismatch"),
        ("pass quick inet6 proto udp all icmp6-type 135", "icmp6-type only for icmp6"),
        ("pass out quick proto bogus all", "unknown protocol"),
        ("pass out quick proto tcp from any to 10.0.0.1/24", "no IP address found"),
        ("pass all; block all", "syntax error"),
        ("allow all", "syntax error"),
    ],
)
def test_pfctl_n_refuses_what_pfctl_refuses(rule: str, message: str) -> None:
    code, _, err = pfctl(PfState(), "-n", "-a", ANCHOR, "-f", "f", text=rule + "\n")
    assert code == 1 and message in err, err


def test_a_kept_state_lets_the_replies_in_and_nothing_else() -> None:
    """pf.conf(5) STATEFUL FILTERING: the request a ``keep state`` pass rule lets out creates a
    state; its replies pass on it, while a packet from the same port that answers nothing meets
    the rules (and is blocked)."""
    text = (
        "pass out quick proto udp from any to any port 53 keep state\n"
        "pass out quick proto udp from any to any port 123 no state\n"
        "block drop quick all\n"
    )
    state = PfState()
    assert pfctl(state, "-a", ANCHOR, "-f", "f", text=text)[0] == 0
    assert pfctl(state, "-E")[0] == 0
    query = PfPacket("out", "10.0.0.5", "10.0.0.53", 17, 40000, 53)
    assert decide(state, query) == "pass" and keeps_state(state, query)
    assert decide(state, PfPacket("in", "10.0.0.53", "10.0.0.5", 17, 53, 40000)) == "block"
    assert not keeps_state(state, PfPacket("out", "10.0.0.5", "10.0.0.9", 17, 40000, 123))
    assert not keeps_state(state, PfPacket("out", "10.0.0.5", "10.0.0.9", 6, 40000, 443))
