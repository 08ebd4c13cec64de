"""The simulated Windows endpoint: answers every side effect of an artifact from a scenario.

Nothing here touches this machine. execve runs against the netsh model (``netsh``), the curl
model (``curl``) or a message box (``msg``); host, environ, info, wmi, read_reg_key, stat and
http_client are answered from the scenario and the network model. A command or call the model
does not know stops the simulation with a message naming it. Every behaviour below names the
Velociraptor source or Microsoft document it follows; the network, proxy and curl models it
uses are platform-neutral (`network`, `proxy`, `curl`, `client`).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import VrqError
from ..vql.eval import NULL, GoUrl, MockContext, SideEffects, normalise_results
from .client import client_reaches_server
from .curl import run_curl
from .netsh import Netsh, NetshState, decide
from .network import (
    Clock,
    CollectionCancelled,
    Frontend,
    Network,
    ProxyServer,
)
from .proxy import client_proxy
from .scenario import INTERNET_ADDRESS, INTERNET_ADDRESS_V6, Scenario
from .tasks import TASKS_ROOT, TaskScheduler, command_line_to_argv

NETSH_SECONDS = 0.2
"""Simulated duration of one netsh command (not measured: netsh returns in well under a
second on a healthy host; only the order of magnitude matters for the budget)."""

EXECVE_DEFAULT_LENGTH = 10240
"""execve's buffer per row when ``length`` is not given (``vql/tools/shell/execve.go``)."""


@dataclass
class Command:
    """One thing the endpoint did: an execve (argv) or an HTTP request (url)."""

    kind: str
    argv: list[str]
    return_code: int
    stdout: str = ""
    stderr: str = ""
    time: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "argv": list(self.argv),
            "return_code": self.return_code,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "time": self.time,
        }


def scenario_mocks(scenario: Scenario) -> MockContext:
    """The scenario's plugin_results/function_results with mock()'s shapes and call counting."""
    mocks = MockContext()
    for name, rows in scenario.plugin_results.items():
        mocks.mock_plugin(name, normalise_results(rows) or [[]])
    for name, value in scenario.function_results.items():
        mocks.mock_function(name, normalise_results(value) or [[]])
    return mocks


_REG_DOMAIN = "SOFTWARE\\Policies\\Microsoft\\Windows\\IPSec\\GPTIPSECPolicy"
_REG_LOCAL = "SOFTWARE\\Policies\\Microsoft\\Windows\\IPSec\\Policy\\Local"
TEMP_DIR = "C:\\Windows\\Temp"
_REG_FIREWALL = "SOFTWARE\\Policies\\Microsoft\\WindowsFirewall"


def build_network(scenario: Scenario, server_urls: list[str]) -> Network:
    """The scenario's network: DNS, the frontend (at every address its URLs resolve to)."""
    names = {
        str(GoUrl.parse(url).member("Hostname")[1]).lower()
        for url in server_urls
        if GoUrl.parse(url).member("Hostname")[1]
    }
    network = Network(
        dns={k.lower(): list(v) for k, v in scenario.dns.items()},
        frontend=Frontend(frozenset(), frozenset(names)),
        ipv6=scenario.ipv6,
        internet_answer=scenario.negative_answer,
    )
    addresses = {address for name in names for address in network.resolve(name)}
    network.frontend = Frontend(
        frozenset(addresses),
        frozenset(names),
        answers=scenario.server_answers,
        sni_required=scenario.sni_required,
    )
    for key, reaches in scenario.proxies.items():
        address, _, port = key.rpartition(":")
        network.proxies.append(ProxyServer(address.strip("[]"), int(port), reaches))
    return network


@dataclass
class WindowsEndpoint(SideEffects):
    scenario: Scenario
    state: NetshState = field(default_factory=NetshState)
    commands: list[Command] = field(default_factory=list)
    netsh_count: int = 0
    failed_changes: list[list[str]] = field(default_factory=list)
    changed: bool = False
    mocks: MockContext = field(init=False)
    clock: Clock = field(default_factory=Clock)
    network: Network = field(init=False)
    deadline: float | None = None
    cancel_pending: bool = False
    cancelled: str = ""
    scheduler: TaskScheduler = field(default_factory=TaskScheduler)
    files: dict[str, str] = field(default_factory=dict)
    """Files the artifact wrote (tempfile()), by path."""
    timeline: list[dict[str, Any]] = field(default_factory=list)
    """After each change: the time, what ran, and which policy is assigned."""
    collections: list[Any] = field(default_factory=list)
    messages: int = 0
    events_done: int = 0
    start: float = 0.0

    def __post_init__(self) -> None:
        self.mocks = scenario_mocks(self.scenario)
        self.network = build_network(self.scenario, self.server_urls())
        self.start = self.clock.now()
        if self.scenario.foreign_policy:
            # Another local policy is assigned before the quarantine (netsh ipsec static add
            # policy ... assign=yes, as a site's own baseline would be).
            Netsh(self.state, self.resolve).run(
                [
                    "netsh",
                    "ipsec",
                    "static",
                    "add",
                    "policy",
                    f"name={self.scenario.foreign_policy}",
                    "assign=yes",
                ]
            )
            self.record("setup", f"local policy {self.scenario.foreign_policy} assigned")

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "scenario" and "network" in self.__dict__:
            # A new scenario (the removal scenario's set-up) brings its own network.
            super().__setattr__("network", build_network(value, self.server_urls()))

    # ------------------------------------------------------------ the collection's life

    def begin_collection(self, timeout: float | None) -> None:
        """The query starts: it is cancelled `timeout` seconds from now (``actions/vql.go``);
        None for an event query, which runs until it is removed."""
        self.deadline = None if timeout is None else self.clock.now() + timeout

    def end_collection(self, atexit_timeout: float = 60.0) -> None:
        """The query ended: atexit() queries run with a fresh context of their own, each waited
        for at most 60 s (``vql/tools/atexit.go``; vfilter ``scope.Close``)."""
        self.cancel_pending = False
        self.deadline = self.clock.now() + atexit_timeout

    def apply_events(self) -> None:
        """What happens on the host or the network at a time (scenario `events`): DNS answers
        change, someone unassigns or deletes the assigned policy locally, the server goes away."""
        events = self.scenario.events
        while self.events_done < len(events):
            event = events[self.events_done]
            if self.clock.now() < self.start + float(event.get("at", 0)):
                return
            self.events_done += 1
            if "dns" in event:
                for name, addresses in dict(event["dns"]).items():
                    self.network.dns[str(name).lower()] = [str(a) for a in addresses]
                self.network = build_network(
                    replace(self.scenario, dns=dict(self.network.dns)), self.server_urls()
                )
                self.record("event", f"DNS changed: {event['dns']}")
            local = event.get("local")
            if local and self.state.assigned is not None:
                name = self.state.assigned
                verb = "delete" if local == "delete" else "set"
                argv = ["netsh", "ipsec", "static", verb, "policy", f"name={name}"]
                Netsh(self.state, self.resolve).run(
                    argv if verb == "delete" else [*argv, "assign=n"]
                )
                self.record("event", f"someone on the host: {' '.join(argv[1:])}")
            if "server_answers" in event:
                self.scenario = replace(self.scenario, server_answers=bool(event["server_answers"]))
                self.record("event", f"server answers: {event['server_answers']}")

    def _before_side_effect(self) -> None:
        self.apply_events()
        self.run_due_tasks()
        if self.cancel_pending:
            self.cancel_pending = False
            self.cancelled = "cancelled right after the policy was assigned"
            raise CollectionCancelled(self.cancelled)
        if self.deadline is not None and self.clock.now() >= self.deadline:
            self.cancelled = "the collection timed out"
            raise CollectionCancelled(self.cancelled)

    def _spend(self, seconds: float) -> None:
        """Advance the clock; a command still running at the deadline is killed with the
        query (``exec.CommandContext``)."""
        if self.deadline is not None and self.clock.now() + seconds > self.deadline:
            self.clock.advance(max(0.0, self.deadline - self.clock.now()))
            self.cancelled = "the collection timed out while a command was running"
            raise CollectionCancelled(self.cancelled)
        self.clock.advance(seconds)

    def record(self, kind: str, what: str) -> None:
        """One moment of the timeline: after `what`, which policy is assigned."""
        self.timeline.append(
            {"time": self.clock.now(), "kind": kind, "what": what, "assigned": self.state.assigned}
        )

    def run_due_tasks(self) -> None:
        """Task Scheduler runs each task whose time has come (the host is up throughout the
        simulation, so a missed start does not arise), as SYSTEM: the simulator runs its action
        through the same netsh model. Only netsh actions are modelled."""
        for task in self.scheduler.due(self.clock.now()):
            task.ran_at = self.clock.now()
            program = task.command.replace("/", "\\").rsplit("\\", 1)[-1].lower()
            if program not in ("netsh.exe", "netsh"):
                raise VrqError(
                    f"simulated endpoint: the scheduled task {task.name!r} runs {task.command!r}, "
                    "which is not modelled (the expiry task must run netsh)"
                )
            argv = ["netsh", *command_line_to_argv(task.arguments)]
            code, out, err = Netsh(self.state, self.resolve).run(argv)
            task.result = (code, out + err)
            if code == 0:
                self.changed = True
            self.commands.append(
                Command("task", [task.name, *argv], code, out, err, time=self.clock.now())
            )
            self.record("task", f"{task.name}: {' '.join(argv)}")

    def _log(self, message: str) -> None:
        if self.clock.session is not None:
            self.clock.session.log(message)

    # ------------------------------------------------------------ names and reachability

    def resolve(self, name: str) -> list[str]:
        return self.network.resolve(name)

    def server_urls(self) -> list[str]:
        urls = self.scenario.client_config.get("server_urls") or []
        extra = self.scenario.params.get("VelociraptorURL", "")
        return [str(u) for u in [*urls, extra] if u]

    def enforced(self) -> bool:
        """Whether the assigned local policy filters packets. A domain (GPO) IPsec policy
        overrides local policy, a GPO can forbid merging local IPsec policy
        (AllowLocalIPsecPolicyMerge=0, Velociraptor issue #2957), and the IPsec Policy Agent
        enforces static policy (netsh-ipsec reference notes, sections 1.1 and 1.5)."""
        s = self.scenario
        return (
            self.state.assigned is not None
            and s.policy_enforced
            and not s.domain_policy
            and not s.merge_forbidden
            and s.policy_agent == "Running"
        )

    def decide(self, address: str, port: int, protocol: str = "tcp") -> str | None:
        """The host's packet filter: the assigned IPsec policy, when it is enforced; its
        filters, most specific first (netsh-ipsec reference notes 1.5, `netsh.decide`)."""
        if not self.enforced():
            return None
        return decide(
            self.state,
            address,
            port,
            protocol,
            any_covers_ipv6=self.scenario.ipsec_any_covers_ipv6,
        )

    def isolated(self) -> bool:
        """Blocked towards the internet, over IPv6 too when the host has IPv6."""
        families = (
            [INTERNET_ADDRESS, INTERNET_ADDRESS_V6] if self.scenario.ipv6 else [INTERNET_ADDRESS]
        )
        return all(self.decide(address, 443) == "block" for address in families)

    def client_reaches_server(self) -> bool:
        """The client's own path: its proxy (``utils/proxy/proxy.go``), its server URLs."""
        urls = self.server_urls()
        return bool(urls) and client_reaches_server(
            self.network,
            self,
            self.scenario.client_config,
            self.scenario.environment,
            urls,
            pac_answer=self.scenario.pac_answer,
        )

    def client_routes(self) -> dict[str, tuple[str | None, ...]]:
        return {
            url: client_proxy(
                self.scenario.client_config,
                self.scenario.environment,
                url,
                pac_answer=self.scenario.pac_answer,
            ).choices
            for url in self.server_urls()
        }

    # ------------------------------------------------------------ SideEffects

    def plugin(self, name: str, args: dict[str, Any]) -> list[Any] | None:
        self._before_side_effect()
        if self.mocks.has_plugin(name):
            return list(self.mocks.call_plugin(name, args))
        handler = getattr(self, f"_plugin_{name}", None)
        if handler is None:
            return None
        rows: list[Any] = handler(args)
        return rows

    def function(self, name: str, args: dict[str, Any]) -> tuple[bool, Any]:
        """``host()`` (``vql/networking/host.go``), ``environ()`` (``vql/common/env.go``) and
        ``stat()`` (``vql/filesystem/filesystem.go``), mocks first."""
        self._before_side_effect()
        if self.mocks.has_function(name):
            return True, self.mocks.call_function(name)
        if name == "host":
            return True, self._host(args)
        if name == "environ":
            return True, self._environ(args)
        if name == "tempfile":
            return True, self._tempfile(args)
        if name == "stat":
            found = self._plugin_stat(args)
            return True, found[0] if found else NULL
        return False, NULL

    def _host(self, args: dict[str, Any]) -> Any:
        """``host()`` (``vql/networking/host.go``): LookupHost's addresses, IPv4 and IPv6 as the
        resolver returns them; on a lookup error it logs and returns an empty list."""
        name = str(args.get("name", ""))
        addresses = self.resolve(name)
        if not addresses:
            self._log(f"host: Lookup error : lookup {name}: no such host")
        return addresses

    def _tempfile(self, args: dict[str, Any]) -> str:
        """``tempfile(data=, extension=)`` (Velociraptor ``vql/filesystem/tempfile.go``): writes
        the data to a new file in the temp folder and returns its path (removed when the query
        ends)."""
        path = f"{TEMP_DIR}\\tmp{len(self.files) + 1:04d}{args.get('extension') or ''}"
        self.files[path.lower()] = str(args.get("data", ""))
        return path

    def _environ(self, args: dict[str, Any]) -> str:
        """``environ(var=)`` (``vql/common/env.go``): ``os.Getenv``, "" when unset; Windows
        variable names are case-insensitive."""
        wanted = str(args.get("var", "")).upper()
        for key, value in self.scenario.environment.items():
            if key.upper() == wanted:
                return value
        return ""

    def _plugin_info(self, args: dict[str, Any]) -> list[Any]:
        """``info()`` (Velociraptor ``vql/info.go``): OS is ``windows`` on a Windows client."""
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
        """``wmi()`` (``vql/windows/wmi``): one row per instance; on a WMI error it logs
        ``wmi: <error>`` and returns no row. Win32_Service.State is a fixed English value
        ("Running", "Stopped", ...), not localised (Microsoft Win32_Service class document)."""
        query = str(args.get("query", ""))
        if "Win32_Service" in query and "PolicyAgent" in query:
            if self.scenario.wmi_error:
                self._log("wmi: Exception occurred. (WBEM_E_FAILED 0x80041001)")
                return []
            return [{"Name": "PolicyAgent", "State": self.scenario.policy_agent}]
        raise VrqError(
            f"simulated endpoint: the WMI query {query!r} is not modelled",
            hint="answer it with plugin_results: {wmi: [...]} in a scenario file",
        )

    def _plugin_read_reg_key(self, args: dict[str, Any]) -> list[Any]:
        """``read_reg_key()``: one row per key with its values as columns. The keys modelled:
        the GPO IPsec assignment (GPTIPSECPolicy\\DSIPSECPolicyPath, an unverified location:
        netsh-ipsec reference notes 1.5) and the firewall policy profiles
        (AllowLocalIPsecPolicyMerge, Velociraptor issue #2957)."""
        globs = args.get("globs", "")
        patterns = globs if isinstance(globs, list) else [globs]
        rows: list[Any] = []
        for pattern in patterns:
            text = str(pattern)
            if text.lower().endswith(_REG_LOCAL.lower()):
                rows.append(self._local_key("", text))
            elif text.lower().endswith((_REG_LOCAL + "\\ipsecPolicy*").lower()):
                base = text[: -len("\\ipsecPolicy*")]
                rows.extend(
                    self._local_key(key, base + "\\" + key) for key in self.state.registry() if key
                )
            elif _REG_DOMAIN.lower() in text.lower():
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

    def _local_key(self, key: str, path: str) -> dict[str, Any]:
        """A row of read_reg_key: Key, then the values; a value the key lacks reads as NULL
        (the row dict has a NULL default, ``vql/windows/registry``)."""
        name = path.rsplit("\\", 1)[-1]
        values = self.state.registry().get(key, {})
        defaults = {"ActivePolicy": NULL} if not key else {"ipsecName": NULL, "description": NULL}
        return {"Key": {"Name": name, "OSPath": path, "IsDir": True}, **defaults, **values}

    def _plugin_glob(self, args: dict[str, Any]) -> list[Any]:
        """``glob()`` (Velociraptor ``vql/filesystem/glob.go``): one row per matching file. The
        simulator models the Task Scheduler's tasks folder only."""
        globs = args.get("globs", "")
        rows: list[Any] = []
        for pattern in globs if isinstance(globs, list) else [globs]:
            text = str(pattern)
            if not text.lower().startswith(TASKS_ROOT.lower()) or not text.endswith("\\*"):
                raise VrqError(
                    f"simulated endpoint: glob {text!r} is not modelled",
                    hint="the simulator models the scheduled tasks folder only",
                )
            folder = text[:-2].lower()
            for path in self.scheduler.files():
                if path.lower().rsplit("\\", 1)[0] == folder:
                    rows.append(
                        {
                            "Name": path.rsplit("\\", 1)[-1],
                            "OSPath": path,
                            "FullPath": path,
                            "IsDir": False,
                        }
                    )
        return rows

    def _program_exists(self, path: str) -> bool:
        known = {f.lower() for f in self.scenario.files}
        return path.lower() in known

    def _plugin_stat(self, args: dict[str, Any]) -> list[Any]:
        """``stat()`` (Velociraptor ``vql/filesystem``): one row for a file that exists, none
        otherwise."""
        name = str(args.get("filename", ""))
        if self._program_exists(name):
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
        """``http_client()`` (``vql/networking/http_client.go``): a row with Response 200 and
        the body, or, on a connection error, a row with Response 500 and the error as Content.
        Its connect timeout is the client's connection_timeout (300 s by default,
        ``vql/networking/transport.go``); it takes the client's proxy, and Go sends SNI."""
        url = str(args.get("url", ""))
        routes = client_proxy(
            self.scenario.client_config,
            self.scenario.environment,
            url,
            pac_answer=self.scenario.pac_answer,
        ).choices
        proxy = routes[0]
        route = ["--proxy", proxy] if proxy else ["--noproxy", "*"]
        result = run_curl(
            ["curl", "--globoff", "--connect-timeout", "300", *route, url],
            self.network,
            self,
            {},
        )
        self._spend(result.seconds)
        ok = result.return_code == 0
        status = int(result.stdout) if ok and result.stdout.isdigit() else 500
        self.commands.append(
            Command(
                "http",
                ["GET", url],
                status,
                stdout="" if ok else result.stderr,
                time=self.clock.now(),
            )
        )
        if ok:
            return [
                {
                    "Url": url,
                    "Content": "-----BEGIN CERTIFICATE-----\n..." if status == 200 else "",
                    "Response": status,
                    "Headers": {},
                }
            ]
        return [{"Url": url, "Content": result.stderr, "Response": 500, "Headers": {}}]

    def _plugin_execve(self, args: dict[str, Any]) -> list[Any]:
        """``execve()`` (``vql/tools/shell/execve.go``): with ``prevent_execve`` in the client
        config it logs and returns no row; when the program cannot start, one row with
        ReturnCode 1, the error in Stderr and Complete false; otherwise, without ``sep``, a row
        per ``length`` bytes of output (Complete false) and a last row with the rest, the
        ReturnCode and Complete true."""
        raw = args.get("argv", [])
        argv = [
            a if isinstance(a, str) else str(a) for a in (raw if isinstance(raw, list) else [raw])
        ]
        if not argv:
            raise VrqError("simulated endpoint: execve() with an empty argv")
        if args.get("sep") or args.get("env") or args.get("cwd"):
            raise VrqError(
                "simulated endpoint: execve() with sep, env or cwd is not modelled",
                hint="the simulator returns rows as execve without sep does",
            )
        if self.scenario.client_config.get("prevent_execve"):
            self._log("execve: Not allowed to execve by configuration.")
            return []
        self._log(f"execve: Running external command [{' '.join(argv)}]")
        program = argv[0].replace("/", "\\").rsplit("\\", 1)[-1].lower().removesuffix(".exe")
        if program == "netsh":
            code, out, err = self._netsh(argv)
            self._spend(NETSH_SECONDS)
        elif program == "curl":
            if "\\" in argv[0] and not self._program_exists(argv[0]):
                return self._start_failure(argv)
            result = run_curl(argv, self.network, self, self.scenario.environment)
            self._spend(result.seconds)
            code, out, err = result.return_code, result.stdout, result.stderr
        elif program == "schtasks":
            code, out = self.scheduler.schtasks(argv, lambda p: self.files.get(p.lower()))
            err = ""
            self._spend(0.3)
            if code == 0:
                self.changed = True
                self.record("schtasks", " ".join(argv))
        elif program == "msg":
            if self.scenario.msg_missing:
                return self._start_failure(argv)
            self.messages += 1
            code = self.scenario.msg_exit
            out = ""
            err = "" if code == 0 else "Error 1722 getting session names\n"
            self._spend(0.1)
        else:
            raise VrqError(
                f"simulated endpoint: the command {argv[0]!r} is not modelled",
                hint="the simulator models netsh, curl and msg; answer other commands with "
                "plugin_results: {execve: [...]} in a scenario file",
            )
        self.commands.append(Command("execve", argv, code, out, err, time=self.clock.now()))
        if (
            program == "netsh"
            and code == 0
            and _assigns(argv)
            and self.scenario.cancel_after == "assign"
            and not self.cancelled
        ):
            self.cancel_pending = True
        length = _int(args.get("length")) or EXECVE_DEFAULT_LENGTH
        return _execve_rows(out, err, code, length)

    def _start_failure(self, argv: list[str]) -> list[Any]:
        message = f'exec: "{argv[0]}": file does not exist'
        self._log(f"execve: {message}")
        self.commands.append(Command("execve", argv, 1, "", message, time=self.clock.now()))
        return [{"Stdout": "", "Stderr": message, "ReturnCode": 1, "Complete": False}]

    def _netsh(self, argv: list[str]) -> tuple[int, str, str]:
        """``netsh ipsec static`` (Microsoft, Netsh Commands for Internet Protocol Security):
        runs the command against the model of the local IPsec store (`Netsh`), or fails the
        scenario's injected step."""
        self.netsh_count += 1
        if self.scenario.netsh_fail_step == self.netsh_count:
            message = f"injected failure of netsh command {self.netsh_count}"
            result = (1, f"ERR IPsec[05999] : (simulated) {message}\n", "")
        else:
            result = Netsh(self.state, self.resolve).run(argv)
        verb = argv[3].lower() if len(argv) > 3 else ""
        if result[0] != 0 and verb in ("add", "set"):
            self.failed_changes.append(list(argv))
        if result[0] == 0 and verb in ("add", "set", "delete"):
            self.changed = True
        if verb in ("add", "set", "delete"):
            self.record("netsh", " ".join(argv[1:]))
        return result


def _assigns(argv: list[str]) -> bool:
    words = [w.lower() for w in argv[1:]]
    return words[2:4] == ["set", "policy"] and any(
        w in ("assign=y", "assign=yes") for w in words[4:]
    )


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _execve_rows(stdout: str, stderr: str, code: int, length: int) -> list[dict[str, Any]]:
    """execve's rows for one finished command (no ``sep``): the output is cut into ``length``
    pieces; full pieces are sent at once (Complete false) and the rest goes with the return
    code in the last row (Complete true). Stdout and Stderr are cut separately."""
    rows: list[dict[str, Any]] = []
    tail: dict[str, str] = {}
    for name, data in (("Stdout", stdout), ("Stderr", stderr)):
        while len(data) > length:
            rows.append(
                {
                    "Stdout": data[:length] if name == "Stdout" else "",
                    "Stderr": data[:length] if name == "Stderr" else "",
                    "ReturnCode": 0,
                    "Complete": False,
                }
            )
            data = data[length:]
        tail[name] = data
    rows.append(
        {"Stdout": tail["Stdout"], "Stderr": tail["Stderr"], "ReturnCode": code, "Complete": True}
    )
    return rows


def ip_version(text: str) -> int:
    try:
        return ipaddress.ip_address(text).version
    except ValueError:
        return 0
