"""The simulated macOS endpoint: Packet Filter (pf.py), launchd jobs, notifications.

Programs modelled, beyond unix.py's curl, date (``date -r EPOCH +FORMAT`` on macOS) and rm:
- ``pfctl`` (pf.py);
- ``launchctl bootstrap system PLIST`` loads a job from a property list (its Label,
  ProgramArguments and StartCalendarInterval: launchd.plist(5)), ``launchctl bootout
  system/LABEL`` unloads it (status 113 "Could not find service" when absent), ``launchctl print
  system/LABEL`` answers 0 while it is loaded, ``launchctl asuser UID PROGRAM ...`` runs PROGRAM
  in that user's session (launchctl(1));
- ``osascript`` (a notification: nothing to model beyond its exit code 0);
- ``/usr/bin/stat -f %u /dev/console`` prints the console user's uid (501);
- ``/bin/sh -c LINE``, the form a launchd job's program takes to run more than one
  command (launchd.plist(5): ProgramArguments is an argv, with no shell).
A calendar job fires at the next matching minute; the simulated host's local time zone is UTC.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import VrqError
from .pf import Pfctl, PfPacket, PfState, decide, keeps_state
from .unix import Job, UnixEndpoint, local_for

_SHELL_SYNTAX = re.compile(r"""['"$`*?\[\]|&<>(){}#~\\\n]""")
"""What sh(1) would read as more than plain words and ';': quotes, expansions, globs, pipes,
redirections, groups, comments, escapes, line breaks."""
DEFAULT_ANCHOR = "com.apple/velociraptor.quarantine"
MACOS_PF_CONF = """#
# Default PF configuration file.
#
scrub-anchor "com.apple/*"
nat-anchor "com.apple/*"
rdr-anchor "com.apple/*"
dummynet-anchor "com.apple/*"
anchor "com.apple/*"
load anchor "com.apple" from "/etc/pf.anchors/com.apple"
"""


@dataclass
class MacEndpoint(UnixEndpoint):
    pf: PfState = field(default_factory=PfState)
    anchor: str = DEFAULT_ANCHOR

    OS = "darwin"
    FIREWALL = "pfctl"
    STANDARD_FILES = (
        "/sbin/pfctl",
        "/usr/bin/curl",
        "/usr/bin/stat",
        "/bin/launchctl",
        "/usr/bin/osascript",
        "/bin/date",
        "/bin/rm",
        "/bin/sh",
    )
    STANDARD_DIRECTORIES = ("/", "/tmp", "/var/run", "/var/db")
    STANDARD_PROGRAMS = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        self.files.setdefault("/etc/pf.conf", MACOS_PF_CONF)
        self.anchor = self.scenario.params.get("AnchorName", self.anchor) or self.anchor
        if not self.scenario.policy_enforced:
            # The running main ruleset does not attach com.apple/* (a custom ruleset was
            # loaded by hand), although /etc/pf.conf does: our anchor is never evaluated.
            self.pf.attached = ()

    # ------------------------------------------------------------ firewall

    def in_force(self) -> bool:
        return bool(self.pf.anchors.get(self.anchor)) and self.pf.enabled

    def assigned(self) -> str | None:
        return f"anchor {self.anchor}" if self.in_force() else None

    def state_file(self) -> str:
        return f"/var/db/vr-quarantine.{self.anchor.replace('/', '.')}.json"

    def remove_locally(self) -> str:
        argv = ["pfctl", "-a", self.anchor, "-F", "all"]
        Pfctl(self.pf, self.files.get).run(argv)
        return " ".join(argv)

    def reboot(self) -> None:
        """pf starts disabled with no anchor rules and no references; /var/run is emptied, so
        the launchd jobs loaded from it are gone; /var/db stays."""
        self.pf.anchors.clear()
        self.pf.references.clear()
        self.pf.enabled_by_system = False
        for path in [p for p in self.files if p.startswith("/var/run/")]:
            del self.files[path]
        for job in self.jobs:
            if job.owner == "launchd":
                job.fired = True

    def enforced(self) -> bool:
        return self.in_force() and self.anchor in self.pf.evaluated_anchors()

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
        """A reply passes unevaluated when the packet it answers created a state (pf.py)."""
        local = local_for(remote)
        if direction == "out":
            packet = PfPacket("out", local, remote, protocol, lport, rport)
            request = PfPacket("in", remote, local, protocol, rport, lport)
        else:
            packet = PfPacket("in", remote, local, protocol, rport, lport)
            request = PfPacket("out", local, remote, protocol, lport, rport)
        if reply and keeps_state(self.pf, request):
            return True
        return decide(self.pf, packet) == "pass"

    def firewall(self, argv: list[str]) -> tuple[int, str, str]:
        return Pfctl(self.pf, self.files.get).run(argv)

    def changes(self, argv: list[str]) -> bool:
        words = argv[1:]
        program = argv[0].rsplit("/", 1)[-1]
        if program == "launchctl":
            return words[:1] == ["bootstrap"]
        if program == "sh" and words[:1] == ["-c"] and len(words) == 2:
            return any(self.changes(command) for command in _sh_commands(words[1]))
        if program != "pfctl":
            return False
        return any(w in ("-f", "-F", "-E", "-X") for w in words) and "-n" not in words

    def loads(self, argv: list[str]) -> bool:
        return argv[0].rsplit("/", 1)[-1] == "pfctl" and "-f" in argv and "-n" not in argv

    # ------------------------------------------------------------ programs

    def _run_sh(self, argv: list[str]) -> tuple[int, str, str]:
        """``/bin/sh -c LINE`` (sh(1)), in the one form the artifacts write (a launchd job's
        program): simple commands of plain words joined by ``;``, each run whatever the one
        before returned; the exit status is the last command's. A line with anything a shell
        would expand, quote or redirect is not modelled and refused."""
        if len(argv) != 3 or argv[1] != "-c":
            return 2, "", "sh: (simulated) only 'sh -c LINE' is modelled\n"
        if _SHELL_SYNTAX.search(argv[2]):
            raise VrqError(
                "simulated endpoint: sh -c with shell syntax beyond ';' and plain words is not "
                f"modelled: {argv[2]!r}"
            )
        code, out, err = 0, "", ""
        for command in _sh_commands(argv[2]):
            code, more_out, more_err = self.run_program(command, record=False)
            out, err = out + more_out, err + more_err
        return code, out, err

    def _run_stat(self, argv: list[str]) -> tuple[int, str, str]:
        """``stat -f %u /dev/console`` (stat(1) on macOS): the console user's uid."""
        if argv[1:] == ["-f", "%u", "/dev/console"]:
            return 0, "501\n", ""
        return 1, "", "stat: (simulated) only 'stat -f %u /dev/console' is modelled\n"

    def _run_osascript(self, argv: list[str]) -> tuple[int, str, str]:
        """``osascript -e ...`` (osascript(1)): shows the notification; always succeeds."""
        self.messages += 1
        return 0, "", ""

    def _run_launchctl(self, argv: list[str]) -> tuple[int, str, str]:
        """``launchctl bootstrap|bootout|print|asuser`` (launchctl(1)): loads a daemon's plist,
        removes it (113 when not loaded), prints it, or runs a command as a user."""
        words = argv[1:]
        if words[:2] == ["bootstrap", "system"] and len(words) == 3:
            return self._bootstrap(words[2])
        if words[:1] == ["bootout"] and len(words) == 2:
            label = words[1].removeprefix("system/")
            for job in self.jobs:
                if job.owner == "launchd" and job.name == label and not job.fired:
                    job.fired = True
                    job.argv = []
                    return 0, "", ""
            return (
                113,
                "",
                f'Boot-out failed: 113: Could not find service "{label}" in domain for system\n',
            )
        if words[:1] == ["print"] and len(words) == 2:
            label = words[1].removeprefix("system/")
            loaded = any(
                j.owner == "launchd" and j.name == label and not j.fired for j in self.jobs
            )
            return (
                (0, f"system/{label} = {{\n}}\n", "")
                if loaded
                else (
                    113,
                    "",
                    f'Could not find service "{label}" in domain for system\n',
                )
            )
        if words[:1] == ["asuser"] and len(words) >= 3:
            return self.run_program(words[2:])
        return 1, "", f"launchctl: (simulated) {' '.join(words[:1])} is not modelled\n"

    def _bootstrap(self, path: str) -> tuple[int, str, str]:
        text = self.files.get(path)
        if text is None:
            return 5, "", f"Bootstrap failed: 5: Input/output error ({path} not found)\n"
        label = _plist_string(text, "Label")
        arguments = re.search(r"<key>ProgramArguments</key><array>(.*?)</array>", text, re.S)
        calendar = {
            key: int(value)
            for key, value in re.findall(
                r"<key>(Month|Day|Hour|Minute)</key><integer>(\d+)</integer>", text
            )
        }
        if not label or arguments is None or len(calendar) != 4:
            return 5, "", "Bootstrap failed: 5: Input/output error (malformed property list)\n"
        if any(j.owner == "launchd" and j.name == label and not j.fired for j in self.jobs):
            return 5, "", "Bootstrap failed: 5: Input/output error (service already loaded)\n"
        argv = re.findall(r"<string>(.*?)</string>", arguments.group(1))
        when = _next_calendar(self.clock.now(), calendar)
        self.jobs.append(Job("launchd", label, when, argv))
        return 0, "", ""

    # ------------------------------------------------------------ state

    def filter_state(self) -> Any:
        return self.pf.as_dict()

    def final_state(self, rows: list[Any]) -> dict[str, Any]:
        rules = self.pf.anchors.get(self.anchor, [])
        in_force = self.in_force()
        state_file = self.state_file()
        pending = [j for j in self.jobs if not j.fired]
        token_file = self.scenario.params.get(
            "TokenFile", "/var/run/velociraptor-quarantine.pf-token"
        )
        ours = [t for t, who in self.pf.references.items() if who == "velociraptor"]
        return {
            "assigned_policy": f"anchor {self.anchor}" if in_force else None,
            "policy_assigned": in_force,
            "policy_exists": bool(rules),
            **self.unix_state(rows),
            "leftovers": not rules
            and (
                state_file in self.files or bool(pending) or bool(ours) or token_file in self.files
            ),
            "permitted": [r.text for r in rules if r.action == "pass"],
            "blocked": [r.text for r in rules if r.action == "block"],
            "pf_references": [str(t) for t in ours],
            "state_file": self.files.get(state_file),
            "store": {"pf": self.pf.as_dict()},
        }


def _sh_commands(line: str) -> list[list[str]]:
    """The simple commands of an ``sh -c`` line in `MacEndpoint._run_sh`'s form: the words of
    each ``;``-separated part, empty parts left out."""
    return [words for words in (part.split() for part in line.split(";")) if words]


def _plist_string(text: str, key: str) -> str:
    match = re.search(rf"<key>{key}</key><string>(.*?)</string>", text)
    return match.group(1) if match else ""


def _next_calendar(now: float, calendar: dict[str, int]) -> float:
    """The next moment after `now` matching Month/Day/Hour/Minute (launchd.plist(5))."""
    start = datetime.datetime.fromtimestamp(now, tz=datetime.UTC)
    for year in (start.year, start.year + 1):
        try:
            moment = datetime.datetime(
                year,
                calendar["Month"],
                calendar["Day"],
                calendar["Hour"],
                calendar["Minute"],
                tzinfo=datetime.UTC,
            )
        except ValueError:
            continue
        if moment.timestamp() > now:
            return moment.timestamp()
    return now
