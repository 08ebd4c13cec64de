"""What every simulated endpoint shares, whatever its platform (Windows, Linux, macOS).

A platform's endpoint (`endpoint.WindowsEndpoint`, `unix.UnixEndpoint` and its Linux and macOS
subclasses) adds its packet filter, its programs and its scheduled jobs; this module holds the
rest, each behaviour once:

- the collection's life: its deadline and cancellation (``actions/vql.go``), each atexit()
  query's own timeout (``vql/tools/atexit.go``), a command killed with the query
  (``exec.CommandContext``);
- the scenario's events at their time (DNS answers change, someone on the host removes the
  quarantine, the server goes away) and the timeline of what changed the host;
- the client's own path to its server (`client`, `proxy`), and whether the host is isolated;
- the calls every platform answers alike: ``host()``, ``stat()``, ``http_client()`` and the
  frame of ``execve()`` (``prevent_execve``, start failures, rows of ``length`` bytes).
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from ..errors import VrqError
from ..vql.eval import NULL, GoUrl, MockContext, SideEffects, normalise_results
from .client import client_reaches_server
from .curl import run_curl
from .network import Clock, CollectionCancelled, Frontend, Network, ProxyServer
from .proxy import ProcessEnvironment, ProxyChoice, client_proxy
from .scenario import INTERNET_ADDRESS, INTERNET_ADDRESS_V6, Scenario

EXECVE_DEFAULT_LENGTH = 10240
"""execve's buffer per row when ``length`` is not given (``vql/tools/shell/execve.go``)."""

HTTP_CONNECT_TIMEOUT = "300"
"""http_client()'s connect timeout: the client's connection_timeout, 300 s by default
(``vql/networking/transport.go``)."""


@dataclass
class Command:
    """One thing the endpoint did: an execve (argv), an HTTP request (url) or a scheduled job."""

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
    addresses = {address for name in names for address in network.lookup(name)}
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


def execve_rows(stdout: str, stderr: str, code: int, length: int) -> list[dict[str, Any]]:
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


def whole_number(value: Any) -> int:
    """A VQL argument read as Go reads an int64 argument: 0 when it is not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@dataclass
class Endpoint(SideEffects, ABC):
    """A simulated host: answers the artifact's side effects from the scenario, records the
    commands it ran and the timeline of what changed, and describes its final state with the
    keys scenarios check (`Expectation`)."""

    scenario: Scenario
    commands: list[Command] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    tempfiles: list[str] = field(default_factory=list)
    """Files tempfile() wrote during the current query (removed when it ends)."""
    tempfile_count: int = 0
    firewall_count: int = 0
    """How many commands of the packet-filter tool (`FIREWALL`) ran: ``*-fail:N`` counts them."""
    failed_changes: list[list[str]] = field(default_factory=list)
    changed: bool = False
    clock: Clock = field(default_factory=Clock)
    deadline: float | None = None
    cancel_pending: bool = False
    cancelled: str = ""
    mocks: MockContext = field(init=False)
    network: Network = field(init=False)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    """After each change: the time, what ran, and which quarantine is in force."""
    collections: list[Any] = field(default_factory=list)
    messages: int = 0
    """How many times a message was shown to the users (msg.exe, wall, osascript)."""
    events_done: int = 0
    start: float = 0.0
    looked_at: float = 0.0
    """The clock when `catch_up` last ran: nothing is stamped before it."""
    catching_up: bool = False
    before: Any = None
    """`host_state` before the first collection (after the set-up of a quarantine in place)."""

    FIREWALL: ClassVar[str] = ""
    """The packet-filter tool (netsh, nft, pfctl)."""
    LOADED: ClassVar[str] = ""
    """What "the quarantine is in force" is called on the platform, for messages."""

    def __post_init__(self) -> None:
        self.mocks = scenario_mocks(self.scenario)
        self.network = self.make_network()
        self.start = self.clock.now()

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "scenario" and "network" in self.__dict__:
            # A new scenario (the removal scenario's set-up, an event) brings its own network.
            super().__setattr__("network", self.make_network())

    def make_network(self) -> Network:
        return build_network(self.scenario, self.server_urls())

    # ------------------------------------------------------------ the platform's part

    @abstractmethod
    def in_force(self) -> bool:
        """The artifact's quarantine (or, on Windows, any local IPsec policy) is in force."""

    @abstractmethod
    def assigned(self) -> str | None:
        """The quarantine in force, by name (None: none)."""

    @abstractmethod
    def enforced(self) -> bool:
        """Whether the quarantine in force filters packets."""

    @abstractmethod
    def decide(self, address: str, port: int, protocol: str = "tcp") -> str | None:
        """The host's packet filter (`network.Firewall`): "permit", "block", or None when no
        quarantine is enforced."""

    @abstractmethod
    def local_event(self, local: str) -> None:
        """Someone on the host acts on the quarantine (scenario event ``local``)."""

    @abstractmethod
    def run_due_tasks(self) -> None:
        """Each scheduled job whose time has come runs (outside any collection)."""

    @abstractmethod
    def next_task_time(self) -> float | None:
        """When the next scheduled job that has not run is due (None: none)."""

    @abstractmethod
    def start_error(self, argv: list[str]) -> str:
        """Go's error when execve cannot start argv[0]; "" when it starts."""

    @abstractmethod
    def execute(self, argv: list[str]) -> tuple[int, str, str]:
        """Run a program that started: its return code, stdout and stderr."""

    @abstractmethod
    def loads(self, argv: list[str]) -> bool:
        """Whether a command puts the quarantine in force (cancel_after="assign" follows it)."""

    @abstractmethod
    def host_state(self) -> Any:
        """What the host keeps between runs (its packet filter, its files, the jobs still
        scheduled), as plain data: a complete rollback gives back exactly what was there."""

    @abstractmethod
    def final_state(self, rows: list[Any]) -> dict[str, Any]:
        """What a responder would find on the host afterwards, with the outcome flags."""

    # ------------------------------------------------------------ the collection's life

    def begin_collection(self, timeout: float | None) -> None:
        """The query starts: it is cancelled `timeout` seconds from now (``actions/vql.go``);
        None for an event query, which runs until it is removed."""
        if self.before is None:
            self.before = copy.deepcopy(self.host_state())
        self.deadline = None if timeout is None else self.clock.now() + timeout

    def exit_query_starts(self, timeout: float) -> None:
        """An atexit() query starts as the root scope closes: no cancellation is pending, and
        its own context ends `timeout` seconds from now (``vql/tools/atexit.go``)."""
        self.cancel_pending = False
        self.deadline = self.clock.now() + timeout

    def query_ended(self) -> None:
        """tempfile() removes its files when the query's scope closes
        (``vql/filesystem/tempfile.go``)."""
        for path in self.tempfiles:
            self.files.pop(path, None)
        self.tempfiles.clear()

    def forget_setup(self) -> list[Command]:
        """After the set-up collection (a quarantine already in place): the host keeps what it
        became; what ran and changed is forgotten. Returns the set-up's commands."""
        commands, self.commands = self.commands, []
        self.firewall_count = 0
        self.failed_changes = []
        self.changed = False
        self.mocks = scenario_mocks(self.scenario)
        self.before = copy.deepcopy(self.host_state())
        # The scenario's time (its events' `at`) starts after the set-up.
        self.start = self.looked_at = self.clock.now()
        return commands

    def apply_events(self) -> None:
        """What happens on the host or the network at a time (scenario `events`): DNS answers
        change (``dns``), someone on the host acts on the quarantine (``local``), the server
        goes away or comes back (``server_answers``)."""
        while (due := self.next_event_time()) is not None and due <= self.clock.now():
            event = self.scenario.events[self.events_done]
            self.events_done += 1
            if "dns" in event:
                dns = dict(self.network.dns)
                for name, addresses in dict(event["dns"]).items():
                    dns[str(name).lower()] = [str(a) for a in addresses]
                self.scenario = replace(self.scenario, dns=dns)
                self.record("event", f"DNS changed: {event['dns']}")
            if event.get("local"):
                self.local_event(str(event["local"]))
            if "server_answers" in event:
                self.scenario = replace(self.scenario, server_answers=bool(event["server_answers"]))
                self.record("event", f"server answers: {event['server_answers']}")

    def advance(self, seconds: float) -> None:
        """Let time pass: events happen and due jobs run (outside any collection), each at its
        own time."""
        self.clock.advance(seconds)
        self.catch_up()

    def next_event_time(self) -> float | None:
        """When the scenario's next event happens (None: no event left)."""
        events = self.scenario.events
        if self.events_done < len(events):
            return self.start + float(events[self.events_done].get("at", 0))
        return None

    def catch_up(self) -> None:
        """What was due while the clock moved on (a command ran, time was advanced, the query
        slept or waited for its ``clock()``) happens in time order, each at its own time: the
        scenario's events at their ``at``, each scheduled job at its due time (Task Scheduler
        starts a time trigger at its StartBoundary; systemd, atd and launchd at theirs), not when
        the simulator next looks. Nothing observed the host in between, so running them now,
        each on the clock of its own moment, is what the host would have seen."""
        if self.catching_up:
            return
        now = self.clock.now()
        self.catching_up = True
        try:
            while True:
                due = [
                    t
                    for t in (self.next_event_time(), self.next_task_time())
                    if t is not None and t <= now
                ]
                if not due:
                    break
                self.clock.set(max(min(due), self.looked_at))
                self.apply_events()
                self.run_due_tasks()
        finally:
            self.catching_up = False
            self.clock.set(max(now, self.clock.now()))
            self.looked_at = self.clock.now()

    def record(self, kind: str, what: str) -> None:
        """One moment of the timeline: after `what`, which quarantine is in force."""
        self.timeline.append(
            {"time": self.clock.now(), "kind": kind, "what": what, "assigned": self.assigned()}
        )

    def _before_side_effect(self) -> None:
        self.catch_up()
        if self.cancel_pending:
            self.cancel_pending = False
            self.cancelled = f"cancelled right after {self.LOADED}"
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
        self.catch_up()

    def _log(self, message: str) -> None:
        if self.clock.session is not None:
            self.clock.session.log(message)

    def _injected_failure(self) -> bool:
        """Counts a command of the packet-filter tool; True for the scenario's ``*-fail:N``."""
        self.firewall_count += 1
        return self.scenario.netsh_fail_step == self.firewall_count

    # ------------------------------------------------------------ names and reachability

    def resolve(self, name: str) -> list[str]:
        return self.network.resolve(name)

    def server_urls(self) -> list[str]:
        urls = self.scenario.client_config.get("server_urls") or []
        extra = self.scenario.params.get("VelociraptorURL", "")
        return [str(u) for u in [*urls, extra] if u]

    def client_reaches_server(self) -> bool:
        """The client's own path: its proxy (``utils/proxy/proxy.go``), its server URLs."""
        urls = self.server_urls()
        return bool(urls) and client_reaches_server(
            self.network,
            self,
            self.scenario.client_config,
            self.environ,
            urls,
            pac_answer=self.scenario.pac_answer,
        )

    def client_routes(self) -> dict[str, tuple[str | None, ...]]:
        return {url: self._proxies(url) for url in self.server_urls()}

    def _proxies(self, url: str) -> tuple[str | None, ...]:
        return self._proxy_choice(url).choices

    def _proxy_choice(self, url: str) -> ProxyChoice:
        return client_proxy(
            self.scenario.client_config,
            self.environ,
            url,
            pac_answer=self.scenario.pac_answer,
        )

    def isolated(self) -> bool:
        """Blocked towards the internet, over IPv6 too when the host has IPv6."""
        families = (
            [INTERNET_ADDRESS, INTERNET_ADDRESS_V6] if self.scenario.ipv6 else [INTERNET_ADDRESS]
        )
        return all(self.decide(address, 443) == "block" for address in families)

    def permits_current(self) -> bool:
        """A quarantine is in force and the addresses the server names resolve to now are all
        permitted by it."""
        if not self.in_force():
            return False
        for url in self.server_urls():
            parsed = GoUrl.parse(url)
            host = str(parsed.member("Hostname")[1])
            port = int(str(parsed.member("Port")[1]) or 443)
            for address in self.network.lookup(host):
                if self.decide(address, port) != "permit":
                    return False
        return True

    def common_state(self, rows: list[Any]) -> dict[str, Any]:
        """The outcome flags every platform computes alike (`Expectation`)."""
        in_force = self.in_force()
        reachable = self.client_reaches_server()
        return {
            "enforced": self.enforced(),
            "isolated": self.isolated(),
            "half_applied": in_force and bool(self.failed_changes),
            "failed_changes": [list(argv) for argv in self.failed_changes],
            "server_reachable": reachable,
            "locked_out": in_force and self.enforced() and not reachable,
            "refused": any(_failed(row, "pre-flight") for row in rows),
            "changed": self.changed,
            "rolled_back": self.changed
            and self.host_state() == self.before
            and not any(_failed(row, "rollback") for row in rows),
            "cancelled": self.cancelled,
            "no_gap": not gaps(self.timeline),
            "one_message_box": self.messages == 1,
            "message_boxes": self.messages,
            "permits_current": self.permits_current(),
            "client_routes": {
                url: [proxy or "direct" for proxy in choices]
                for url, choices in self.client_routes().items()
            },
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
        """The endpoint's functions, mocks first (``mock()``, ``vql/remapping/mocker.go``); each
        ``_fn_NAME`` cites its own source."""
        self._before_side_effect()
        if self.mocks.has_function(name):
            return True, self.mocks.call_function(name)
        handler = getattr(self, f"_fn_{name}", None)
        if handler is None:
            return False, NULL
        return True, handler(args)

    @abstractmethod
    def _plugin_stat(self, args: dict[str, Any]) -> list[Any]:
        """``stat()`` (``vql/filesystem/filesystem.go``): one row for a file that exists, none
        otherwise."""

    @property
    def environ(self) -> ProcessEnvironment:
        """The client process's environment, read as the platform's ``os.Getenv`` reads it."""
        return ProcessEnvironment.of(self.scenario.environment, self.scenario.os)

    def _fn_environ(self, args: dict[str, Any]) -> str:
        """``environ(var=)`` (``vql/common/env.go``): ``os.Getenv``, "" when unset; names are
        case-insensitive on Windows only (`ProcessEnvironment`)."""
        return self.environ.get(str(args.get("var", "")))

    def _fn_stat(self, args: dict[str, Any]) -> Any:
        """``stat()`` (``vql/filesystem/filesystem.go``): the stat plugin's row, NULL when the
        file does not exist."""
        found = self._plugin_stat(args)
        return found[0] if found else NULL

    def _fn_host(self, args: dict[str, Any]) -> Any:
        """``host()`` (``vql/networking/host.go``): Go's LookupHost, every A and AAAA address as
        the resolver returns them, an IP literal as itself; on a lookup error it logs and
        returns an empty list."""
        name = str(args.get("name", ""))
        addresses = self.resolve(name)
        if not addresses:
            self._log(f"host: Lookup error : lookup {name}: no such host")
        return addresses

    def _plugin_http_client(self, args: dict[str, Any]) -> list[Any]:
        """``http_client()`` (``vql/networking/http_client.go``): a row with Response 200 and
        the body, or, on a connection error, a row with Response 500 and the error as Content.
        Its connect timeout is the client's connection_timeout (300 s by default,
        ``vql/networking/transport.go``); it takes the client's proxy, and Go sends SNI."""
        url = str(args.get("url", ""))
        choice = self._proxy_choice(url)
        if choice.error:
            return [{"Url": url, "Content": choice.error, "Response": 500, "Headers": {}}]
        proxy = choice.choices[0]
        route = ["--proxy", proxy] if proxy else ["--noproxy", "*"]
        result = run_curl(
            ["curl", "--globoff", "--connect-timeout", HTTP_CONNECT_TIMEOUT, *route, url],
            self.network,
            self,
            ProcessEnvironment({}, windows=False),
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
            body = "-----BEGIN CERTIFICATE-----\n..." if status == 200 else ""
            return [{"Url": url, "Content": body, "Response": status, "Headers": {}}]
        return [{"Url": url, "Content": result.stderr, "Response": 500, "Headers": {}}]

    def _plugin_execve(self, args: dict[str, Any]) -> list[Any]:
        """``execve()`` (``vql/tools/shell/execve.go``): runs argv[0] with its arguments, no
        shell. With ``prevent_execve`` in the client config it logs and returns no row; when
        the program cannot start, one row with ReturnCode 1, Go's error in Stderr and Complete
        false; otherwise, without ``sep``, a row per ``length`` bytes of output (Complete
        false) and a last row with the rest, the ReturnCode and Complete true."""
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
        failure = self.start_error(argv)
        if failure:
            self._log(f"execve: {failure}")
            self.commands.append(Command("execve", argv, 1, "", failure, time=self.clock.now()))
            return [{"Stdout": "", "Stderr": failure, "ReturnCode": 1, "Complete": False}]
        code, out, err = self.execute(argv)
        self.commands.append(Command("execve", argv, code, out, err, time=self.clock.now()))
        if (
            code == 0
            and self.loads(argv)
            and self.scenario.cancel_after == "assign"
            and not self.cancelled
        ):
            self.cancel_pending = True
        length = whole_number(args.get("length")) or EXECVE_DEFAULT_LENGTH
        return execve_rows(out, err, code, length)


def gaps(timeline: list[dict[str, Any]]) -> list[float]:
    """Moments when the artifacts left no policy assigned although one had been and one is
    again later: a quarantine that re-applies with no gap has none. A moment opened by an event
    of the scenario (someone unassigning the policy on the host) is the scenario's, not a gap."""
    seen_assigned = False
    open_gap: float | None = None
    outside = False
    found: list[float] = []
    for moment in timeline:
        if moment["assigned"] is None:
            if moment["kind"] == "event":
                outside = True
            elif seen_assigned and open_gap is None and not outside:
                open_gap = moment["time"]
        else:
            if open_gap is not None:
                found.append(open_gap)
                open_gap = None
            outside = False
            seen_assigned = True
    return found


def _failed(row: Any, step: str) -> bool:
    """A result row of `step` (``pre-flight``: a refusal; ``rollback``) whose Status is failed."""
    return isinstance(row, dict) and row.get("Step") == step and row.get("Status") == "failed"
