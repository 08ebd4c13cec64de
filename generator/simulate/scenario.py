"""Scenarios: what the simulated endpoint and network look like, and what should happen.

Built-in scenarios (``--scenario NAME``): see `BUILTIN` and ``netsh-fail:N``. A scenario file
(YAML) starts from ``base`` (a built-in, default success) and overrides any of the fields below.
The scenario framework is platform-neutral; the fields that only a Windows endpoint reads say so.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import UnionType
from typing import Any, get_args, get_origin, get_type_hints

from ..errors import VrqError
from ..inputs import read_text, require_text
from ..vql.eval import normalise_results
from ..yamlsource import load_yaml_text

DEFAULT_SERVER_URL = "https://velociraptor.example.com:8000/"
DEFAULT_SERVER_ADDRESS = "192.0.2.10"
INTERNET_ADDRESS = "203.0.113.80"
"""An address on the internet (TEST-NET-3), used to decide whether the host is isolated."""
INTERNET_ADDRESS_V6 = "2001:db8:ffff::80"
"""The same over IPv6 (the documentation prefix)."""


@dataclass(frozen=True)
class Expectation:
    """The final state the scenario expects; None means "not checked"."""

    policy_assigned: bool | None = None
    isolated: bool | None = None
    server_reachable: bool | None = None
    policy_exists: bool | None = None
    half_applied: bool | None = None
    locked_out: bool | None = None
    """A policy is assigned and the client cannot reach its server along the path it uses."""
    refused: bool | None = None
    """The pre-flight refused (a failed pre-flight row)."""
    changed: bool | None = None
    """Some command changed the host (a netsh add/set/delete that succeeded)."""
    rolled_back: bool | None = None
    """The host was changed and then given back whole: its packet filter, files and pending
    scheduled jobs are as before the first run, and no rollback row failed. A scenario that
    expects a rollback says ``rolled_back: true``: a rollback that did not happen, or left
    something behind, fails it."""
    leftovers: bool | None = None
    """Objects named after the policy remain in the store while no policy of ours is assigned."""
    no_gap: bool | None = None
    """Once a policy was assigned, no moment without one before another is assigned."""
    applied_once: bool | None = None
    """One assignment in the whole life, and nothing added after it."""
    one_message_box: bool | None = None
    """msg.exe ran exactly once."""
    previous_restored: bool | None = None
    """The site's own local policy (foreign_policy) is assigned again at the end."""
    state_recorded: bool | None = None
    """The assigned policy carries a vr-quarantine state record."""
    expiry_task: bool | None = None
    """An expiry task is registered and has not run yet."""
    task_ran: bool | None = None
    """A scheduled task ran."""
    permits_current: bool | None = None
    """Every address the server names resolve to now is permitted by the assigned policy."""

    def items(self) -> list[tuple[str, bool]]:
        return [
            (f.name, getattr(self, f.name))
            for f in fields(self)
            if getattr(self, f.name) is not None
        ]


NEGATIVE_ANSWERS = ("http", "refused", "tls-error", "timeout", "no-dns")


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    os: str = "windows"
    client_config: dict[str, Any] = field(
        default_factory=lambda: {"server_urls": [DEFAULT_SERVER_URL]}
    )
    dns: dict[str, list[str]] = field(
        default_factory=lambda: {"velociraptor.example.com": [DEFAULT_SERVER_ADDRESS]}
    )
    server_answers: bool = True
    policy_enforced: bool = True
    domain_policy: bool = False
    merge_forbidden: bool = False
    policy_agent: str = "Running"
    files: tuple[str, ...] = ("C:\\Windows\\System32\\curl.exe",)
    absent_files: tuple[str, ...] = ()
    """Linux and macOS: standard files, folders or programs the host lacks (e.g. /usr/sbin/nft,
    /run/systemd/system, atq)."""
    netsh_fail_step: int | None = None
    negative_answer: str = "http"
    """How a host outside the policy answers when packets reach it: http, refused,
    tls-error, timeout (never answers), no-dns (its name does not resolve)."""
    preexisting: bool = False
    params: dict[str, str] = field(default_factory=dict)
    plugin_results: dict[str, list[Any]] = field(default_factory=dict)
    function_results: dict[str, Any] = field(default_factory=dict)
    clock_ticks: int = 1
    environment: dict[str, str] = field(default_factory=dict)
    """The client process's environment (HTTPS_PROXY, NO_PROXY, ...)."""
    pac_answer: str = "DIRECT"
    """What the PAC file of ``proxy_config.pac`` returns for the server URLs."""
    proxies: dict[str, bool] = field(default_factory=dict)
    """HTTP proxies listening on "address:port", mapped to whether they reach the server."""
    sni_required: bool = False
    """The frontend sits behind an SNI-routed load balancer (or Let's Encrypt autocert): a TLS
    handshake without the server's name fails."""
    ipv6: bool = True
    """The host has IPv6 connectivity (Windows enables IPv6 by default: Microsoft, "Guidance
    for configuring IPv6 in Windows for advanced users")."""
    ipsec_any_covers_ipv6: bool = True
    """Windows: whether netsh's ``any`` address keyword, as a filter's ``dstaddr``, also matches
    IPv6 packets (the model decides an outbound connection by its destination alone, so
    ``srcaddr=me`` is not tested: `netsh.decide`). Microsoft documents the keywords ("me": the
    current computer's address, "any": all computer addresses; ``netsh ipsec static add
    filter`` help) beside IPv6 addresses in the same ``srcaddr``/``dstaddr`` parameter
    (Microsoft Learn, "netsh ipsec": ``[srcaddr=] (ipv4|ipv6|ipv4-ipv4|ipv6-ipv6|dns|server)``),
    but never says which families a keyword covers. The default reads ``any`` as covering both,
    the reading in which a block-all also drops IPv6 to the server, so a missing IPv6 permit
    locks the responders out; the ``dual-stack-any-ipv4-only`` scenario runs the other reading,
    in which IPv6 leaks past the block."""
    cancel_after: str | None = None
    """"assign": the collection is cancelled right after the policy is assigned."""
    wmi_error: bool = False
    """Windows: the WMI query fails (the wmi() plugin logs and returns no row)."""
    msg_exit: int = 0
    """Windows: msg.exe's exit code (non-zero with no session to notify)."""
    msg_missing: bool = False
    """Windows: msg.exe is not installed (Home editions)."""
    foreign_policy: str | None = None
    """Windows: a local IPsec policy of the site's, assigned before the quarantine."""
    registry_ghost_policy: str | None = None
    """Windows: the registry shows a local policy of this name, assigned (its ipsecPolicy key and
    ActivePolicy), that netsh's store does not have: an inconsistent store."""
    registry_dangling_active: bool = False
    """Windows: ActivePolicy names an ipsecPolicy key that does not exist."""
    life: tuple[dict[str, Any], ...] = ()
    """Steps of a quarantine's life (`life.run_life`); empty: one collection of the artifact."""
    events: tuple[dict[str, Any], ...] = ()
    """Changes at a time (seconds from the start): dns, local (Windows: unassign, delete,
    delete-rules, policyagent-stopped, domain-policy, merge-forbidden, wmi-error),
    server_answers."""
    expect: Expectation = Expectation()
    expect_one_of: tuple[Expectation, ...] = ()
    """Alternative outcomes: at least one must hold (as well as `expect`)."""


_QUARANTINED = Expectation(
    policy_assigned=True, isolated=True, server_reachable=True, half_applied=False
)
_NOT_IN_FORCE = Expectation(policy_assigned=False, isolated=False)
_ROLLED_BACK = Expectation(policy_assigned=False, isolated=False, rolled_back=True)
_SAFE = Expectation(locked_out=False, half_applied=False)
_QUARANTINED_OR_REFUSED = (
    Expectation(policy_assigned=True, isolated=True, server_reachable=True),
    Expectation(refused=True, changed=False, policy_assigned=False),
)
_DUAL_STACK_DNS = {
    "velociraptor.example.com": [DEFAULT_SERVER_ADDRESS, "2001:db8::10"],
    "www.example.com": [INTERNET_ADDRESS, INTERNET_ADDRESS_V6],
}
"""The server and the internet host each resolve to an IPv4 and an IPv6 address."""
_OTHER_PROFILE_RUN = {
    "step": "run",
    "params": {
        "ProfileId": "other-engagement",
        "ProfileSHA256": "0" * 64,
        "Reason": "applied by the other team",
    },
}
"""A run of the artifact as another profile rendered it (another id and SHA-256)."""
PROXY_ADDRESS = "203.0.113.8"
ENV_PROXY_ADDRESS = "203.0.113.9"

BUILTIN: dict[str, Scenario] = {
    "success": Scenario(
        "success",
        "The server answers through the permits and the policy is enforced: the host stays "
        "quarantined and reachable by the server.",
        expect=_QUARANTINED,
    ),
    "server-unreachable": Scenario(
        "server-unreachable",
        "The Velociraptor server does not answer once the policy is in force: the artifact must "
        "roll back and leave no policy assigned.",
        server_answers=False,
        expect=_ROLLED_BACK,
    ),
    "domain-ipsec-policy": Scenario(
        "domain-ipsec-policy",
        "A domain (GPO) IPsec policy is assigned and overrides any local policy: a local "
        "quarantine cannot be in force, so none may be left assigned as if it were.",
        domain_policy=True,
        expect=_NOT_IN_FORCE,
    ),
    "policy-not-enforced": Scenario(
        "policy-not-enforced",
        "netsh accepts and assigns the policy but it has no effect (e.g. a GPO forbids local "
        "IPsec policy merge without the registry showing it): the negative check still "
        "connects, so the artifact must roll back.",
        policy_enforced=False,
        expect=_ROLLED_BACK,
    ),
    "removal": Scenario(
        "removal",
        "A quarantine by this artifact is in force; the artifact runs with RemovePolicy=Y and "
        "must remove it.",
        preexisting=True,
        params={"RemovePolicy": "Y"},
        expect=Expectation(policy_assigned=False, isolated=False, policy_exists=False),
    ),
    "proxy-config": Scenario(
        "proxy-config",
        "The client reaches its server through a proxy named only in proxy_config (a per-URL "
        "rule), not in Client.proxy: the artifact must either keep the policy with the proxy "
        "permitted and the server reachable through it, or refuse before changing anything.",
        client_config={
            "server_urls": [DEFAULT_SERVER_URL],
            "proxy_config": {
                "proxy_url_regexp": {
                    "^https://velociraptor\\.example\\.com": f"http://{PROXY_ADDRESS}:3128"
                }
            },
        },
        proxies={f"{PROXY_ADDRESS}:3128": True},
        expect=_SAFE,
        expect_one_of=_QUARANTINED_OR_REFUSED,
    ),
    "env-proxy": Scenario(
        "env-proxy",
        "The client's service environment sets HTTPS_PROXY (the client config names no proxy): "
        "the client talks through it, so the artifact must either keep the policy with the proxy "
        "permitted, or refuse before changing anything.",
        environment={"HTTPS_PROXY": f"http://{ENV_PROXY_ADDRESS}:3128"},
        proxies={f"{ENV_PROXY_ADDRESS}:3128": True},
        expect=_SAFE,
        expect_one_of=_QUARANTINED_OR_REFUSED,
    ),
    "env-proxy-lowercase": Scenario(
        "env-proxy-lowercase",
        "The client's service environment sets the lowercase https_proxy (Linux and macOS keep "
        "it apart from HTTPS_PROXY; Velociraptor reads both, utils/proxy/proxy.go getEnvAny): "
        "the client talks through it, so the artifact must either keep the policy with the "
        "proxy permitted, or refuse before changing anything.",
        environment={"https_proxy": f"http://{ENV_PROXY_ADDRESS}:3128"},
        proxies={f"{ENV_PROXY_ADDRESS}:3128": True},
        expect=_SAFE,
        expect_one_of=_QUARANTINED_OR_REFUSED,
    ),
    "collection-cancelled": Scenario(
        "collection-cancelled",
        "The collection is cancelled (or times out) right after the policy is assigned, before "
        "the checks: nothing of the quarantine may be left.",
        cancel_after="assign",
        expect=replace(_ROLLED_BACK, policy_exists=False, leftovers=False),
    ),
    "sni-frontend": Scenario(
        "sni-frontend",
        "The frontend sits behind an SNI-routed load balancer: a TLS handshake that does not "
        "name the server fails. The probes must reach it as the client does.",
        sni_required=True,
        expect=_QUARANTINED,
    ),
    "dual-stack": Scenario(
        "dual-stack",
        "The server name resolves to an IPv4 and an IPv6 address and the host has IPv6: both "
        "must be permitted, and nothing else may stay reachable over either family (netsh's "
        "'any' read as covering IPv6 too; dual-stack-any-ipv4-only runs the other reading).",
        dns=_DUAL_STACK_DNS,
        expect=_QUARANTINED,
    ),
    "dual-stack-any-ipv4-only": Scenario(
        "dual-stack-any-ipv4-only",
        "dual-stack, under the other reading of netsh's 'any' (undocumented; Microsoft Learn, "
        "'netsh ipsec'): it matches IPv4 only, so a block-all filter with dstaddr=any lets "
        "IPv6 through. The artifact must not keep a quarantine that leaks over IPv6: it is "
        "either isolated on both families or rolled back completely; never locked out.",
        dns=_DUAL_STACK_DNS,
        ipsec_any_covers_ipv6=False,
        expect=_SAFE,
        expect_one_of=(_QUARANTINED, _ROLLED_BACK),
    ),
    "monitor-steady": Scenario(
        "monitor-steady",
        "The monitor (attached to the Quarantine label) runs for three periods with nothing "
        "changing: it applies the quarantine once, shows the message once, then changes and "
        "shows nothing.",
        params={"MessageBox": "This computer is isolated by the security team."},
        life=({"step": "monitor", "ticks": 3},),
        expect=Expectation(
            policy_assigned=True,
            isolated=True,
            server_reachable=True,
            applied_once=True,
            one_message_box=True,
            no_gap=True,
            state_recorded=True,
        ),
    ),
    "dns-drift": Scenario(
        "dns-drift",
        "The server's address changes between two monitor periods: the monitor re-applies "
        "the quarantine with the new permit and no gap.",
        life=({"step": "monitor", "ticks": 3},),
        events=({"at": 600, "dns": {"velociraptor.example.com": ["192.0.2.20"]}},),
        expect=Expectation(
            policy_assigned=True,
            isolated=True,
            server_reachable=True,
            no_gap=True,
            permits_current=True,
            state_recorded=True,
        ),
    ),
    "reapply-fails": Scenario(
        "reapply-fails",
        "The monitor holds the quarantine; then the server moves to a new address that does "
        "not answer: the monitor applies the quarantine again, the check fails, and the "
        "quarantine that was in force must be given back (never no quarantine: no flapping "
        "from quarantined to open).",
        life=({"step": "monitor", "ticks": 3},),
        events=(
            {
                "at": 600,
                "dns": {"velociraptor.example.com": ["192.0.2.20"]},
                "server_answers": False,
            },
        ),
        expect=Expectation(policy_assigned=True, isolated=True, no_gap=True, state_recorded=True),
    ),
    "policy-removed-locally": Scenario(
        "policy-removed-locally",
        "Someone on the host unassigns the quarantine policy between two monitor periods: "
        "the monitor re-applies it.",
        life=({"step": "monitor", "ticks": 3},),
        events=({"at": 600, "local": "unassign"},),
        expect=Expectation(
            policy_assigned=True, isolated=True, server_reachable=True, state_recorded=True
        ),
    ),
    "expiry": Scenario(
        "expiry",
        "A quarantine with a one-hour expiry; two hours pass and the Velociraptor client does "
        "nothing (as if dead): the scheduled task ends it, and its state goes with it.",
        params={"Expiry": "1h"},
        life=({"step": "run"}, {"step": "advance", "seconds": 7200}),
        expect=Expectation(
            policy_assigned=False,
            isolated=False,
            policy_exists=False,
            state_recorded=False,
            task_ran=True,
        ),
    ),
    "previous-policy": Scenario(
        "previous-policy",
        "The site's own local IPsec policy is assigned before the quarantine: the quarantine "
        "replaces it (assigning one unassigns the other) and its removal gives it back.",
        foreign_policy="Corp Baseline",
        life=({"step": "run"}, {"step": "remove"}),
        expect=Expectation(previous_restored=True, policy_exists=False, no_gap=True),
    ),
    "label-removed": Scenario(
        "label-removed",
        "The monitor runs two periods, then the Quarantine label is removed: its event query "
        "ends, its atexit() schedules the release (ReleaseDelay), and the SYSTEM task ends "
        "the quarantine when no monitor has started again.",
        life=(
            {"step": "monitor", "ticks": 2, "ends": True},
            {"step": "advance", "seconds": 3600},
        ),
        expect=Expectation(
            policy_assigned=False, isolated=False, policy_exists=False, task_ran=True
        ),
    ),
    "monitor-restart": Scenario(
        "monitor-restart",
        "The client's event table is restarted (another event artifact added, or the client "
        "restarted): the monitor's event query ends and a new one starts. The release its "
        "atexit() scheduled is cancelled: no gap, one message box.",
        params={"MessageBox": "This computer is isolated by the security team.", "Expiry": ""},
        life=(
            {"step": "monitor", "ticks": 2, "ends": True},
            {"step": "monitor", "ticks": 2},
            {"step": "advance", "seconds": 3600},
        ),
        expect=Expectation(
            policy_assigned=True,
            isolated=True,
            server_reachable=True,
            no_gap=True,
            applied_once=True,
            one_message_box=True,
            expiry_task=False,
            task_ran=False,
        ),
    ),
    "proxy-not-permitted": Scenario(
        "proxy-not-permitted",
        "The client reaches its server through a proxy (Client.proxy) that cannot reach the "
        "server once the host is quarantined: a probe through it fails, so the artifact rolls "
        "back (or, when the rule table does not permit the proxy, refuses first).",
        client_config={
            "server_urls": [DEFAULT_SERVER_URL],
            "proxy": f"http://{PROXY_ADDRESS}:3128",
        },
        proxies={f"{PROXY_ADDRESS}:3128": False},
        expect=Expectation(policy_assigned=False, locked_out=False, half_applied=False),
        expect_one_of=(
            Expectation(refused=True, changed=False),
            Expectation(rolled_back=True, leftovers=False),
        ),
    ),
    "other-profile": Scenario(
        "other-profile",
        "A quarantine applied from another profile (its state record names another profile id "
        "and SHA-256) is in force when this profile's monitor starts: the monitor must not "
        "replace it (nor re-apply over it), and must say so.",
        life=(
            _OTHER_PROFILE_RUN,
            {"step": "monitor", "ticks": 3},
        ),
        expect=replace(_QUARANTINED, applied_once=True, refused=True, state_recorded=True),
    ),
    "other-profile-label-removed": Scenario(
        "other-profile-label-removed",
        "A quarantine applied from another profile is in force while this profile's monitor "
        "runs; then the label is removed (the monitor's event query ends): its release must "
        "leave the other profile's quarantine in force, at once or after ReleaseDelay, and "
        "say so in the monitor's log.",
        life=(
            _OTHER_PROFILE_RUN,
            {"step": "monitor", "ticks": 2, "ends": True},
            {"step": "advance", "seconds": 3600},
        ),
        expect=replace(_QUARANTINED, no_gap=True, applied_once=True, state_recorded=True),
    ),
    "enforcement-lost": Scenario(
        "enforcement-lost",
        "The quarantine is in force; between two monitor periods a GPO assigns a domain IPsec "
        "policy, which overrides any local policy: the policy stays assigned but no longer "
        "holds. The monitor must say it is NOT in force and why, and change nothing (the "
        "pre-flight would refuse a re-application for the same reason).",
        life=({"step": "monitor", "ticks": 3},),
        events=({"at": 600, "local": "domain-policy"},),
        expect=Expectation(
            policy_assigned=True, isolated=False, applied_once=True, refused=True, no_gap=True
        ),
    ),
    "rules-deleted-locally": Scenario(
        "rules-deleted-locally",
        "Someone on the host deletes the quarantine policy's rules between two monitor "
        "periods (the policy stays assigned, its state record unchanged, and blocks nothing): "
        "the monitor says it is not in force and re-applies it with no gap.",
        life=({"step": "monitor", "ticks": 3},),
        events=({"at": 600, "local": "delete-rules"},),
        expect=Expectation(
            policy_assigned=True,
            isolated=True,
            server_reachable=True,
            no_gap=True,
            state_recorded=True,
        ),
    ),
    "registry-inconsistent": Scenario(
        "registry-inconsistent",
        "The registry shows a local IPsec policy assigned that netsh does not find (the store "
        "is inconsistent): the pre-flight must refuse before changing anything, saying so.",
        registry_ghost_policy="Stale Baseline",
        expect=Expectation(refused=True, changed=False, policy_assigned=False),
    ),
}

_NETSH_FAIL = re.compile(r"^(?:netsh|nft|pfctl)-fail:([1-9][0-9]*)$")
"""``netsh-fail:N`` (Windows), ``nft-fail:N`` (Linux), ``pfctl-fail:N`` (macOS): the N-th
command of the platform's packet-filter tool fails."""


def builtin_names() -> list[str]:
    return [*BUILTIN, "netsh-fail:N", "nft-fail:N", "pfctl-fail:N", "all"]


def get_builtin(name: str) -> Scenario | None:
    if name in BUILTIN:
        return BUILTIN[name]
    match = _NETSH_FAIL.match(name)
    if match:
        step = int(match.group(1))
        return Scenario(
            name,
            f"{name.split('-fail')[0]} command number {step} fails: the quarantine may stay in "
            "force only if no command that creates or assigns something failed (no half-applied "
            "policy); otherwise the run must stop before its first change or roll back completely.",
            netsh_fail_step=step,
            expect=Expectation(half_applied=False),
            expect_one_of=(
                _QUARANTINED,
                Expectation(changed=False, policy_assigned=False),
                Expectation(rolled_back=True, policy_assigned=False),
            ),
        )
    return None


def _file_type(hint: Any) -> type:
    """The YAML type a scenario file gives a field: its annotation without None, a list for a
    tuple, a mapping for an `Expectation`."""
    if isinstance(hint, UnionType):
        (hint,) = (k for k in get_args(hint) if k is not type(None))
    kind: type = get_origin(hint) or hint
    return {tuple: list, Expectation: dict}.get(kind, kind)


FIELD_TYPES: dict[str, type] = {
    name: _file_type(hint) for name, hint in get_type_hints(Scenario).items() if name != "name"
}
"""Every field a scenario file may set (all of `Scenario`'s but its name), and its YAML type."""


def load_scenario_file(path: Path) -> Scenario:
    """Load a scenario file through the input layer and the YAML loader that reads profiles
    (bounded read, duplicate keys, alias and depth limits); every problem is reported in one
    error, each at its ``file:line:col``."""
    got = require_text(read_text(str(path)), "scenario")
    loaded = load_yaml_text(got.name, got.text)
    if loaded.document is None:
        raise VrqError(
            f"{got.name}: scenario is not valid YAML:\n  "
            + "\n  ".join(f"{d.location}: {d.message}" for d in loaded.diagnostics),
            hint=loaded.diagnostics[0].hint,
        )
    document = loaded.document
    return scenario_from_data(
        document.data, got.name, locate=lambda key: str(document.location((key,), key=True))
    )


def scenario_from_data(
    data: Any, source: str, *, locate: Callable[[str], str] | None = None
) -> Scenario:
    """A scenario from loaded data; `locate` gives the ``file:line:col`` of a top-level key."""
    if not isinstance(data, dict):
        raise VrqError(f"{source}: a scenario must be a mapping")
    problems: list[str] = []
    base_name = data.get("base", "success")
    base = get_builtin(str(base_name))
    if base is None:
        problems.append(f"base: unknown built-in scenario {base_name!r}")
        base = BUILTIN["success"]
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("base", "name"):
            continue
        expected = FIELD_TYPES.get(key)
        if expected is None:
            problems.append(f"{key}: unknown field (known: {', '.join(sorted(FIELD_TYPES))})")
            continue
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            problems.append(f"{key}: expected {getattr(expected, '__name__', expected)}")
            continue
        changes[key] = copy.deepcopy(value)
    if "expect" in changes:
        expectation = _expectation(changes.pop("expect"), "expect", problems)
        if expectation is not None:
            changes["expect"] = expectation
    if "expect_one_of" in changes:
        items = changes.pop("expect_one_of")
        parsed = [_expectation(item, "expect_one_of", problems) for item in items]
        if all(p is not None for p in parsed):
            changes["expect_one_of"] = tuple(p for p in parsed if p is not None)
    if "environment" in changes:
        env = changes["environment"]
        if all(isinstance(v, str) for v in env.values()):
            changes["environment"] = {str(k): v for k, v in env.items()}
        else:
            problems.append("environment: each variable maps to a string")
    if "proxies" in changes:
        proxies = changes["proxies"]
        if all(isinstance(v, bool) and _host_port(str(k)) for k, v in proxies.items()):
            changes["proxies"] = {str(k): v for k, v in proxies.items()}
        else:
            problems.append(
                "proxies: each key is address:port and maps to true/false "
                "(whether the proxy reaches the server)"
            )
    if "life" in changes:
        steps = changes["life"]
        if all(isinstance(s, dict) and s.get("step") in LIFE_STEPS for s in steps):
            changes["life"] = tuple(steps)
            problems.extend(_life_problems(steps))
        else:
            problems.append(
                f"life: each step is a mapping with step: one of {', '.join(LIFE_STEPS)}"
            )
    if "events" in changes:
        events = changes["events"]
        if all(isinstance(e, dict) and _in_range(e.get("at", 0), MAX_SECONDS) for e in events):
            changes["events"] = tuple(events)
        else:
            problems.append(f"events: each event is a mapping with at: seconds (0-{MAX_SECONDS})")
    if "clock_ticks" in changes and not _in_range(changes["clock_ticks"], MAX_TICKS):
        problems.append(f"clock_ticks: 0-{MAX_TICKS}")
    if "cancel_after" in changes and changes["cancel_after"] not in CANCEL_POINTS:
        problems.append(f"cancel_after: one of {', '.join(CANCEL_POINTS)}")
    if "dns" in changes:
        dns = changes["dns"]
        if all(isinstance(v, list) and all(isinstance(a, str) for a in v) for v in dns.values()):
            changes["dns"] = {str(k).lower(): list(v) for k, v in dns.items()}
        else:
            problems.append("dns: each name maps to a list of addresses")
    if "client_config" in changes:
        urls = changes["client_config"].get("server_urls", [])
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
            problems.append("client_config: server_urls must be a list of URLs")
    if "plugin_results" in changes:
        problems.extend(_plugin_result_problems(changes["plugin_results"]))
    if "negative_answer" in changes and changes["negative_answer"] not in NEGATIVE_ANSWERS:
        problems.append(f"negative_answer: one of {', '.join(NEGATIVE_ANSWERS)}")
    if "files" in changes:
        changes["files"] = tuple(str(f) for f in changes["files"])
    if "absent_files" in changes:
        changes["absent_files"] = tuple(str(f) for f in changes["absent_files"])
    if "params" in changes:
        changes["params"] = {str(k): _param_text(v) for k, v in changes["params"].items()}
    if problems:
        if locate is not None:
            problems = [f"{locate(p.partition(':')[0])}: {p}" for p in problems]
        raise VrqError(f"{source}: invalid scenario:\n  " + "\n  ".join(problems))
    name = str(data.get("name") or Path(source).stem)
    return replace(base, name=name, **changes)


CANCEL_POINTS = ("assign",)
LIFE_STEPS = ("run", "remove", "status", "monitor", "advance")
MAX_SECONDS = 10 * 365 * 24 * 3600
"""Ten years, the most a scenario's clock may move (a step's ``seconds``, an event's ``at``): a
quarantine lives days; past this, times leave what the clock and Go's time can show."""
MAX_TICKS = 1000
"""Rows of the simulated ``clock()`` per collection (a step's ``ticks``, ``clock_ticks``)."""


def _in_range(value: Any, top: int) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= top


def _life_problems(steps: list[dict[str, Any]]) -> list[str]:
    """The numbers and parameters of life steps, checked before the simulator reads them."""
    problems: list[str] = []
    for index, step in enumerate(steps, 1):
        if not _in_range(step.get("seconds", 0), MAX_SECONDS):
            problems.append(f"life: step {index}: seconds: a number of seconds, 0-{MAX_SECONDS}")
        ticks = step.get("ticks", 1)
        if isinstance(ticks, float) or not _in_range(ticks, MAX_TICKS):
            problems.append(f"life: step {index}: ticks: a whole number, 0-{MAX_TICKS}")
        if not isinstance(step.get("params") or {}, dict):
            problems.append(f"life: step {index}: params: a mapping of parameter names to values")
    return problems


def _host_port(text: str) -> bool:
    host, sep, port = text.rpartition(":")
    return bool(sep and host and port.isdigit())


def _expectation(data: Any, where: str, problems: list[str]) -> Expectation | None:
    known = {f.name for f in fields(Expectation)}
    if not isinstance(data, dict):
        problems.append(f"{where}: expected a mapping of outcome names to true/false")
        return None
    bad = [k for k in data if k not in known or not isinstance(data[k], bool)]
    if bad:
        problems.append(
            f"{where}: {', '.join(map(str, bad))}: each must be one of "
            f"{', '.join(sorted(known))} with a true/false value"
        )
        return None
    return Expectation(**data)


def _plugin_result_problems(results: dict[Any, Any]) -> list[str]:
    """Each plugin maps to its rows, or (mock()'s multi-call form) to a list of row lists."""
    problems: list[str] = []
    for plugin, value in results.items():
        if not isinstance(value, list):
            problems.append(f"plugin_results: {plugin}: expected a list of rows")
            continue
        calls = normalise_results(value) or []
        multi = len(value) > 0 and isinstance(value[0], list)
        for call_index, call in enumerate(calls, 1):
            rows = call if isinstance(call, list) else [call]
            for row_index, row in enumerate(rows, 1):
                if not isinstance(row, dict):
                    where = f"call {call_index}, row {row_index}" if multi else f"row {row_index}"
                    problems.append(
                        f"plugin_results: {plugin}: {where} is not a mapping "
                        f"(got {row!r:.40}); a row maps column names to values"
                    )
    return problems


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "Y" if value else "N"
    return str(value)


def resolve_scenario(spec: str) -> Scenario:
    """A built-in name, or the path of a scenario file (``-``: standard input)."""
    builtin = get_builtin(spec)
    if builtin is not None:
        return builtin
    path = Path(spec)
    if spec == "-" or path.suffix.lower() in (".yaml", ".yml") or path.exists():
        return load_scenario_file(path)
    raise VrqError(
        f"unknown scenario {spec!r}",
        hint=f"use one of {', '.join(builtin_names())} or a scenario file (.yaml)",
    )
