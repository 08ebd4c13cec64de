"""What the simulated Linux and macOS endpoints share: files, programs, DNS, curl, the clock.

Velociraptor behaviour modelled here (Velocidex/velociraptor):
- ``execve`` (vql/tools/shell/execve.go) runs argv[0] with its arguments, no shell; a program
  that cannot start gives one row with ReturnCode 1 and the Go error in Stderr
  (``fork/exec PATH: no such file or directory``; a bare name is looked up in PATH:
  ``exec: "NAME": executable file not found in $PATH``); otherwise one row with Stdout, Stderr,
  ReturnCode and Complete.
- ``tempfile`` (vql/filesystem/tempfile.go) writes its data to a new file ``/tmp/tmpNNN<ext>``
  (mode 0600) and removes it when the query ends.
- ``copy(accessor="data", filename=DATA, dest=PATH)`` writes DATA to PATH (the data accessor
  takes the path as the file's content: accessors/data/data.go) and returns PATH; ``rm`` removes
  a file; ``read_file`` and ``stat`` read the simulated file system.
- ``host(name=...)`` (vql/networking/host.go) is Go's ``LookupHost``: every A and AAAA address;
  an IP literal is returned as itself; an unresolvable name gives an empty list.
- ``info()`` (vql/info.go, gopsutil's host.Info): ``OS`` is Go's runtime.GOOS, ``linux`` or
  ``darwin``.

The endpoint's packet filter is the platform's (nftables.py, pf.py): a TCP connection needs the
request out and the reply in, both permitted, since the artifacts' rules are stateless.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import VrqError
from ..vql.eval import SideEffects
from ..vql.eval.values import NULL, GoUrl
from .endpoint import Command, scenario_mocks
from .scenario import Scenario

LOCAL_V4 = "10.0.0.5"
LOCAL_V6 = "2001:db8:ffff::5"
RESOLVER = "10.0.0.53"
EPHEMERAL_PORT = 40000
INTERNET_ADDRESS = "203.0.113.80"


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def local_for(address: str) -> str:
    return LOCAL_V6 if ipaddress.ip_address(address).version == 6 else LOCAL_V4


@dataclass
class Job:
    """An expiry job: argv run at `when` by systemd, atd or launchd."""

    owner: str
    name: str
    when: float
    argv: list[str]
    fired: bool = False


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
    clock: float = 1_700_000_000.0
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
            self.files.setdefault(path, "\x7fELF (simulated binary)")
        self.directories.update(d for d in self.STANDARD_DIRECTORIES if d not in absent)
        self.programs.update(p for p in self.STANDARD_PROGRAMS if p not in absent)

    # ------------------------------------------------------------ the firewall (subclasses)

    def in_force(self) -> bool:
        """The artifact's quarantine is loaded."""
        raise NotImplementedError

    def packet_ok(self, direction: str, remote: str, protocol: int, rport: int, lport: int) -> bool:
        """Whether the host's filter lets one packet pass (direction "out" or "in")."""
        raise NotImplementedError

    def enforced(self) -> bool:
        return self.in_force() and self.scenario.policy_enforced

    def final_state(self) -> dict[str, Any]:
        raise NotImplementedError

    # ------------------------------------------------------------ network

    def connection_ok(self, address: str, port: int, protocol: int = 6) -> bool:
        """A request to address:port and its reply both pass the host's filter."""
        if not self.enforced():
            return True
        return self.packet_ok("out", address, protocol, port, EPHEMERAL_PORT) and self.packet_ok(
            "in", address, protocol, port, EPHEMERAL_PORT
        )

    def resolve(self, name: str) -> list[str]:
        """The scenario's DNS, asked through the host's filter (UDP 53 to the resolver)."""
        if is_ip(name):
            return [name]
        if not name:
            return []
        if not self.connection_ok(RESOLVER, 53, 17):
            return []
        listed = self.scenario.dns.get(name.lower().rstrip("."))
        if listed is not None:
            return list(listed)
        digest = hashlib.sha256(name.lower().encode("utf-8")).digest()
        return [f"203.0.113.{1 + digest[0] % 250}"]

    def server_urls(self) -> list[str]:
        urls = self.scenario.client_config.get("server_urls") or []
        extra = self.scenario.params.get("VelociraptorURL", "")
        return [str(u) for u in [*urls, extra] if u]

    def server_addresses(self) -> set[str]:
        addresses: set[str] = set()
        for url in self.server_urls():
            host = str(GoUrl.parse(url).member("Hostname")[1])
            listed = self.scenario.dns.get(host.lower())
            addresses.update([host] if is_ip(host) else (listed or []))
        return addresses

    def answers(self, address: str, port: int, frontend: bool) -> bool:
        """Whether a host on the network answers at address:port (outside the filter)."""
        if ipaddress.ip_address(address).version == 6 and not self._ipv6():
            return False
        if frontend or address in self.server_addresses():
            return self.scenario.server_answers and address in self.server_addresses()
        return True

    def _ipv6(self) -> bool:
        return bool(getattr(self.scenario, "ipv6", True))

    def server_reachable(self) -> bool:
        """Every server URL answers /server.pem on at least one of its addresses."""
        urls = self.server_urls()
        if not urls:
            return False
        for url in urls:
            parsed = GoUrl.parse(url)
            host = str(parsed.member("Hostname")[1])
            port = int(str(parsed.member("Port")[1]) or "443")
            if not any(
                self.connection_ok(a, port) and self.answers(a, port, True)
                for a in self.resolve(host)
            ):
                return False
        return True

    def isolated(self) -> bool:
        return self.enforced() and not self.connection_ok(INTERNET_ADDRESS, 443)

    # ------------------------------------------------------------ clock and jobs

    def now(self) -> float:
        return self.clock

    def advance(self, seconds: float) -> None:
        """Let time pass: due jobs run, as their scheduler would run them."""
        self.clock += seconds
        for job in self.jobs:
            if not job.fired and job.when <= self.clock:
                job.fired = True
                code, out, err = self.run_program(job.argv)
                self.commands.append(Command(f"{job.owner} job", job.argv, code, out, err))

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
        if name == "tempfile":
            return True, self._tempfile(args)
        if name == "copy":
            return True, self._copy(args)
        if name == "read_file":
            text = self.files.get(str(args.get("filename", "")))
            return True, "" if text is None else text[: int(args.get("length") or 4 * 1024 * 1024)]
        if name == "rm":
            return True, self.files.pop(str(args.get("filename", "")), None) is not None
        return False, NULL

    def _tempfile(self, args: dict[str, Any]) -> str:
        data = args.get("data", "")
        chunks = data if isinstance(data, list) else [data]
        self._temp_counter += 1
        path = f"/tmp/tmp{self._temp_counter:09d}{args.get('extension') or ''}"
        self.files[path] = "".join(str(c) for c in chunks)
        self.tempfiles.append(path)
        return path

    def _copy(self, args: dict[str, Any]) -> Any:
        if str(args.get("accessor", "")) != "data":
            raise VrqError("simulated endpoint: copy() is modelled only with accessor='data'")
        dest = str(args.get("dest", ""))
        parent = dest.rsplit("/", 1)[0] or "/"
        if not dest.startswith("/") or parent not in self.directories:
            return False
        self.files[dest] = str(args.get("filename", ""))
        return dest

    def query_ended(self) -> None:
        """tempfile() removes its files when the query ends."""
        for path in self.tempfiles:
            self.files.pop(path, None)
        self.tempfiles.clear()

    def _plugin_info(self, args: dict[str, Any]) -> list[Any]:
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
        url = str(args.get("url", ""))
        code, out, _ = self._curl(["curl", "--write-out", "%{http_code}", url])
        ok = code == 0 and out == "200"
        self.commands.append(Command("http", ["GET", url], 200 if ok else 500))
        return [{"Url": url, "Content": "", "Response": 200 if ok else 500, "Headers": {}}]

    def _plugin_execve(self, args: dict[str, Any]) -> list[Any]:
        raw = args.get("argv", [])
        argv = [
            a if isinstance(a, str) else str(a) for a in (raw if isinstance(raw, list) else [raw])
        ]
        if not argv:
            raise VrqError("simulated endpoint: execve() with an empty argv")
        if args.get("sep") or args.get("env") or args.get("cwd"):
            raise VrqError("simulated endpoint: execve() with sep, env or cwd is not modelled")
        code, out, err = self.run_program(argv)
        self.commands.append(Command("execve", argv, code, out, err))
        return [{"Stdout": out, "Stderr": err, "ReturnCode": code, "Complete": True}]

    def run_program(self, argv: list[str]) -> tuple[int, str, str]:
        program = argv[0]
        if "/" in program:
            if program not in self.files:
                return 1, "", f"fork/exec {program}: no such file or directory"
        elif program not in self.programs:
            return 1, "", f'exec: "{program}": executable file not found in $PATH'
        name = program.rsplit("/", 1)[-1]
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
            if result[0] != 0 and self.changes(argv):
                self.failed_changes.append(list(argv))
            return result
        handler = getattr(self, f"_run_{name.replace('-', '_')}", None)
        if handler is None:
            raise VrqError(
                f"simulated endpoint: the command {argv[0]!r} is not modelled",
                hint="answer it with plugin_results: {execve: [...]} in a scenario file",
            )
        code, out, err = handler(argv)
        if code != 0 and self.changes(argv):
            self.failed_changes.append(list(argv))
        return code, out, err

    def firewall(self, argv: list[str]) -> tuple[int, str, str]:
        raise NotImplementedError

    def changes(self, argv: list[str]) -> bool:
        """Whether a command is meant to change the host (its failure may leave a half)."""
        raise NotImplementedError

    # ------------------------------------------------------------ common programs

    def _run_curl(self, argv: list[str]) -> tuple[int, str, str]:
        return self._curl(argv)

    def _curl(self, argv: list[str]) -> tuple[int, str, str]:
        """curl's options as the artifacts use them (curl(1)): --connect-to HOST:PORT:ADDR:PORT
        pins the connection without changing the name sent; --proxy goes through a proxy."""
        url = argv[-1]
        pinned: dict[tuple[str, str], tuple[str, str]] = {}
        for index, word in enumerate(argv[:-1]):
            if word == "--connect-to":
                spec = argv[index + 1]
                host1, port1, rest = _split_host_port(spec)
                host2, port2, _ = _split_host_port(rest)
                pinned[(host1, port1)] = (host2.strip("[]"), port2)
        parsed = GoUrl.parse(url)
        host = str(parsed.member("Hostname")[1])
        port = str(parsed.member("Port")[1]) or ("80" if parsed.Scheme == "http" else "443")
        if not host or not port.isdigit():
            return 3, "000", f"curl: (3) URL rejected: {url}"
        frontend = parsed.Path == "/server.pem"
        if (host, port) in pinned:
            address, port = pinned[(host, port)]
            addresses = [address]
        else:
            addresses = self.resolve(host)
        if not addresses:
            return 6, "000", f"curl: (6) Could not resolve host: {host}"
        answer = self.scenario.negative_answer
        for address in addresses:
            if not self.connection_ok(address, int(port)):
                continue
            if not self.answers(address, int(port), frontend):
                continue
            if not frontend and answer == "refused":
                return 7, "000", "curl: (7) Failed to connect: Connection refused"
            if not frontend and answer == "tls-error":
                return 35, "000", "curl: (35) TLS handshake failed"
            if not frontend and answer == "timeout":
                return 28, "000", "curl: (28) Connection timed out"
            return 0, "200", ""
        return 28, "000", f"curl: (28) Connection timed out after the timeout ({host}:{port})"

    def _run_date(self, argv: list[str]) -> tuple[int, str, str]:
        """GNU/BSD date for one moment, in UTC (the simulated host's local time zone)."""
        import datetime

        epoch = None
        formats = [a[1:] for a in argv[1:] if a.startswith("+")]
        for index, word in enumerate(argv):
            if word == "-d" and index + 1 < len(argv) and argv[index + 1].startswith("@"):
                epoch = argv[index + 1][1:]
            if word == "-r" and index + 1 < len(argv):
                epoch = argv[index + 1]
        if epoch is None or not epoch.isdigit() or not formats:
            return 1, "", "date: invalid date (simulated: only -d @EPOCH / -r EPOCH +FORMAT)"
        moment = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
        return 0, moment.strftime(formats[0]) + "\n", ""


def _split_host_port(text: str) -> tuple[str, str, str]:
    """``host:port:rest`` with a bracketed IPv6 host allowed."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        host = f"[{host}]"
        rest = rest[1:]
    else:
        host, _, rest = text.partition(":")
    port, _, remainder = rest.partition(":")
    return host, port, remainder
