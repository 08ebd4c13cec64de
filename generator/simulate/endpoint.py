"""The simulated Windows endpoint: answers every side effect of an artifact from a scenario.

Nothing here touches this machine. execve runs against the netsh model (``netsh``), the curl
model (``curl``) or a message box (``msg``); host, environ, info, wmi, read_reg_key, stat and
http_client are answered from the scenario and the network model. A command or call the model
does not know stops the simulation with a message naming it. Every behaviour below names the
Velociraptor source or Microsoft document it follows; the network, proxy and curl models it
uses are platform-neutral (`network`, `proxy`, `curl`, `client`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from ..errors import VrqError
from ..vql.eval import NULL
from .curl import run_curl
from .host import Command, Endpoint
from .netsh import Netsh, NetshState, decide
from .tasks import TASKS_ROOT, TaskScheduler, command_line_to_argv

NETSH_SECONDS = 0.2
"""Simulated duration of one netsh command (not measured: netsh returns in well under a
second on a healthy host; only the order of magnitude matters for the budget)."""

_REG_DOMAIN = "SOFTWARE\\Policies\\Microsoft\\Windows\\IPSec\\GPTIPSECPolicy"
_REG_LOCAL = "SOFTWARE\\Policies\\Microsoft\\Windows\\IPSec\\Policy\\Local"
TEMP_DIR = "C:\\Windows\\Temp"
_REG_FIREWALL = "SOFTWARE\\Policies\\Microsoft\\WindowsFirewall"
_LOCAL_OBJECTS = re.compile(
    r".*" + re.escape(_REG_LOCAL) + r"\\(ipsecPolicy|ipsecNFA|ipsecFilter)\*$", re.IGNORECASE
)
"""A glob of the local store's policies, rules or filter lists (`NetshState.registry`)."""


@dataclass
class WindowsEndpoint(Endpoint):
    """A Windows host: the local IPsec store (`netsh`), Task Scheduler (`tasks`), msg.exe."""

    state: NetshState = field(default_factory=NetshState)
    scheduler: TaskScheduler = field(default_factory=TaskScheduler)

    FIREWALL: ClassVar[str] = "netsh"
    LOADED: ClassVar[str] = "the policy was assigned"

    def __post_init__(self) -> None:
        super().__post_init__()
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

    # ------------------------------------------------------------ the IPsec policy

    def in_force(self) -> bool:
        return self.state.assigned is not None

    def assigned(self) -> str | None:
        return self.state.assigned

    def local_event(self, local: str) -> None:
        """Someone on the host unassigns (``local: unassign``) or deletes (``delete``) the
        assigned policy, or deletes its rules (``delete-rules``: ``netsh ipsec static delete
        rule name=...``, Microsoft "netsh ipsec" static commands) with netsh; or the host stops
        enforcing local IPsec policy: the IPsec Policy Agent is stopped
        (``policyagent-stopped``: it enforces netsh ipsec policy, netsh-ipsec notes 1.1), a GPO
        assigns a domain IPsec policy (``domain-policy``: it overrides local policy, notes 1.5)
        or forbids local IPsec policy merge (``merge-forbidden``: Velociraptor issue #2957); or
        WMI starts failing (``wmi-error``: wmi() logs the error and returns no row,
        vql/windows/wmi; the service's real state does not change)."""
        host_changes: dict[str, dict[str, Any]] = {
            "policyagent-stopped": {"policy_agent": "Stopped"},
            "wmi-error": {"wmi_error": True},
            "domain-policy": {"domain_policy": True},
            "merge-forbidden": {"merge_forbidden": True},
        }
        if local in host_changes:
            self.scenario = replace(self.scenario, **host_changes[local])
            self.record("event", f"on the host: {local}")
            return
        if self.state.assigned is None:
            return
        if local == "delete-rules":
            for name in [n for n, r in self.state.rules.items() if r.policy == self.state.assigned]:
                argv = ["netsh", "ipsec", "static", "delete", "rule", f"name={name}"]
                Netsh(self.state, self.resolve).run(argv)
                self.record("event", f"someone on the host: {' '.join(argv[1:])}")
            return
        verb = "delete" if local == "delete" else "set"
        argv = ["netsh", "ipsec", "static", verb, "policy", f"name={self.state.assigned}"]
        Netsh(self.state, self.resolve).run(argv if verb == "delete" else [*argv, "assign=n"])
        self.record("event", f"someone on the host: {' '.join(argv[1:])}")

    def next_task_time(self) -> float | None:
        """The StartBoundary of the next task that has not run."""
        pending = [t.start for t in self.scheduler.tasks.values() if t.ran_at is None]
        return min(pending, default=None)

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

    def host_state(self) -> Any:
        """The IPsec store (and which policy is assigned), the tasks not yet run, the files."""
        return {
            "ipsec": self.state.as_dict(),
            "tasks": sorted(t.name for t in self.scheduler.tasks.values() if t.ran_at is None),
            "files": dict(self.files),
        }

    def final_state(self, rows: list[Any]) -> dict[str, Any]:
        """The IPsec store, the policy assigned and what it permits and blocks, the tasks."""
        state = self.state
        policy = self.scenario.params.get("PolicyName", "")
        permitted: list[str] = []
        blocked: list[str] = []
        if state.assigned is not None:
            for rule in state.rules.values():
                if rule.policy != state.assigned:
                    continue
                action = state.filteractions.get(rule.filteraction, "?")
                for item in state.filterlists.get(rule.filterlist, []):
                    text = _describe_filter(item.as_dict())
                    (permitted if action == "permit" else blocked).append(text)
        # A quarantine uses two slots: the policy name and "<name> Alt" (zero-gap re-application).
        slots = {policy, f"{policy} Alt"} if policy else set()
        store_names = [*state.policies, *state.filterlists, *state.filteractions]
        return {
            "assigned_policy": state.assigned,
            "policy_assigned": state.assigned is not None
            and (not policy or state.assigned in slots),
            "policy_exists": any(slot in state.policies for slot in slots),
            **self.common_state(rows),
            "leftovers": state.assigned is None
            and any(bool(policy) and name.startswith(policy) for name in store_names),
            "applied_once": _applied_once(self.timeline),
            "previous_restored": bool(self.scenario.foreign_policy)
            and state.assigned == self.scenario.foreign_policy,
            "state_recorded": state.assigned is not None
            and str(state.policies.get(state.assigned, {}).get("description", "")).startswith(
                "vrq1."
            ),
            "expiry_task": any(t.ran_at is None for t in self.scheduler.tasks.values()),
            "task_ran": any(t.ran_at is not None for t in self.scheduler.tasks.values()),
            "tasks": [t.as_dict() for t in self.scheduler.tasks.values()],
            "permitted": permitted,
            "blocked": blocked,
            "store": state.as_dict(),
        }

    # ------------------------------------------------------------ SideEffects

    def _fn_tempfile(self, args: dict[str, Any]) -> str:
        """``tempfile(data=, extension=)`` (Velociraptor ``vql/filesystem/tempfile.go``): writes
        the data to a new file in the temp folder and returns its path (removed when the query
        ends)."""
        self.tempfile_count += 1
        path = f"{TEMP_DIR}\\tmp{self.tempfile_count:04d}{args.get('extension') or ''}"
        self.files[path.lower()] = str(args.get("data", ""))
        self.tempfiles.append(path.lower())
        return path

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
            elif _LOCAL_OBJECTS.match(text):
                base, _, prefix = text[:-1].rpartition("\\")
                rows.extend(
                    self._local_key(key, base + "\\" + key)
                    for key in self._registry()
                    if key.startswith(prefix)
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
        values = self._registry().get(key, {})
        defaults = {"ActivePolicy": NULL} if not key else {"ipsecName": NULL, "description": NULL}
        if key.startswith(("ipsecNFA", "ipsecFilter")):
            defaults = {"ipsecName": NULL}
        return {"Key": {"Name": name, "OSPath": path, "IsDir": True}, **defaults, **values}

    def _registry(self) -> dict[str, dict[str, Any]]:
        """The store's registry view (`NetshState.registry`), made inconsistent as the scenario
        says: a policy key netsh does not know, assigned (``registry_ghost_policy``), or an
        ActivePolicy naming no key (``registry_dangling_active``)."""
        keys = self.state.registry()
        ghost = self.scenario.registry_ghost_policy
        if ghost:
            key = "ipsecPolicy{00000000-0000-4000-8000-00000000dead}"
            keys[key] = {"ipsecName": ghost, "description": ""}
            keys[""] = {"ActivePolicy": _REG_LOCAL + "\\" + key}
        if self.scenario.registry_dangling_active:
            keys[""] = {
                "ActivePolicy": _REG_LOCAL + "\\ipsecPolicy{00000000-0000-4000-8000-0000000000ff}"
            }
        return keys

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

    def start_error(self, argv: list[str]) -> str:
        """A curl.exe named by a path that does not exist, or msg.exe missing (Home editions):
        Go's ``exec: "PATH": file does not exist``."""
        program = _program(argv[0])
        missing = (program == "curl" and "\\" in argv[0] and not self._program_exists(argv[0])) or (
            program == "msg" and self.scenario.msg_missing
        )
        return f'exec: "{argv[0]}": file does not exist' if missing else ""

    def execute(self, argv: list[str]) -> tuple[int, str, str]:
        """netsh (`netsh`), curl (`curl`), schtasks (`tasks`) or msg.exe, which notifies the
        logged-on users and fails (Error 1722) when no session takes it."""
        program = _program(argv[0])
        if program == "netsh":
            result = self._netsh(argv)
            self._spend(NETSH_SECONDS)
            return result
        if program == "curl":
            curl = run_curl(argv, self.network, self, self.environ)
            self._spend(curl.seconds)
            return curl.return_code, curl.stdout, curl.stderr
        if program == "schtasks":
            code, out = self.scheduler.schtasks(argv, lambda p: self.files.get(p.lower()))
            self._spend(0.3)
            if code == 0:
                self.changed = True
                self.record("schtasks", " ".join(argv))
            return code, out, ""
        if program == "msg":
            self.messages += 1
            code = self.scenario.msg_exit
            self._spend(0.1)
            return code, "", "" if code == 0 else "Error 1722 getting session names\n"
        raise VrqError(
            f"simulated endpoint: the command {argv[0]!r} is not modelled",
            hint="the simulator models netsh, curl, schtasks and msg; answer other commands "
            "with plugin_results: {execve: [...]} in a scenario file",
        )

    def loads(self, argv: list[str]) -> bool:
        """``netsh ipsec static set policy ... assign=y|yes``."""
        words = [w.lower() for w in argv[1:]]
        return (
            _program(argv[0]) == "netsh"
            and words[2:4] == ["set", "policy"]
            and any(w in ("assign=y", "assign=yes") for w in words[4:])
        )

    def _netsh(self, argv: list[str]) -> tuple[int, str, str]:
        """``netsh ipsec static`` (Microsoft, Netsh Commands for Internet Protocol Security):
        runs the command against the model of the local IPsec store (`Netsh`), or fails the
        scenario's injected step."""
        if self._injected_failure():
            message = f"injected failure of netsh command {self.firewall_count}"
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


def _program(path: str) -> str:
    """A program's name as Windows finds it: the last part of a path, without .exe."""
    return path.replace("/", "\\").rsplit("\\", 1)[-1].lower().removesuffix(".exe")


def _applied_once(timeline: list[dict[str, Any]]) -> bool:
    assigns = [i for i, m in enumerate(timeline) if "assign=y" in m["what"]]
    if len(assigns) != 1:
        return False
    return not any(" add " in f" {m['what']} " for m in timeline[assigns[0] :])


def _describe_filter(item: dict[str, Any]) -> str:
    def side(addr: str, mask: str, port: int) -> str:
        text = addr + (f"/{mask}" if mask else "")
        if not port:
            return text
        # An IPv6 address (or range) before a port is bracketed, as in a URL: [2001:db8::1]:443.
        return f"[{text}]:{port}" if ":" in addr else f"{text}:{port}"

    return (
        f"{item['protocol']} {side(item['srcaddr'], item['srcmask'], item['srcport'])} -> "
        f"{side(item['dstaddr'], item['dstmask'], item['dstport'])}"
        + (" (mirrored)" if item["mirrored"] else "")
        + (f" [{item['description']}]" if item["description"] else "")
    )
