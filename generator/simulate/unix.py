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
stateless but for DNS, so a TCP connection needs the request out and the reply in both
permitted; a reply is asked about as a reply (nftables: conntrack's ``established``; pf: the
state its request's pass rule kept), and a name resolves only when a DNS query to the host's
resolver and its answer pass the filter.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import VrqError
from .curl import run_curl
from .host import Command, Endpoint, whole_number
from .network import Network, is_ip

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
class UnixEndpoint(Endpoint):
    """The shared part of a simulated Unix host; subclasses add the firewall and programs."""

    directories: set[str] = field(default_factory=set)
    programs: set[str] = field(default_factory=set)
    """Bare program names found in PATH."""
    jobs: list[Job] = field(default_factory=list)

    OS: ClassVar[str] = ""
    STANDARD_FILES: ClassVar[tuple[str, ...]] = ()
    STANDARD_DIRECTORIES: ClassVar[tuple[str, ...]] = ()
    STANDARD_PROGRAMS: ClassVar[tuple[str, ...]] = ()
    LOADED: ClassVar[str] = "the quarantine was loaded"

    def __post_init__(self) -> None:
        super().__post_init__()
        absent = set(self.scenario.absent_files)
        for path in self.STANDARD_FILES:
            if path not in absent:
                self.files[path] = "\x7fELF (simulated binary)"
        for path in self.scenario.files:
            if path.startswith("/"):
                self.files.setdefault(path, "\x7fELF (simulated binary)")
        self.directories.update(d for d in self.STANDARD_DIRECTORIES if d not in absent)
        self.programs.update(p for p in self.STANDARD_PROGRAMS if p not in absent)

    def make_network(self) -> Network:
        shared = super().make_network()
        network = FilteredNetwork(
            dns=shared.dns,
            frontend=shared.frontend,
            proxies=shared.proxies,
            ipv6=shared.ipv6,
            internet_answer=shared.internet_answer,
        )
        network.endpoint = self
        return network

    def local_event(self, local: str) -> None:
        """Someone on the host removes the quarantine (``local: unassign`` or ``delete``), or
        the host restarts (``local: reboot``: the packet filter's rules are gone, the files on
        disk stay)."""
        if local == "reboot":
            self.reboot()
            self.record("event", "the host restarted")
        else:
            self.record("event", "someone on the host: " + self.remove_locally())

    def host_state(self) -> Any:
        """The packet filter (`filter_state`), the files, the jobs still pending."""
        return {
            "filter": self.filter_state(),
            "files": dict(self.files),
            "jobs": sorted(f"{j.owner} {j.name}" for j in self.jobs if not j.fired),
        }

    def filter_state(self) -> Any:
        """The packet filter's rule set, as plain data."""
        raise NotImplementedError

    def next_task_time(self) -> float | None:
        """When the next job that has not fired is due."""
        return min((j.when for j in self.jobs if not j.fired), default=None)

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

    # ------------------------------------------------------------ the firewall (subclasses)

    def state_file(self) -> str:
        """Where the artifact records its state."""
        raise NotImplementedError

    def remove_locally(self) -> str:
        """Someone on the host removes the quarantine by hand; the command they ran."""
        raise NotImplementedError

    def reboot(self) -> None:
        """The host restarts: the packet filter's rules are gone, what is on disk stays."""
        raise NotImplementedError

    def packet_ok(
        self,
        direction: str,
        remote: str,
        protocol: int,
        rport: int,
        lport: int,
        *,
        reply: bool = False,
    ) -> bool:
        """Whether the host's filter lets one packet pass (direction "out" or "in"); `reply`:
        it answers a packet the filter let out (the other direction), not one sent unasked."""
        raise NotImplementedError

    def enforced(self) -> bool:
        return self.in_force() and self.scenario.policy_enforced

    def firewall(self, argv: list[str]) -> tuple[int, str, str]:
        raise NotImplementedError

    def changes(self, argv: list[str]) -> bool:
        """Whether a command is meant to change the host (its failure may leave a half)."""
        raise NotImplementedError

    # ------------------------------------------------------------ network

    def decide(self, address: str, port: int, protocol: str = "tcp") -> str | None:
        """The `Firewall` the network model asks: a request to address:port and its reply both
        pass, the reply asked about as a reply (the filter may pass it by the state the request
        created: conntrack's ``established``, pf's kept state); None when no quarantine is
        enforced."""
        if not self.enforced():
            return None
        number = PROTOCOLS.get(protocol, 6)
        out = self.packet_ok("out", address, number, port, EPHEMERAL_PORT)
        back = out and self.packet_ok("in", address, number, port, EPHEMERAL_PORT, reply=True)
        return "permit" if out and back else "block"

    def connection_ok(self, address: str, port: int, protocol: str = "tcp") -> bool:
        return self.decide(address, port, protocol) != "block"

    def dns_passes(self) -> bool:
        return self.connection_ok(RESOLVER, 53, "udp")

    def unix_state(self, rows: list[Any]) -> dict[str, Any]:
        """`common_state`, and what every Unix host adds: its scheduled jobs and state file."""
        in_force = self.in_force()
        loads = [m for m in self.timeline if m["kind"] == "load"]
        return {
            **self.common_state(rows),
            "expiry_jobs": [
                {"scheduler": j.owner, "name": j.name, "at": j.when, "argv": j.argv}
                for j in self.jobs
                if not j.fired
            ],
            "applied_once": len(loads) == 1,
            "previous_restored": False,
            "state_recorded": in_force and self.state_file() in self.files,
            "expiry_task": any(not j.fired and "expiry" in j.name for j in self.jobs),
            "task_ran": any(j.ran for j in self.jobs),
        }

    # ------------------------------------------------------------ SideEffects

    def _fn_read_file(self, args: dict[str, Any]) -> str:
        """``read_file(filename=, length=)`` (``vql/filesystem/filesystem.go``): the file's
        text, at most ``length`` bytes (4 MiB by default); "" for a file that does not exist."""
        text = self.files.get(str(args.get("filename", "")))
        length = whole_number(args.get("length")) or 4 * 1024 * 1024
        return "" if text is None else text[:length]

    def _fn_rm(self, args: dict[str, Any]) -> bool:
        """``rm(filename=)`` (``vql/filesystem/rm.go``): removes the file; FALSE when it does
        not exist."""
        return self.files.pop(str(args.get("filename", "")), None) is not None

    def _fn_tempfile(self, args: dict[str, Any]) -> str:
        """``tempfile()`` (Velociraptor ``vql/filesystem/tempfile.go``): a new file under /tmp with
        ``data``, removed when the query ends."""
        data = args.get("data", "")
        chunks = data if isinstance(data, list) else [data]
        self.tempfile_count += 1
        path = f"/tmp/tmp{self.tempfile_count:09d}{args.get('extension') or ''}"
        self.files[path] = "".join(str(c) for c in chunks)
        self.tempfiles.append(path)
        return path

    def _fn_copy(self, args: dict[str, Any]) -> Any:
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

    def start_error(self, argv: list[str]) -> str:
        """Go's errors on Linux and macOS: ``fork/exec PATH: no such file or directory`` for a
        path; a bare name is looked up in PATH (``exec: "NAME": executable file not found in
        $PATH``)."""
        program = argv[0]
        if "/" in program:
            return (
                "" if program in self.files else f"fork/exec {program}: no such file or directory"
            )
        if program in self.programs:
            return ""
        return f'exec: "{program}": executable file not found in $PATH'

    def execute(self, argv: list[str]) -> tuple[int, str, str]:
        return self.run_program(argv)

    def run_program(self, argv: list[str], *, record: bool = True) -> tuple[int, str, str]:
        """Run one program that exists (from execve, or from a scheduler's job); a command that
        changes the host is a moment of the timeline."""
        if not argv or self.start_error(argv):
            return 1, "", self.start_error(argv) if argv else ""
        name = argv[0].rsplit("/", 1)[-1]
        if name == "curl":
            curl = run_curl(argv, self.network, self, self.environ)
            self._spend(curl.seconds)
            return curl.return_code, curl.stdout, curl.stderr
        self._spend(COMMAND_SECONDS)
        if name == self.FIREWALL:
            if self._injected_failure():
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

    def _run_rm(self, argv: list[str]) -> tuple[int, str, str]:
        """``rm [-f] FILE...`` (rm(1), BSD on macOS, coreutils on Linux): removes each file;
        with ``-f`` a file that does not exist is no error and no message; a folder is refused
        without ``-r`` ("is a directory"). Exit 0 when every named file that exists was
        removed, 1 otherwise. Only files and ``-f`` are modelled."""
        words = argv[1:]
        options = [w for w in words if w.startswith("-") and w != "--"]
        if any(o != "-f" for o in options):
            return 1, "", f"rm: (simulated) only -f is modelled, not {' '.join(options)}\n"
        force = "-f" in options
        errors: list[str] = []
        for path in (w for w in words if not w.startswith("-")):
            if path in self.directories:
                errors.append(self._rm_error(path, "is a directory"))
            elif self.files.pop(path, None) is None and not force:
                errors.append(self._rm_error(path, "No such file or directory"))
        return (1 if errors else 0), "", "".join(errors)

    def _rm_error(self, path: str, why: str) -> str:
        if self.OS == "darwin":
            return f"rm: {path}: {why}\n"
        return f"rm: cannot remove '{path}': {why}\n"

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
