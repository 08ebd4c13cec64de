"""What the simulated Linux and macOS endpoints share: files, programs, jobs, the collection.

The network, curl, the client's own path to its server, the clock and the collection's life
(deadline, cancellation, atexit) are the platform-neutral models the Windows endpoint uses
(`network`, `curl`, `client`, `proxy`, `collection`); this module adds what a Unix host has.
Velociraptor behaviour modelled here (Velocidex/velociraptor):

- ``execve`` (vql/tools/shell/execve.go) runs argv[0] with its arguments, no shell; with
  ``prevent_execve`` in the client config it logs and returns no row; a program that cannot
  start gives one row with ReturnCode 1, Complete false and Go's error in Stderr (on Linux and
  macOS ``fork/exec PATH: no such file or directory``; a bare name is looked up in PATH:
  ``exec: "NAME": executable file not found in $PATH``); otherwise a row per ``length`` bytes of
  output and a last one with the ReturnCode and Complete true.
- ``tempfile`` (vql/filesystem/tempfile.go) writes its data to a new file ``/tmp/tmpNNN<ext>``
  (mode 0600) and removes it when the query ends.
- ``copy(accessor="data", filename=DATA, dest=PATH)`` writes DATA to PATH (the data accessor
  takes the path as the file's content: accessors/data/data.go) and returns PATH; the folder
  must exist. ``rm`` removes a file; ``read_file`` and ``stat`` read the simulated files.
- ``host(name=...)`` (vql/networking/host.go) is Go's ``LookupHost``: every A and AAAA address,
  an IP literal as itself; on a lookup error it logs and returns an empty list.
- ``info()`` (vql/info.go, gopsutil's host.Info): ``OS`` is Go's runtime.GOOS, ``linux`` or
  ``darwin``.

The host's packet filter is the platform's (nftables.py, pf.py). The artifacts' rules are
stateless, so a TCP connection needs the request out and the reply in both permitted, and a
name resolves only when a DNS query to the host's resolver and its answer pass the filter.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from ..errors import VrqError
from ..vql.eval import NULL, GoUrl, MockContext, SideEffects
from .client import client_reaches_server
from .collection import gaps
from .curl import run_curl
from .endpoint import EXECVE_DEFAULT_LENGTH, Command, _execve_rows, build_network, scenario_mocks
from .network import Clock, CollectionCancelled, Network, is_ip
from .proxy import client_proxy
from .scenario import INTERNET_ADDRESS, INTERNET_ADDRESS_V6, Scenario

LOCAL_V4 = "10.0.0.5"
LOCAL_V6 = "2001:db8:aaaa::5"
RESOLVER = "10.0.0.53"
EPHEMERAL_PORT = 40000
COMMAND_SECONDS = 0.1
"""Simulated duration of a local command (nft, pfctl, systemctl, ...): well under a second."""
PROTOCOLS = {"tcp": 6, "udp": 17}


def local_for(address: str) -> str:
    return LOCAL_V6 if ipaddress.ip_address(address).version == 6 else LOCAL_V4


class FilteredNetwork(Network):
    """The shared network model, whose name resolution goes through the host's filter."""

    endpoint: UnixEndpoint

    def resolve(self, name: str) -> list[str]:
        if name and not is_ip(name) and not self.endpoint.dns_passes():
            return []
        return super().resolve(name)


@dataclass
class Job:
    """An expiry job: argv run at `when` by systemd, atd or launchd."""

    owner: str
    name: str
    when: float
    argv: list[str]
    fired: bool = False
    """No longer pending: it ran, or it was cancelled (then `ran` stays False)."""
    ran: bool = False


@dataclass
class UnixEndpoint(SideEffects):
    """The shared part of a simulated Unix host; subclasses add the firewall and programs."""

    scenario: Scenario
    commands: list[Command] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    directories: set[str] = field(default_factory=set)
    programs: set[str] = field(default_factory=set)
    """Bare program names found in PATH."""
    jobs: list[Job] = field(default_factory=list)
    tempfiles: list[str] = field(default_factory=list)
    failed_changes: list[list[str]] = field(default_factory=list)
    firewall_count: int = 0
    changed: bool = False
    clock: Clock = field(default_factory=Clock)
    deadline: float | None = None
    cancel_pending: bool = False
    cancelled: str = ""
    mocks: MockContext = field(init=False)
    network: FilteredNetwork = field(init=False)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    """After each change: the time, what ran, and which quarantine is in force."""
    collections: list[Any] = field(default_factory=list)
    messages: int = 0
    """How many times a message was shown to the users (wall, osascript)."""
    loads_done: int = 0
    """How many times a ruleset was loaded (nft -f, pfctl -f)."""
    events_done: int = 0
    start: float = 0.0
    _temp_counter: int = 0

    OS: ClassVar[str] = ""
    STANDARD_FILES: ClassVar[tuple[str, ...]] = ()
    STANDARD_DIRECTORIES: ClassVar[tuple[str, ...]] = ()
    STANDARD_PROGRAMS: ClassVar[tuple[str, ...]] = ()
    FIREWALL: ClassVar[str] = ""

    def __post_init__(self) -> None:
        self.mocks = scenario_mocks(self.scenario)
        absent = set(self.scenario.absent_files)
        for path in self.STANDARD_FILES:
            if path not in absent:
                self.files[path] = "\x7fELF (simulated binary)"
        for path in self.scenario.files:
            if path.startswith("/"):
                self.files.setdefault(path, "\x7fELF (simulated binary)")
        self.directories.update(d for d in self.STANDARD_DIRECTORIES if d not in absent)
        self.programs.update(p for p in self.STANDARD_PROGRAMS if p not in absent)
        self._build_network()
        self.start = self.clock.now()

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "scenario" and "network" in self.__dict__:
            # A new scenario (the removal scenario's set-up) brings its own network.
            self._build_network()

    def _build_network(self) -> None:
        shared = build_network(self.scenario, self.server_urls())
        network = FilteredNetwork(
            dns=shared.dns,
            frontend=shared.frontend,
            proxies=shared.proxies,
            ipv6=shared.ipv6,
            internet_answer=shared.internet_answer,
        )
        network.endpoint = self
        object.__setattr__(self, "network", network)

    # ------------------------------------------------------------ the collection's life

    def begin_collection(self, timeout: float | None) -> None:
        """The query starts: it is cancelled `timeout` seconds from now (``actions/vql.go``)."""
        self.deadline = None if timeout is None else self.clock.now() + timeout

    def end_collection(self, atexit_timeout: float = 60.0) -> None:
        """The query ended: atexit() queries run, each waited for at most 60 s
        (``vql/tools/atexit.go``); tempfile() removes its files (``tempfile.go``)."""
        self.cancel_pending = False
        self.deadline = self.clock.now() + atexit_timeout

    def query_ended(self) -> None:
        """tempfile() removes its files when the query's scope closes."""
        for path in self.tempfiles:
            self.files.pop(path, None)
        self.tempfiles.clear()

    def apply_events(self) -> None:
        """What happens on the host or the network at a time (scenario `events`, as on
        Windows): DNS answers change (``dns``), someone on the host removes the quarantine
        (``local: unassign`` or ``delete``), the host restarts (``local: reboot``: the packet
        filter's rules are gone, the files on disk stay), the server goes away
        (``server_answers``)."""
        events = self.scenario.events
        while self.events_done < len(events):
            event = events[self.events_done]
            if self.clock.now() < self.start + float(event.get("at", 0)):
                return
            self.events_done += 1
            if "dns" in event:
                dns = dict(self.network.dns)
                for name, addresses in dict(event["dns"]).items():
                    dns[str(name).lower()] = [str(a) for a in addresses]
                self.scenario = replace(self.scenario, dns=dns)
                self.record("event", f"DNS changed: {event['dns']}")
            local = event.get("local")
            if local == "reboot":
                self.reboot()
                self.record("event", "the host restarted")
            elif local:
                self.record("event", "someone on the host: " + self.remove_locally())
            if "server_answers" in event:
                self.scenario = replace(self.scenario, server_answers=bool(event["server_answers"]))
                self.record("event", f"server answers: {event['server_answers']}")

    def record(self, kind: str, what: str) -> None:
        """One moment of the timeline: after `what`, which quarantine is in force."""
        self.timeline.append(
            {"time": self.clock.now(), "kind": kind, "what": what, "assigned": self.assigned()}
        )

    def run_due_tasks(self) -> None:
        """Each job whose time has come runs, as its scheduler runs it (outside any
        collection; the host is up throughout, so a missed start does not arise)."""
        for job in self.jobs:
            if not job.fired and job.when <= self.clock.now():
                job.fired = job.ran = True
                code, out, err = self.run_program(job.argv, record=False)
                self.commands.append(
                    Command(
                        "job",
                        [f"{job.owner} job {job.name}", *job.argv],
                        code,
                        out,
                        err,
                        time=self.clock.now(),
                    )
                )
                if code == 0 and self.changes(job.argv):
                    self.changed = True
                self.record("task", f"{job.owner} job {job.name}: {' '.join(job.argv)}")

    def _before_side_effect(self) -> None:
        self.apply_events()
        self.run_due_tasks()
        if self.cancel_pending:
            self.cancel_pending = False
            self.cancelled = "cancelled right after the quarantine was loaded"
            raise CollectionCancelled(self.cancelled)
        if self.deadline is not None and self.clock.now() >= self.deadline:
            self.cancelled = "the collection timed out"
            raise CollectionCancelled(self.cancelled)

    def _spend(self, seconds: float) -> None:
        if self.deadline is not None and self.clock.now() + seconds > self.deadline:
            self.clock.advance(max(0.0, self.deadline - self.clock.now()))
            self.cancelled = "the collection timed out while a command was running"
            raise CollectionCancelled(self.cancelled)
        self.clock.advance(seconds)

    def _log(self, message: str) -> None:
        if self.clock.session is not None:
            self.clock.session.log(message)

    # ------------------------------------------------------------ the firewall (subclasses)

    def in_force(self) -> bool:
        """The artifact's quarantine is loaded."""
        raise NotImplementedError

    def assigned(self) -> str | None:
        """The quarantine in force, by name (None: none)."""
        raise NotImplementedError

    def state_file(self) -> str:
        """Where the artifact records its state."""
        raise NotImplementedError

    def remove_locally(self) -> str:
        """Someone on the host removes the quarantine by hand; the command they ran."""
        raise NotImplementedError

    def reboot(self) -> None:
        """The host restarts: the packet filter's rules are gone, what is on disk stays."""
        raise NotImplementedError

    def packet_ok(self, direction: str, remote: str, protocol: int, rport: int, lport: int) -> bool:
        """Whether the host's filter lets one packet pass (direction "out" or "in")."""
        raise NotImplementedError

    def enforced(self) -> bool:
        return self.in_force() and self.scenario.policy_enforced

    def final_state(self, rows: list[Any]) -> dict[str, Any]:
        raise NotImplementedError

    def firewall(self, argv: list[str]) -> tuple[int, str, str]:
        raise NotImplementedError

    def changes(self, argv: list[str]) -> bool:
        """Whether a command is meant to change the host (its failure may leave a half)."""
        raise NotImplementedError

    def loads(self, argv: list[str]) -> bool:
        """Whether a command puts the quarantine in force (cancel_after="assign" follows it)."""
        raise NotImplementedError

    # ------------------------------------------------------------ network

    def decide(self, address: str, port: int, protocol: str = "tcp") -> str | None:
        """The `Firewall` the network model asks: a request to address:port and its reply both
        pass (the rules are stateless); None when no quarantine is enforced."""
        if not self.enforced():
            return None
        number = PROTOCOLS.get(protocol, 6)
        out = self.packet_ok("out", address, number, port, EPHEMERAL_PORT)
        back = self.packet_ok("in", address, number, port, EPHEMERAL_PORT)
        return "permit" if out and back else "block"

    def connection_ok(self, address: str, port: int, protocol: str = "tcp") -> bool:
        return self.decide(address, port, protocol) != "block"

    def dns_passes(self) -> bool:
        return self.connection_ok(RESOLVER, 53, "udp")

    def resolve(self, name: str) -> list[str]:
        return self.network.resolve(name)

    def server_urls(self) -> list[str]:
        urls = self.scenario.client_config.get("server_urls") or []
        extra = self.scenario.params.get("VelociraptorURL", "")
        return [str(u) for u in [*urls, extra] if u]

    def client_reaches_server(self) -> bool:
        urls = self.server_urls()
        return bool(urls) and client_reaches_server(
            self.network,
            self,
            self.scenario.client_config,
            self.scenario.environment,
            urls,
            pac_answer=self.scenario.pac_answer,
        )

    def isolated(self) -> bool:
        """Blocked towards the internet, over IPv6 too when the host has IPv6."""
        targets = (
            [INTERNET_ADDRESS, INTERNET_ADDRESS_V6] if self.scenario.ipv6 else [INTERNET_ADDRESS]
        )
        return self.enforced() and all(not self.connection_ok(a, 443) for a in targets)

    def common_state(self, rows: list[Any], in_force: bool) -> dict[str, Any]:
        reachable = self.client_reaches_server()
        loads = [m for m in self.timeline if m["kind"] == "load"]
        return {
            "enforced": self.enforced(),
            "isolated": self.isolated(),
            "half_applied": in_force and bool(self.failed_changes),
            "failed_changes": [list(a) for a in self.failed_changes],
            "server_reachable": reachable,
            "locked_out": in_force and self.enforced() and not reachable,
            "refused": any(
                isinstance(r, dict)
                and r.get("Step") == "pre-flight"
                and r.get("Status") == "failed"
                for r in rows
            ),
            "changed": self.changed,
            "cancelled": self.cancelled,
            "expiry_jobs": [
                {"scheduler": j.owner, "name": j.name, "at": j.when, "argv": j.argv}
                for j in self.jobs
                if not j.fired
            ],
            "no_gap": not gaps(self.timeline),
            "applied_once": len(loads) == 1,
            "one_message_box": self.messages == 1,
            "message_boxes": self.messages,
            "previous_restored": False,
            "state_recorded": in_force and self.state_file() in self.files,
            "expiry_task": any(not j.fired and "expiry" in j.name for j in self.jobs),
            "task_ran": any(j.ran for j in self.jobs),
            "permits_current": in_force and self.permits_current(),
            "timeline": list(self.timeline),
        }

    def permits_current(self) -> bool:
        """The server names' current addresses are all permitted both ways."""
        for url in self.server_urls():
            parsed = GoUrl.parse(url)
            host = str(parsed.member("Hostname")[1])
            port = int(str(parsed.member("Port")[1]) or 443)
            for address in self.network.dns.get(host.lower(), [host] if is_ip(host) else []):
                if self.decide(address, port) != "permit":
                    return False
        return True

    # ------------------------------------------------------------ clock and jobs

    def advance(self, seconds: float) -> None:
        """Let time pass: events happen and due jobs run (outside any collection)."""
        self.clock.advance(seconds)
        self.apply_events()
        self.run_due_tasks()

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
        """The endpoint functions, mocks first: ``host()`` (``vql/networking/host.go``),
        ``environ()`` (``vql/common/env.go``), ``stat()`` and ``read_file()``
        (``vql/filesystem/filesystem.go``), ``tempfile()``, ``copy()`` and ``rm()``
        (``vql/filesystem/rm.go``) over the host's files."""
        self._before_side_effect()
        if self.mocks.has_function(name):
            return True, self.mocks.call_function(name)
        if name == "host":
            host = str(args.get("name", ""))
            addresses = self.resolve(host)
            if not addresses:
                self._log(f"host: Lookup error : lookup {host}: no such host")
            return True, addresses
        if name == "environ":
            return True, self.scenario.environment.get(str(args.get("var", "")), "")
        if name == "stat":
            found = self._plugin_stat(args)
            return True, found[0] if found else NULL
        if name == "tempfile":
            return True, self._tempfile(args)
        if name == "copy":
            return True, self._copy(args)
        if name == "read_file":
            text = self.files.get(str(args.get("filename", "")))
            length = int(args.get("length") or 4 * 1024 * 1024)
            return True, "" if text is None else text[:length]
        if name == "rm":
            return True, self.files.pop(str(args.get("filename", "")), None) is not None
        return False, NULL

    def _tempfile(self, args: dict[str, Any]) -> str:
        """``tempfile()`` (Velociraptor ``vql/filesystem/tempfile.go``): a new file under /tmp with
        ``data``, removed when the query ends."""
        data = args.get("data", "")
        chunks = data if isinstance(data, list) else [data]
        self._temp_counter += 1
        path = f"/tmp/tmp{self._temp_counter:09d}{args.get('extension') or ''}"
        self.files[path] = "".join(str(c) for c in chunks)
        self.tempfiles.append(path)
        return path

    def _copy(self, args: dict[str, Any]) -> Any:
        """``copy()`` (Velociraptor ``vql/filesystem/copy.go``), with the data accessor: writes
        ``filename`` (the text) to ``dest``; a missing parent folder is logged and FALSE."""
        if str(args.get("accessor", "")) != "data":
            raise VrqError("simulated endpoint: copy() is modelled only with accessor='data'")
        dest = str(args.get("dest", ""))
        parent = dest.rsplit("/", 1)[0] or "/"
        if not dest.startswith("/") or parent not in self.directories:
            self._log(f"copy: open {dest}: no such file or directory")
            return False
        self.files[dest] = str(args.get("filename", ""))
        return dest

    def _plugin_info(self, args: dict[str, Any]) -> list[Any]:
        """``info()`` (Velociraptor ``vql/info.go``): one row with the host's name and OS."""
        return [
            {
                "Hostname": "simulated-host",
                "OS": self.OS,
                "Platform": self.OS,
                "Architecture": "amd64",
                "Fqdn": "simulated-host.example.com",
            }
        ]

    def _plugin_stat(self, args: dict[str, Any]) -> list[Any]:
        """``stat()`` (Velociraptor ``vql/filesystem/filesystem.go``, ``StatPlugin``): one row for a
        file or folder that exists, none otherwise."""
        name = str(args.get("filename", ""))
        if name in self.files or name in self.directories:
            return [
                {
                    "OSPath": name,
                    "Name": name.rsplit("/", 1)[-1],
                    "Size": len(self.files.get(name, "")),
                    "IsDir": name in self.directories,
                    "Mode": "drwxr-xr-x" if name in self.directories else "-rwxr-xr-x",
                }
            ]
        return []

    def _plugin_http_client(self, args: dict[str, Any]) -> list[Any]:
        """``http_client()`` (Velociraptor ``vql/networking/http_client.go``): Response 200 and
        the body, or 500 and the error (as the Windows endpoint; its connect timeout is the
        client's connection_timeout, 300 s)."""
        url = str(args.get("url", ""))
        proxy = client_proxy(
            self.scenario.client_config,
            self.scenario.environment,
            url,
            pac_answer=self.scenario.pac_answer,
        ).choices[0]
        route = ["--proxy", proxy] if proxy else ["--noproxy", "*"]
        result = run_curl(
            ["curl", "--globoff", "--connect-timeout", "300", *route, url], self.network, self, {}
        )
        self._spend(result.seconds)
        ok = result.return_code == 0
        status = int(result.stdout) if ok and result.stdout.isdigit() else 500
        self.commands.append(Command("http", ["GET", url], status, time=self.clock.now()))
        return [
            {"Url": url, "Content": "" if ok else result.stderr, "Response": status, "Headers": {}}
        ]

    def _plugin_execve(self, args: dict[str, Any]) -> list[Any]:
        """``execve()`` (Velociraptor ``vql/tools/shell/execve.go``), as on Windows: with
        ``prevent_execve`` no row; a program that cannot start gives ReturnCode 1 and the error;
        otherwise rows of ``length`` bytes of output and a last, complete row."""
        raw = args.get("argv", [])
        argv = [
            a if isinstance(a, str) else str(a) for a in (raw if isinstance(raw, list) else [raw])
        ]
        if not argv:
            raise VrqError("simulated endpoint: execve() with an empty argv")
        if args.get("sep") or args.get("env") or args.get("cwd"):
            raise VrqError("simulated endpoint: execve() with sep, env or cwd is not modelled")
        if self.scenario.client_config.get("prevent_execve"):
            self._log("execve: Not allowed to execve by configuration.")
            return []
        self._log(f"execve: Running external command [{' '.join(argv)}]")
        started = self._start_error(argv[0])
        if started:
            self._log(f"execve: {started}")
            self.commands.append(Command("execve", argv, 1, "", started, time=self.clock.now()))
            return [{"Stdout": "", "Stderr": started, "ReturnCode": 1, "Complete": False}]
        code, out, err = self.run_program(argv)
        self.commands.append(Command("execve", argv, code, out, err, time=self.clock.now()))
        loaded = code == 0 and self.loads(argv)
        if loaded and self.scenario.cancel_after == "assign" and not self.cancelled:
            self.cancel_pending = True
        length = int(args.get("length") or EXECVE_DEFAULT_LENGTH)
        return _execve_rows(out, err, code, length)

    def _start_error(self, program: str) -> str:
        if "/" in program:
            return (
                "" if program in self.files else f"fork/exec {program}: no such file or directory"
            )
        if program in self.programs:
            return ""
        return f'exec: "{program}": executable file not found in $PATH'

    def run_program(self, argv: list[str], *, record: bool = True) -> tuple[int, str, str]:
        """Run one program that exists (from execve, or from a scheduler's job); a command that
        changes the host is a moment of the timeline."""
        if not argv or self._start_error(argv[0]):
            return 1, "", self._start_error(argv[0]) if argv else ""
        name = argv[0].rsplit("/", 1)[-1]
        if name == "curl":
            curl = run_curl(argv, self.network, self, self.scenario.environment)
            self._spend(curl.seconds)
            return curl.return_code, curl.stdout, curl.stderr
        self._spend(COMMAND_SECONDS)
        if name == self.FIREWALL:
            self.firewall_count += 1
            if self.scenario.netsh_fail_step == self.firewall_count:
                result = (
                    1,
                    "",
                    f"(simulated) injected failure of {name} command {self.firewall_count}\n",
                )
            else:
                result = self.firewall(argv)
        else:
            handler = getattr(self, f"_run_{name.replace('-', '_')}", None)
            if handler is None:
                raise VrqError(
                    f"simulated endpoint: the command {argv[0]!r} is not modelled",
                    hint="answer it with plugin_results: {execve: [...]} in a scenario file",
                )
            result = handler(argv)
        if self.changes(argv):
            if result[0] != 0:
                self.failed_changes.append(list(argv))
            else:
                self.changed = True
            if record:
                loaded = result[0] == 0 and self.loads(argv)
                self.record("load" if loaded else "command", " ".join(argv))
        return result

    # ------------------------------------------------------------ common programs

    def _run_date(self, argv: list[str]) -> tuple[int, str, str]:
        """GNU ``date -d @EPOCH +FORMAT`` and BSD ``date -r EPOCH +FORMAT`` (date(1)), in the
        simulated host's local time zone, UTC."""
        epoch = None
        formats = [a[1:] for a in argv[1:] if a.startswith("+")]
        for index, word in enumerate(argv):
            if word == "-d" and index + 1 < len(argv) and argv[index + 1].startswith("@"):
                epoch = argv[index + 1][1:]
            if word == "-r" and index + 1 < len(argv):
                epoch = argv[index + 1]
        if epoch is None or not epoch.isdigit() or not formats:
            return 1, "", "date: invalid date (simulated: only -d @EPOCH / -r EPOCH +FORMAT)\n"
        moment = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
        return 0, moment.strftime(formats[0]) + "\n", ""
