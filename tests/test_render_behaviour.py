"""The rendered artifact's behaviour, run by our VQL evaluator against a scripted Windows host.

The host model answers execve (netsh, curl.exe, msg), wmi, read_reg_key, stat and host(); it
records every command, so the tests read the netsh sequence, the checks and the rollback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from vr_quarantine.render import render_profile
from vr_quarantine.vql.eval import ArtifactSet, Engine, SideEffects, load_artifact_text
from vr_quarantine.vql.eval.values import NULL

from tests.test_render_support import permit, plain_profile

P = "VelociraptorQuarantine"
NETSH = ["netsh", "ipsec", "static"]


def _done(stdout: str = "", rc: int = 0, stderr: str = "") -> list[dict[str, Any]]:
    return [{"Stdout": stdout, "Stderr": stderr, "ReturnCode": rc, "Complete": True}]


def _cannot_start(program: str) -> list[dict[str, Any]]:
    """execve's row for a program that cannot start (vql/tools/shell/execve.go)."""
    error = f'exec: "{program}": executable file not found'
    return [{"Stdout": "", "Stderr": error, "ReturnCode": 1, "Complete": False}]


@dataclass
class WindowsHost(SideEffects):
    """A scripted endpoint. `netsh_fail` maps a command substring to (stdout, return code)."""

    netsh_fail: dict[str, tuple[str, int]] = field(default_factory=dict)
    netsh_silent: str | None = None
    """A command substring for which execve returns no row at all (prevent_execve)."""
    server_status: str = "200"
    negative_status: str = "000"
    agent_state: str = "Running"
    merge: int | str | None = None
    domain_policy: str | None = None
    curl_present: bool = True
    msg_rc: int = 0
    dns: dict[str, list[str]] = field(
        default_factory=lambda: {"srv.example": ["192.0.2.10", "2001:db8::10"]}
    )
    calls: list[list[str]] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)
    wmi_error: bool = False

    def plugin(self, name: str, args: dict[str, Any]) -> list[Any] | None:
        if name == "execve":
            argv = [str(a) for a in args["argv"]]
            self.calls.append(argv)
            return self._execve(argv)
        if name == "glob":
            return []  # no scheduled task of ours yet
        if name == "wmi":
            return [] if self.wmi_error else [{"Name": "PolicyAgent", "State": self.agent_state}]
        if name == "read_reg_key":
            globs = str(args["globs"])
            if "IPSec\\Policy\\Local" in globs:
                return []  # no local IPsec policy in the store
            if "WindowsFirewall" in globs and self.merge is not None:
                return [{"Key": "DomainProfile", "AllowLocalIPsecPolicyMerge": self.merge}]
            if "GPTIPSECPolicy" in globs and self.domain_policy is not None:
                return [{"Key": "GPTIPSECPolicy", "DSIPSECPolicyPath": self.domain_policy}]
            return []
        if name == "stat":
            return [{"Name": "curl.exe"}] if self.curl_present else []
        if name == "info":
            return [{"OS": "windows"}]
        return None

    def function(self, name: str, args: dict[str, Any]) -> tuple[bool, Any]:
        if name == "host":
            host = str(args["name"])
            return True, self.dns.get(host, [host] if host[0].isdigit() or ":" in host else NULL)
        if name == "environ":
            return True, self.environment.get(str(args["var"]), "")
        if name == "tempfile":
            return True, "C:\\Windows\\Temp\\tmp1.xml"
        return False, NULL

    def _execve(self, argv: list[str]) -> list[dict[str, Any]]:
        line = " ".join(argv)
        if argv[0] == "netsh":
            if self.netsh_silent and self.netsh_silent in line:
                return []
            for needle, (stdout, rc) in self.netsh_fail.items():
                if needle in line:
                    return _done(stdout, rc)
            return _done()
        if argv[0].endswith("curl.exe"):
            server = argv[-1].endswith("/server.pem")
            status = self.server_status if server else self.negative_status
            return _done(status, 0 if status != "000" else 28)
        if argv[0] == "msg":
            return _done("", self.msg_rc)
        return []

    def netsh(self) -> list[str]:
        """The netsh commands, with the state record's hex shown as <state>."""
        return [
            re.sub(r"description=vrq1\.[0-9a-f]+", "description=<state>", " ".join(c[3:]))
            for c in self.calls
            if c[:3] == NETSH
        ]

    def curl(self) -> list[list[str]]:
        return [c for c in self.calls if c[0].endswith("curl.exe")]


CLIENT = {"server_urls": ["https://srv.example:8000/"], "proxy": ""}


def run(
    host: WindowsHost,
    params: dict[str, Any] | None = None,
    client: dict[str, Any] | None = None,
    **profile_changes: Any,
) -> tuple[list[dict[str, Any]], list[str]]:
    rendered = render_profile(plain_profile(**profile_changes))
    assert rendered.text is not None, rendered.diagnostics
    artifact = load_artifact_text(rendered.text)
    artifacts = ArtifactSet()
    artifacts.add(artifact)
    engine = Engine(config=client or CLIENT, side_effects=host, artifacts=artifacts)
    rows = [dict(r) for r in engine.run_artifact(artifact.name, params or {})]
    return rows, engine.logs


BUILD = [
    f"delete policy name={P}",
    f"delete filterlist name={P} PermitFilterList",
    f"delete filterlist name={P} BlockFilterList",
    f"delete filteraction name={P} PermitAction",
    f"delete filteraction name={P} BlockAction",
    f"add policy name={P} description=<state> assign=no",
    f"add filterlist name={P} PermitFilterList",
    f"add filterlist name={P} BlockFilterList",
    f"add filter filterlist={P} PermitFilterList srcaddr=me srcport=0 dstaddr=192.0.2.10"
    " dstport=8000 protocol=tcp mirrored=yes description=Velociraptor server",
    f"add filter filterlist={P} PermitFilterList srcaddr=me srcport=0 dstaddr=2001:db8::10"
    " dstport=8000 protocol=tcp mirrored=yes description=Velociraptor server",
    f"add filter filterlist={P} PermitFilterList srcaddr=me srcport=0 dstaddr=any dstport=53"
    " protocol=udp mirrored=yes description=DNS",
    f"add filter filterlist={P} PermitFilterList srcaddr=me srcport=0 dstaddr=any dstport=53"
    " protocol=tcp mirrored=yes description=DNS TCP",
    f"add filter filterlist={P} PermitFilterList srcaddr=me srcport=68 dstaddr=any dstport=67"
    " protocol=udp mirrored=yes description=DHCP",
    f"add filter filterlist={P} BlockFilterList srcaddr=any dstaddr=any mirrored=yes"
    " description=All other traffic",
    f"add filteraction name={P} PermitAction action=permit",
    f"add filteraction name={P} BlockAction action=block",
    f"add rule name={P} PermitRule policy={P} filterlist={P} PermitFilterList"
    f" filteraction={P} PermitAction",
    f"add rule name={P} BlockRule policy={P} filterlist={P} BlockFilterList"
    f" filteraction={P} BlockAction",
    f"set policy name={P} assign=y",
]
UNDO = [
    f"delete policy name={P}",
    f"delete filterlist name={P} PermitFilterList",
    f"delete filterlist name={P} BlockFilterList",
    f"delete filteraction name={P} PermitAction",
    f"delete filteraction name={P} BlockAction",
]


def _errors(logs: list[str]) -> list[str]:
    return [line for line in logs if "ERROR" in line or "not found" in line]


def test_success_builds_unassigned_assigns_last_and_checks_every_address() -> None:
    host = WindowsHost()
    rows, logs = run(host)
    assert host.netsh() == BUILD
    # The URL keeps the server's name (SNI and Host); --connect-to pins each permitted address.
    assert [c[-1] for c in host.curl()] == ["https://srv.example:8000/server.pem"] * 2
    assert [c[c.index("--connect-to") + 1] for c in host.curl()] == [
        "srv.example:8000:192.0.2.10:8000",
        "srv.example:8000:[2001:db8::10]:8000",
    ]
    assert all("--noproxy" in c and "--max-time" in c for c in host.curl())
    assert all(c[1] == "--disable" for c in host.curl()), "a .curlrc must not change the probe"
    assert _errors(logs) == []
    assert all(
        set(r) == {"Time", "Step", "Status", "Result", "Command", "ReturnCode", "Output", "Run"}
        for r in rows
    )
    assert rows[-1]["Status"] == "ok"
    assert "192.0.2.10:8000, [2001:db8::10]:8000" in rows[-1]["Result"]
    assert not any(c[0] == "msg" for c in host.calls), "no MessageBox configured"


@pytest.mark.parametrize(
    ("failure", "rc"),
    [("ERR IPsec[05010] : simulated", 0), ("", 1)],
    ids=["err-ipsec-with-rc-0", "non-zero-rc"],
)
def test_first_failing_netsh_step_stops_and_removes_what_this_run_created(
    failure: str, rc: int
) -> None:
    host = WindowsHost(netsh_fail={f"add filteraction name={P} Block": (failure, rc)})
    rows, logs = run(host)
    failed_at = BUILD.index(f"add filteraction name={P} BlockAction action=block")
    # The block filter action was not created, so it is not deleted.
    assert host.netsh() == BUILD[: failed_at + 1] + UNDO[:-1]
    assert not host.curl()
    assert any("filteraction" in line and "ERROR" in line for line in logs)
    assert rows[-1]["Status"] == "ok" and "not in force" in rows[-1]["Result"]
    assert any(r["Status"] == "failed" and "BlockAction" in r["Result"] for r in rows)


def test_failure_before_anything_was_created_undoes_nothing() -> None:
    host = WindowsHost(netsh_fail={"add policy": ("ERR IPsec[05073] : store", 1)})
    run(host)
    assert host.netsh() == BUILD[:6]


def test_a_command_that_does_not_run_counts_as_failed() -> None:
    host = WindowsHost(netsh_silent=f"add filterlist name={P} PermitFilterList")
    rows, _ = run(host)
    assert host.netsh() == [*BUILD[:7], f"delete policy name={P}"]
    assert any("did not run" in r["Output"] for r in rows)


@pytest.mark.parametrize("status", ["000", "404", "503"])
def test_connectivity_check_counts_only_http_200(status: str) -> None:
    host = WindowsHost(server_status=status)
    _rows, logs = run(host, params={"MessageBox": "isolated"})
    assert host.netsh() == BUILD + UNDO
    assert any("connectivity check failed" in line for line in logs)
    assert not any(c[0] == "msg" for c in host.calls), "no message box after a failure"


def test_negative_check_that_answers_removes_the_policy() -> None:
    host = WindowsHost(negative_status="200")
    _rows, logs = run(host, params={"NegativeCheckURL": "https://example.com/"})
    assert host.netsh() == BUILD + UNDO
    assert "--noproxy" in host.curl()[-1]
    assert any("still reachable" in line for line in logs)


def test_message_box_only_after_success_and_reported_honestly() -> None:
    host = WindowsHost(msg_rc=1)
    rows, _logs = run(host, params={"MessageBox": "line one\nline two " + "x" * 400})
    (msg,) = [c for c in host.calls if c[0] == "msg"]
    assert msg[:2] == ["msg", "*"]
    assert msg[2].startswith("line one\nline two") and len(msg[2]) == 255
    # msg.exe's exit is reported, and the quarantine stands (a warning, not a failure).
    assert rows[-1]["Status"] == "warning" and "NOT shown" in rows[-1]["Result"]
    assert "in force all the same" in rows[-1]["Result"]
    ok_host = WindowsHost()
    ok_rows, _ = run(ok_host, params={"MessageBox": "isolated"})
    assert ok_rows[-1]["Result"] == "Message box sent to the logged-in users."


@pytest.mark.parametrize(
    ("host", "fragment"),
    [
        (WindowsHost(agent_state="Stopped"), "Policy Agent service (PolicyAgent) is Stopped"),
        (WindowsHost(wmi_error=True), "WMI query returned nothing"),
        (WindowsHost(merge=0), "AllowLocalIPsecPolicyMerge"),
        (WindowsHost(merge="0"), "AllowLocalIPsecPolicyMerge"),
        (WindowsHost(domain_policy="LDAP://CN=ipsecPolicy"), "domain IPsec policy"),
        (WindowsHost(curl_present=False), "curl.exe was not found"),
        (WindowsHost(dns={}), "does not resolve: the server URL"),
    ],
    ids=[
        "agent-stopped",
        "wmi-error",
        "merge-forbidden",
        "merge-forbidden-as-text",
        "domain-policy",
        "no-curl",
        "unresolved",
    ],
)
def test_preflight_refuses_before_anything_changes(host: WindowsHost, fragment: str) -> None:
    rows, logs = run(host)
    assert host.calls == []
    assert any(fragment in r["Result"] and r["Status"] == "failed" for r in rows)
    assert any(fragment in line and "ERROR" in line for line in logs)


def test_merge_allowed_by_group_policy_is_no_obstacle() -> None:
    host = WindowsHost(merge=1)
    rows, logs = run(host)
    assert not [r for r in rows if r["Status"] == "failed"]
    assert _errors(logs) == []
    assert host.netsh()[-1].endswith("assign=y")


def test_unknown_action_in_the_table_is_refused() -> None:
    table = (
        "Action,SrcAddr,SrcMask,SrcPort,DstAddr,DstMask,DstPort,Protocol,Mirrored,Description\n"
        "Blokc,any,,,any,,,,yes,typo\n"
    )
    host = WindowsHost()
    rows, _ = run(host, params={"RuleLookupTable": table})
    assert host.calls == []
    assert "Blokc" in rows[0]["Result"]


ALT_UNDO = [line.replace(f"={P}", f"={P} Alt") for line in UNDO]


def test_remove_policy_removes_every_object_and_says_whether_anything_was_there() -> None:
    host = WindowsHost()
    rows, _ = run(host, params={"RemovePolicy": "Y"})
    # Both slots (the policy name and its zero-gap alternate) are removed.
    assert host.netsh() == UNDO + ALT_UNDO
    assert "quarantine removed" in rows[-1]["Result"]
    nothing = WindowsHost(netsh_fail={"delete": ("ERR IPsec[05072] : not found", 1)})
    rows, logs = run(nothing, params={"RemovePolicy": "Y"})
    assert nothing.netsh() == UNDO + ALT_UNDO
    assert rows[-1]["Result"].startswith("Nothing was removed")
    assert _errors(logs) == []


def test_server_urls_https_wss_ipv6_and_default_port() -> None:
    client = {
        "server_urls": [
            "http://plain.example/",
            "wss://[2001:db8::1]:8443/",
            "https://srv.example/",
            "ftp://other.example/",
        ],
        "proxy": "",
    }
    host = WindowsHost()
    rows, logs = run(host, client=client, params={"VelociraptorURL": "https://198.51.100.7:9000/"})
    permits = [c for c in host.netsh() if "description=Velociraptor server" in c]
    assert [p.split("dstaddr=")[1].split(" protocol")[0] for p in permits] == [
        "2001:db8::1 dstport=8443",
        "192.0.2.10 dstport=443",
        "2001:db8::10 dstport=443",
        "198.51.100.7 dstport=9000",
    ]
    assert "https://[2001:db8::1]:8443/server.pem" in [c[-1] for c in host.curl()]
    warnings = [r["Result"] for r in rows if r["Status"] == "warning"]
    assert any("http://plain.example/" in w for w in warnings)
    assert any("ftp://other.example/" in w for w in warnings)
    assert _errors(logs) == []


def test_client_config_urls_can_be_switched_off_for_profile_urls() -> None:
    host = WindowsHost()
    run(
        host,
        use_client_server_urls=False,
        rules=(permit("203.0.113.5", 445, "File share"),),
        params={"ExtraServerURLs": "URL\nhttps://198.51.100.7/\n"},
    )
    permits = [c for c in host.netsh() if "description=Velociraptor server" in c]
    assert len(permits) == 1 and "dstaddr=198.51.100.7 dstport=443" in permits[0]
    assert any("dstaddr=203.0.113.5 dstport=445" in c for c in host.netsh())


def test_probes_follow_the_client_proxy_and_the_negative_probe_does_not() -> None:
    client = {"server_urls": ["https://srv.example:8000/"], "proxy": "http://203.0.113.8:3128"}
    host = WindowsHost()
    rows, logs = run(
        host,
        client=client,
        rules=(permit("203.0.113.8", 3128, "Site proxy"),),
        params={"NegativeCheckURL": "https://example.com/"},
    )
    server_probes = [c for c in host.curl() if c[-1].endswith("/server.pem")]
    assert server_probes and all("--proxy" in c for c in server_probes)
    assert {c[-1] for c in server_probes} == {"https://srv.example:8000/server.pem"}
    assert "--noproxy" in host.curl()[-1]
    notes = [r["Result"] for r in rows if r["Status"] == "info"]
    assert any("through the proxy http://203.0.113.8:3128 (from Client.proxy)" in n for n in notes)
    assert any("'Site proxy'" in n for n in notes)
    assert _errors(logs) == []


@pytest.mark.parametrize(
    ("client", "environment", "proxy"),
    [
        ({"proxy": "http://203.0.113.8:3128"}, {}, "http://203.0.113.8:3128"),
        ({"proxy_config": {"https": "http://203.0.113.8:3128"}}, {}, "http://203.0.113.8:3128"),
        ({}, {"HTTPS_PROXY": "203.0.113.9:3128"}, "http://203.0.113.9:3128"),
        (
            {"proxy": "http://203.0.113.8:3128"},
            {"HTTPS_PROXY": "http://203.0.113.9:3128"},
            "http://203.0.113.9:3128",
        ),
    ],
    ids=["client-proxy", "proxy-config-https", "environment", "environment-wins"],
)
def test_a_proxy_the_table_does_not_permit_is_refused_by_name(
    client: dict[str, Any], environment: dict[str, str], proxy: str
) -> None:
    host = WindowsHost(environment=environment)
    rows, _logs = run(host, client={"server_urls": ["https://srv.example:8000/"], **client})
    assert host.calls == []
    (refusal,) = [r["Result"] for r in rows if r["Status"] == "failed"]
    assert f"through the proxy {proxy}" in refusal and "Nothing was changed" in refusal


def test_ignore_environment_and_no_proxy_are_honoured() -> None:
    ignored = WindowsHost(environment={"HTTPS_PROXY": "http://203.0.113.9:3128"})
    run(
        ignored,
        client={
            "server_urls": ["https://srv.example:8000/"],
            "proxy_config": {"ignore_environment": True},
        },
    )
    assert ignored.netsh()[-1].endswith("assign=y"), "no proxy: the probes go direct"
    exempt = WindowsHost(
        environment={"HTTPS_PROXY": "http://203.0.113.9:3128", "NO_PROXY": "localhost,.example"}
    )
    run(exempt)
    assert exempt.netsh()[-1].endswith("assign=y")
    assert all("--noproxy" in c for c in exempt.curl())


@pytest.mark.parametrize(
    ("proxy_config", "fragment"),
    [
        ({"pac": "http://wpad.example/wpad.dat"}, "PAC file http://wpad.example/wpad.dat"),
        (
            {"proxy_url_regexp": {"srv": "http://203.0.113.8:3128", "example": ""}},
            "several per-URL proxy rules",
        ),
        ({"proxy_url_regexp": {"control$": "http://203.0.113.8:3128"}}, "only some"),
        ({"https": "203.0.113.8:3128"}, "not a URL the client's proxy set-up can use"),
    ],
    ids=["pac", "ambiguous-rules", "partial-rule", "unparsable"],
)
def test_a_route_that_cannot_be_proven_is_refused(
    proxy_config: dict[str, Any], fragment: str
) -> None:
    host = WindowsHost()
    rows, _ = run(
        host,
        client={"server_urls": ["https://srv.example:8000/"], "proxy_config": proxy_config},
        rules=(permit("203.0.113.8", 3128, "Site proxy"),),
    )
    assert host.calls == []
    assert any(fragment in r["Result"] and r["Status"] == "failed" for r in rows), rows


def test_without_connectivity_check_no_probe_runs() -> None:
    from vr_quarantine.profile.model import Rollback

    host = WindowsHost()
    rows, _logs = run(host, rollback=Rollback(False, 30, None))
    assert host.netsh() == BUILD
    assert host.curl() == []
    assert "disabled by the profile" in rows[-1]["Result"]


def test_negative_check_that_cannot_resolve_is_reported_as_inconclusive() -> None:
    class NoDnsHost(WindowsHost):
        def _execve(self, argv: list[str]) -> list[dict[str, Any]]:
            if argv[0].endswith("curl.exe") and not argv[-1].endswith("/server.pem"):
                return _done("000", 6, "Could not resolve host")
            return super()._execve(argv)

    host = NoDnsHost()
    rows, logs = run(host, params={"NegativeCheckURL": "https://example.com/"})
    (negative,) = [r for r in rows if r["Step"] == "negative check"]
    assert negative["Status"] == "warning" and "proves nothing" in negative["Result"]
    assert host.netsh() == BUILD, "an inconclusive negative check does not remove the policy"
    assert _errors(logs) == []


class NegativeAnswerHost(WindowsHost):
    """The negative probe ends with a given curl exit code; the server probes answer HTTP 200."""

    negative_rc: int = 28

    def _execve(self, argv: list[str]) -> list[dict[str, Any]]:
        if argv[0].endswith("curl.exe") and not argv[-1].endswith("/server.pem"):
            stdout = "200" if self.negative_rc == 0 else "000"
            return _done(stdout, self.negative_rc)
        return super()._execve(argv)


@pytest.mark.parametrize("rc", [0, 35, 52, 56])
def test_negative_check_that_connects_and_then_fails_removes_the_policy(rc: int) -> None:
    host = NegativeAnswerHost()
    host.negative_rc = rc
    rows, logs = run(host, params={"NegativeCheckURL": "https://example.com/"})
    (negative,) = [r for r in rows if r["Step"] == "negative check"]
    assert negative["Status"] == "failed" and "still reachable" in negative["Result"]
    assert host.netsh() == BUILD + UNDO
    assert any("negative check failed" in line for line in logs)


def test_negative_check_that_times_out_is_unreachable_as_expected() -> None:
    host = NegativeAnswerHost()
    rows, logs = run(host, params={"NegativeCheckURL": "https://example.com/"})
    (negative,) = [r for r in rows if r["Step"] == "negative check"]
    assert negative["Status"] == "ok" and "unreachable as expected" in negative["Result"]
    assert host.netsh() == BUILD
    assert _errors(logs) == []


@pytest.mark.parametrize("rc", [1, 3, 7, 60])
def test_negative_check_with_another_exit_code_is_inconclusive_and_names_it(rc: int) -> None:
    host = NegativeAnswerHost()
    host.negative_rc = rc
    rows, logs = run(host, params={"NegativeCheckURL": "https://example.com/"})
    (negative,) = [r for r in rows if r["Step"] == "negative check"]
    assert negative["Status"] == "warning"
    assert f"curl exit code {rc} " in negative["Result"] and "proves nothing" in negative["Result"]
    assert host.netsh() == BUILD, "an inconclusive negative check does not remove the policy"
    assert _errors(logs) == []


def test_connectivity_passes_when_one_address_answers_and_reports_k_of_n() -> None:
    class OneAddressDown(WindowsHost):
        def _execve(self, argv: list[str]) -> list[dict[str, Any]]:
            if argv[0].endswith("curl.exe") and "2001:db8::10" in " ".join(argv):
                return _done("000", 28)
            return super()._execve(argv)

    host = OneAddressDown()
    rows, logs = run(host)
    assert host.netsh() == BUILD, "one answering address keeps the policy"
    probes = [r for r in rows if r["Step"].startswith("connectivity check ")]
    assert sorted(r["Status"] for r in probes) == ["ok", "warning"]
    (summary,) = [r for r in rows if r["Step"] == "connectivity check"]
    assert summary["Status"] == "ok"
    assert summary["Result"].startswith("1 of 2 paths to the Velociraptor servers answered")
    assert _errors(logs) == []


def test_partial_execve_rows_are_joined_and_only_a_complete_command_counts() -> None:
    """execve sends full `length` chunks as rows with Complete false and the rest with the
    return code (vql/tools/shell/execve.go): the error may sit in an earlier chunk."""

    class ChunkedHost(WindowsHost):
        def _execve(self, argv: list[str]) -> list[dict[str, Any]]:
            if argv[0] == "netsh" and "add filteraction" in " ".join(argv):
                return [
                    {
                        "Stdout": "ERR IPsec[05010] : ",
                        "Stderr": "",
                        "ReturnCode": 0,
                        "Complete": False,
                    },
                    {"Stdout": "the rest", "Stderr": "", "ReturnCode": 0, "Complete": True},
                ]
            return super()._execve(argv)

    host = ChunkedHost()
    rows, _ = run(host)
    failed = [r for r in rows if r["Status"] == "failed"]
    assert failed and "ERR IPsec[05010] : the rest" in failed[0]["Output"]
    assert not host.netsh()[-1].endswith("assign=y")


def test_a_program_that_cannot_start_is_a_failure_not_a_result() -> None:
    """execve's start failure: ReturnCode 1, the error in Stderr, Complete false."""

    class NoNetsh(WindowsHost):
        def _execve(self, argv: list[str]) -> list[dict[str, Any]]:
            if argv[0] == "netsh" and argv[3] == "add":
                return _cannot_start("netsh")
            return super()._execve(argv)

    host = NoNetsh()
    rows, logs = run(host)
    failed = [r for r in rows if r["Status"] == "failed"]
    assert failed[0]["Step"].startswith("create policy")
    assert "executable file not found" in failed[0]["Output"]
    assert any("netsh step" in line and "ERROR" in line for line in logs)


def test_msg_that_cannot_start_is_a_warning_and_the_quarantine_stands() -> None:
    class NoMsg(WindowsHost):
        def _execve(self, argv: list[str]) -> list[dict[str, Any]]:
            if argv[0] == "msg":
                return _cannot_start("msg")
            return super()._execve(argv)

    host = NoMsg()
    rows, _ = run(host, params={"MessageBox": "isolated"})
    assert rows[-1]["Status"] == "warning" and "could not run" in rows[-1]["Result"]
    assert host.netsh()[-1].endswith("assign=y")
    assert next(r for r in rows if r["Step"] == "quarantine")["Status"] == "ok"
