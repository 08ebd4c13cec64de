"""The simulated Windows endpoint: answers every side effect of an artifact from a scenario.

Nothing here touches this machine. execve runs against the netsh model (``netsh``), the network
model (``curl``) or a message box (``msg``); http_client, host, info, wmi, read_reg_key and stat
are answered from the scenario. A command or call the model does not know stops the simulation
with a message naming it.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field
from typing import Any

from ..errors import VrqError
from ..vql.eval import NULL, GoUrl, MockContext, SideEffects, normalise_results
from .netsh import Netsh, NetshState, decide, is_ip
from .scenario import INTERNET_ADDRESS, Scenario


@dataclass
class Command:
    """One thing the endpoint did: an execve (argv) or an HTTP request (url)."""

    kind: str
    argv: list[str]
    return_code: int
    stdout: str = ""
    stderr: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "argv": list(self.argv),
            "return_code": self.return_code,
            "stdout": self.stdout,
            "stderr": self.stderr,
        }


@dataclass
class Reach:
    ok: bool
    status: int
    detail: str
    failure: str = ""
    """Why not: "url" (malformed), "dns" (the name does not resolve) or "timeout"."""


def scenario_mocks(scenario: Scenario) -> MockContext:
    """The scenario's plugin_results/function_results with mock()'s shapes and call counting."""
    mocks = MockContext()
    for name, rows in scenario.plugin_results.items():
        mocks.mock_plugin(name, normalise_results(rows) or [[]])
    for name, value in scenario.function_results.items():
        mocks.mock_function(name, normalise_results(value) or [[]])
    return mocks


_REG_DOMAIN = "SOFTWARE\\Policies\\Microsoft\\Windows\\IPSec\\GPTIPSECPolicy"
_REG_FIREWALL = "SOFTWARE\\Policies\\Microsoft\\WindowsFirewall"


@dataclass
class WindowsEndpoint(SideEffects):
    scenario: Scenario
    state: NetshState = field(default_factory=NetshState)
    commands: list[Command] = field(default_factory=list)
    netsh_count: int = 0
    failed_changes: list[list[str]] = field(default_factory=list)
    mocks: MockContext = field(init=False)

    def __post_init__(self) -> None:
        self.mocks = scenario_mocks(self.scenario)

    # ------------------------------------------------------------ names and reachability

    def resolve(self, name: str) -> list[str]:
        """The scenario's DNS; a name it does not list gets a stable TEST-NET-3 address."""
        if is_ip(name):
            return [name]
        if not name:
            return []
        listed = self.scenario.dns.get(name.lower())
        if listed is not None:
            return list(listed)
        digest = hashlib.sha256(name.lower().encode("utf-8")).digest()
        return [f"203.0.113.{1 + digest[0] % 250}"]

    def server_addresses(self) -> set[str]:
        addresses: set[str] = set()
        for url in self.server_urls():
            host = GoUrl.parse(url).member("Hostname")[1]
            addresses.update(self.resolve(host))
        return addresses

    def server_urls(self) -> list[str]:
        urls = self.scenario.client_config.get("server_urls") or []
        extra = self.scenario.params.get("VelociraptorURL", "")
        return [str(u) for u in [*urls, extra] if u]

    def enforced(self) -> bool:
        s = self.scenario
        return (
            self.state.assigned is not None
            and s.policy_enforced
            and not s.domain_policy
            and not s.merge_forbidden
            and s.policy_agent == "Running"
        )

    def reach(self, url: str) -> Reach:
        parsed = GoUrl.parse(url)
        host = str(parsed.member("Hostname")[1])
        port_text = str(parsed.member("Port")[1]) or ("80" if parsed.Scheme == "http" else "443")
        if not host or not port_text.isdigit() or _bad_host(parsed.Host):
            return Reach(False, 0, f"invalid URL {url!r}", "url")
        addresses = self.resolve(host)
        if not addresses:
            return Reach(False, 0, f"could not resolve host {host}", "dns")
        port = int(port_text)
        # A Velociraptor frontend: a configured server, or anything asked for /server.pem.
        frontend = parsed.Path == "/server.pem"
        servers = self.server_addresses()
        for address in addresses:
            if (frontend or address in servers) and not self.scenario.server_answers:
                continue
            if self.enforced() and decide(self.state, address, port) == "block":
                continue
            return Reach(True, 200, f"connected to {address}:{port}")
        return Reach(False, 0, f"no answer from {host}:{port} (timed out)", "timeout")

    def isolated(self) -> bool:
        return self.enforced() and decide(self.state, INTERNET_ADDRESS, 443) == "block"

    # ------------------------------------------------------------ SideEffects

    def plugin(self, name: str, args: dict[str, Any]) -> list[Any] | None:
        if self.mocks.has_plugin(name):
            return list(self.mocks.call_plugin(name, args))
        handler = getattr(self, f"_plugin_{name}", None)
        if handler is None:
            return None
        rows: list[Any] = handler(args)
        return rows

    def function(self, name: str, args: dict[str, Any]) -> tuple[bool, Any]:
        if self.mocks.has_function(name):
            return True, self.mocks.call_function(name)
        if name == "host":
            return True, self.resolve(str(args.get("name", "")))
        if name == "stat":
            found = self._plugin_stat(args)
            return True, found[0] if found else NULL
        return False, NULL

    def _plugin_info(self, args: dict[str, Any]) -> list[Any]:
        return [
            {
                "Hostname": "SIMULATED-HOST",
                "OS": self.scenario.os,
                "Platform": "Microsoft Windows 10 Enterprise"
                if self.scenario.os == "windows"
                else self.scenario.os,
                "Architecture": "amd64",
                "Fqdn": "simulated-host.example.com",
            }
        ]

    def _plugin_wmi(self, args: dict[str, Any]) -> list[Any]:
        query = str(args.get("query", ""))
        if "Win32_Service" in query and "PolicyAgent" in query:
            return [{"Name": "PolicyAgent", "State": self.scenario.policy_agent}]
        raise VrqError(
            f"simulated endpoint: the WMI query {query!r} is not modelled",
            hint="answer it with plugin_results: {wmi: [...]} in a scenario file",
        )

    def _plugin_read_reg_key(self, args: dict[str, Any]) -> list[Any]:
        globs = args.get("globs", "")
        patterns = globs if isinstance(globs, list) else [globs]
        rows: list[Any] = []
        for pattern in patterns:
            text = str(pattern)
            if _REG_DOMAIN.lower() in text.lower():
                if self.scenario.domain_policy:
                    rows.append(
                        {
                            "Key": "HKEY_LOCAL_MACHINE\\" + _REG_DOMAIN,
                            "DSIPSECPolicyPath": "LDAP://CN=ipsecPolicy{7238523c-70fa-11d1-864c-"
                            "14a300000000},CN=IP Security,CN=System,DC=corp,DC=example",
                        }
                    )
            elif _REG_FIREWALL.lower() in text.lower():
                if self.scenario.merge_forbidden:
                    rows.append(
                        {
                            "Key": "HKEY_LOCAL_MACHINE\\" + _REG_FIREWALL + "\\DomainProfile",
                            "AllowLocalIPsecPolicyMerge": 0,
                        }
                    )
            else:
                raise VrqError(
                    f"simulated endpoint: the registry key {text!r} is not modelled",
                    hint="answer it with plugin_results: {read_reg_key: [...]}",
                )
        return rows

    def _plugin_stat(self, args: dict[str, Any]) -> list[Any]:
        name = str(args.get("filename", ""))
        known = {f.lower() for f in self.scenario.files}
        if name.lower() in known:
            return [
                {
                    "OSPath": name,
                    "Name": name.rsplit("\\", 1)[-1],
                    "Size": 4096,
                    "IsDir": False,
                    "Mode": "-rwxr-xr-x",
                }
            ]
        return []

    def _plugin_http_client(self, args: dict[str, Any]) -> list[Any]:
        url = str(args.get("url", ""))
        result = self.reach(url)
        self.commands.append(
            Command("http", ["GET", url], result.status or 500, "" if result.ok else result.detail)
        )
        if result.ok:
            return [
                {
                    "Url": url,
                    "Content": "-----BEGIN CERTIFICATE-----\n...",
                    "Response": 200,
                    "Headers": {},
                }
            ]
        return [{"Url": url, "Content": result.detail, "Response": 500, "Headers": {}}]

    def _plugin_execve(self, args: dict[str, Any]) -> list[Any]:
        raw = args.get("argv", [])
        argv = [
            a if isinstance(a, str) else str(a) for a in (raw if isinstance(raw, list) else [raw])
        ]
        if not argv:
            raise VrqError("simulated endpoint: execve() with an empty argv")
        if args.get("sep") or args.get("env") or args.get("cwd"):
            raise VrqError(
                "simulated endpoint: execve() with sep, env or cwd is not modelled",
                hint="the simulator returns one row per command, as execve without sep does",
            )
        program = argv[0].replace("/", "\\").rsplit("\\", 1)[-1].lower().removesuffix(".exe")
        if program == "netsh":
            code, out, err = self._netsh(argv)
        elif program == "curl":
            code, out, err = self._curl(argv)
        elif program == "msg":
            code, out, err = 0, "", ""
        else:
            raise VrqError(
                f"simulated endpoint: the command {argv[0]!r} is not modelled",
                hint="the simulator models netsh, curl and msg; answer other commands with "
                "plugin_results: {execve: [...]} in a scenario file",
            )
        self.commands.append(Command("execve", argv, code, out, err))
        return [{"Stdout": out, "Stderr": err, "ReturnCode": code, "Complete": True}]

    def _netsh(self, argv: list[str]) -> tuple[int, str, str]:
        self.netsh_count += 1
        if self.scenario.netsh_fail_step == self.netsh_count:
            message = f"injected failure of netsh command {self.netsh_count}"
            result = (1, f"ERR IPsec[05999] : (simulated) {message}\n", "")
        else:
            result = Netsh(self.state, self.resolve).run(argv)
        verb = argv[3].lower() if len(argv) > 3 else ""
        if result[0] != 0 and verb in ("add", "set"):
            self.failed_changes.append(list(argv))
        return result

    def _curl(self, argv: list[str]) -> tuple[int, str, str]:
        url = argv[-1]
        outside = GoUrl.parse(url).Path != "/server.pem"
        answer = self.scenario.negative_answer
        if outside and answer == "no-dns":
            host = str(GoUrl.parse(url).member("Hostname")[1])
            return 6, "000", f"curl: (6) Could not resolve host: {host}"
        result = self.reach(url)
        if result.ok:
            if outside and answer == "refused":
                return (
                    7,
                    "000",
                    "curl: (7) Failed to connect: Connection refused",
                )
            if outside and answer == "tls-error":
                return 35, "000", "curl: (35) schannel: failed to receive handshake"
            if outside and answer == "timeout":
                return 28, "000", "curl: (28) Connection timed out (the host never answers)"
            return 0, "200", ""
        if result.failure == "url":
            return 3, "000", f"curl: (3) URL rejected: {result.detail}"
        if result.failure == "dns":
            return 6, "000", f"curl: (6) Could not resolve host: {result.detail.rsplit(' ', 1)[-1]}"
        return 28, "000", f"curl: (28) Connection timed out: {result.detail}"


def _bad_host(host: str) -> bool:
    """A Host that no client could connect to, e.g. the "[" the upstream artifact builds."""
    if host.startswith("["):
        inner, sep, _ = host[1:].partition("]")
        if not sep:
            return True
        try:
            ipaddress.IPv6Address(inner)
        except ValueError:
            return True
        return False
    return "[" in host or "]" in host
