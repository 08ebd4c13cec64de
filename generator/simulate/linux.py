"""The simulated Linux endpoint: nftables (nftables.py), systemd timers and at jobs, wall.

Programs modelled, beyond unix.py's curl, date and rm:
- ``nft`` (nftables.py; the table name of the artifact's ``TableName`` is "the quarantine");
- ``systemd-run --unit=U --on-calendar=T ... -- ARGV`` creates a transient timer U.timer that
  runs ARGV at T (systemd-run(1)); a second unit of the same name fails ("Unit U.timer was
  already loaded or has a fragment file"); ``systemctl stop U.timer`` removes a transient timer,
  ``systemctl is-active [--quiet] U.timer`` answers 0 when it is loaded, ``systemctl
  reset-failed`` forgets failed units (systemctl(1));
- ``at -f FILE -t [[CC]YY]MMDDhhmm[.ss]`` reads the job from FILE at submission and prints
  ``job N at DATE`` on stderr; ``atq`` lists ``N<TAB>DATE``; ``atrm N`` removes it (at(1));
- ``wall -- WORDS...`` writes the words to every terminal (util-linux wall(1)).
The simulated host's local time zone is UTC.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from .nftables import Nft, NftState, Packet, listing, verdict
from .unix import Job, UnixEndpoint, local_for

QUARANTINE_TABLE_DEFAULT = "vrr_quarantine_table"


@dataclass
class LinuxEndpoint(UnixEndpoint):
    nft: NftState = field(default_factory=NftState)
    table: str = QUARANTINE_TABLE_DEFAULT

    OS = "linux"
    FIREWALL = "nft"
    STANDARD_FILES = ("/usr/sbin/nft", "/usr/bin/curl", "/bin/rm")
    STANDARD_DIRECTORIES = ("/", "/tmp", "/var/lib", "/run/systemd/system")
    STANDARD_PROGRAMS = ("systemd-run", "systemctl", "at", "atq", "atrm", "date", "wall")

    def __post_init__(self) -> None:
        super().__post_init__()
        self.table = self.scenario.params.get("TableName", self.table) or self.table

    # ------------------------------------------------------------ firewall

    def in_force(self) -> bool:
        return ("inet", self.table) in self.nft.tables

    def assigned(self) -> str | None:
        return f"table inet {self.table}" if self.in_force() else None

    def state_file(self) -> str:
        return f"/var/lib/vr-quarantine.{self.table}.json"

    def remove_locally(self) -> str:
        argv = ["nft", "delete", "table", "inet", self.table]
        Nft(self.nft, self.files.get).run(argv)
        return " ".join(argv)

    def reboot(self) -> None:
        """nftables rules live in the kernel and transient systemd units in memory: both go;
        at jobs (spooled on disk) and /var/lib stay."""
        self.nft.tables.clear()
        for job in self.jobs:
            if job.owner == "systemd":
                job.fired = True

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
        """A reply to a packet the output hook accepted is conntrack's ``established``."""
        local = local_for(remote)
        ct = "established" if reply else "new"
        if direction == "out":
            packet = Packet("output", local, remote, protocol, lport, rport, ct=ct)
        else:
            packet = Packet("input", remote, local, protocol, rport, lport, ct=ct)
        return verdict(self.nft, packet) == "accept"

    def firewall(self, argv: list[str]) -> tuple[int, str, str]:
        return Nft(self.nft, self.files.get).run(argv)

    def changes(self, argv: list[str]) -> bool:
        words = argv[1:]
        if argv[0].rsplit("/", 1)[-1] != "nft":
            return argv[0].rsplit("/", 1)[-1] in ("systemd-run", "at")
        return words[:1] == ["-f"] or words[:1] in (["delete"], ["add"], ["flush"], ["destroy"])

    def loads(self, argv: list[str]) -> bool:
        return argv[0].rsplit("/", 1)[-1] == "nft" and argv[1:2] == ["-f"]

    # ------------------------------------------------------------ systemd, at, wall

    def _run_systemd_run(self, argv: list[str]) -> tuple[int, str, str]:
        """``systemd-run --unit=NAME --on-calendar=WHEN -- COMMAND`` (systemd-run(1)): a transient
        timer that runs the command once; a unit name already loaded is refused."""
        options: dict[str, str] = {}
        command: list[str] = []
        for index, word in enumerate(argv[1:], start=1):
            if word == "--":
                command = argv[index + 1 :]
                break
            name, _, value = word.partition("=")
            options[name] = value
        unit = options.get("--unit", "run-u1")
        calendar = options.get("--on-calendar", "")
        if not command:
            return 1, "", "systemd-run: no command given\n"
        when = _utc_time(calendar, CALENDAR_FORMAT)
        if when is None:
            return 1, "", f"Failed to parse calendar specification '{calendar}'\n"
        if any(j.owner == "systemd" and j.name == unit and not j.fired for j in self.jobs):
            return (
                1,
                "",
                f"Failed to start transient timer unit: Unit {unit}.timer was already loaded "
                "or has a fragment file.\n",
            )
        self.jobs.append(Job("systemd", unit, when, command))
        return (
            0,
            "",
            f"Running timer as unit: {unit}.timer\nWill run service as unit: {unit}.service\n",
        )

    def _run_systemctl(self, argv: list[str]) -> tuple[int, str, str]:
        """``systemctl stop|is-active|reset-failed UNIT.timer`` (systemctl(1)): stops a pending
        timer, reports it active (0) or inactive (3)."""
        verb = argv[1] if len(argv) > 1 else ""
        units = [a for a in argv[2:] if not a.startswith("-")]
        if verb == "stop":
            for job in self.jobs:
                if job.owner == "systemd" and f"{job.name}.timer" in units and not job.fired:
                    job.fired = True
                    job.argv = []
            return 0, "", ""
        if verb == "is-active":
            active = any(
                j.owner == "systemd" and f"{j.name}.timer" in units and not j.fired
                for j in self.jobs
            )
            quiet = "--quiet" in argv
            return (
                (0, "" if quiet else "active\n", "")
                if active
                else (
                    3,
                    "" if quiet else "inactive\n",
                    "",
                )
            )
        if verb == "reset-failed":
            return 0, "", ""
        return 1, "", f"systemctl: verb {verb!r} is not modelled\n"

    def _run_atq(self, argv: list[str]) -> tuple[int, str, str]:
        """``atq`` (at(1)): one line per pending job: number, date, queue and owner."""
        lines = [
            f"{j.name}\t{_at_date(j.when)} a root"
            for j in self.jobs
            if j.owner == "at" and not j.fired
        ]
        return 0, "".join(line + "\n" for line in lines), ""

    def _run_at(self, argv: list[str]) -> tuple[int, str, str]:
        """``at -f FILE -t TIME`` (at(1)): schedules the job file (one ``exec ARGV`` line is
        modelled) and prints its number on stderr."""
        if "-f" not in argv or "-t" not in argv:
            return 1, "", "at: only 'at -f FILE -t TIME' is modelled\n"
        job_file = argv[argv.index("-f") + 1]
        text = self.files.get(job_file)
        if text is None:
            return 1, "", f"at: cannot open input file {job_file}: No such file or directory\n"
        when = _utc_time(argv[argv.index("-t") + 1], AT_TIME_FORMAT)
        if when is None:
            return 1, "", "at: garbled time\n"
        match = re.fullmatch(r"exec (\S+(?: \S+)*)\n", text)
        if match is None:
            return 1, "", "at: (simulated) only a job of one 'exec ARGV' line is modelled\n"
        number = str(1 + sum(1 for j in self.jobs if j.owner == "at"))
        self.jobs.append(Job("at", number, when, match.group(1).split(" ")))
        return (
            0,
            "",
            f"warning: commands will be executed using /bin/sh\njob {number} at {_at_date(when)}\n",
        )

    def _run_atrm(self, argv: list[str]) -> tuple[int, str, str]:
        """``atrm JOB`` (at(1)): removes a pending job; an unknown one fails."""
        for job in self.jobs:
            if job.owner == "at" and job.name in argv[1:] and not job.fired:
                job.fired = True
                job.argv = []
                return 0, "", ""
        return 1, "", f"Cannot find jobid {' '.join(argv[1:])}\n"

    def _run_wall(self, argv: list[str]) -> tuple[int, str, str]:
        """``wall MESSAGE`` (wall(1)): broadcasts to the terminals; always succeeds."""
        self.messages += 1
        return 0, "", ""

    # ------------------------------------------------------------ state

    def filter_state(self) -> Any:
        return self.nft.as_dict()

    def final_state(self, rows: list[Any]) -> dict[str, Any]:
        table = self.nft.tables.get(("inet", self.table))
        state_file = self.state_file()
        pending = [j for j in self.jobs if not j.fired]
        return {
            "assigned_policy": f"table inet {self.table}" if table else None,
            "policy_assigned": table is not None,
            "policy_exists": table is not None,
            **self.unix_state(rows),
            "leftovers": table is None and (state_file in self.files or bool(pending)),
            "permitted": []
            if table is None
            else [
                f"{chain.name}: {rule.text}"
                for chain in table.chains.values()
                for rule in chain.rules
                if rule.verdict == "accept"
            ],
            "blocked": []
            if table is None
            else [f"{chain.name}: policy {chain.policy}" for chain in table.chains.values()],
            "state_file": self.files.get(state_file),
            "store": {"nftables": self.nft.as_dict(), "listing": listing(table) if table else ""},
        }


CALENDAR_FORMAT = "%Y-%m-%d %H:%M:%S"
"""The one ``systemd-run --on-calendar`` form modelled (systemd.time(7))."""
AT_TIME_FORMAT = "%Y%m%d%H%M.%S"
"""``at -t [[CC]YY]MMDDhhmm[.ss]``, in its full form."""


def _utc_time(text: str, form: str) -> float | None:
    """The moment `text` names in `form`, in the simulated host's time zone (UTC)."""
    try:
        moment = datetime.datetime.strptime(text, form)
    except ValueError:
        return None
    return moment.replace(tzinfo=datetime.UTC).timestamp()


def _at_date(when: float) -> str:
    return datetime.datetime.fromtimestamp(when, tz=datetime.UTC).strftime("%a %b %d %H:%M:%S %Y")
