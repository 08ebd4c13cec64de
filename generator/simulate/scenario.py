"""Scenarios: what the simulated endpoint and network look like, and what should happen.

Built-in scenarios (``--scenario NAME``): success, server-unreachable, netsh-fail:N,
domain-ipsec-policy, policy-not-enforced, removal. A scenario file (YAML) starts from
``base`` (a built-in, default success) and overrides any of the fields below.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from ..errors import VrqError
from ..vql.eval import normalise_results

DEFAULT_SERVER_URL = "https://velociraptor.example.com:8000/"
DEFAULT_SERVER_ADDRESS = "192.0.2.10"
INTERNET_ADDRESS = "203.0.113.80"
"""An address on the internet (TEST-NET-3), used to decide whether the host is isolated."""


@dataclass(frozen=True)
class Expectation:
    """The final state the scenario expects; None means "not checked"."""

    policy_assigned: bool | None = None
    isolated: bool | None = None
    server_reachable: bool | None = None
    policy_exists: bool | None = None
    half_applied: bool | None = None

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
    netsh_fail_step: int | None = None
    negative_answer: str = "http"
    """How a host outside the policy answers when packets reach it: http, refused,
    tls-error, timeout (never answers), no-dns (its name does not resolve)."""
    preexisting: bool = False
    params: dict[str, str] = field(default_factory=dict)
    plugin_results: dict[str, list[Any]] = field(default_factory=dict)
    function_results: dict[str, Any] = field(default_factory=dict)
    clock_ticks: int = 1
    expect: Expectation = Expectation()


_QUARANTINED = Expectation(
    policy_assigned=True, isolated=True, server_reachable=True, half_applied=False
)
_NOT_IN_FORCE = Expectation(policy_assigned=False, isolated=False)

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
        expect=_NOT_IN_FORCE,
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
        expect=_NOT_IN_FORCE,
    ),
    "removal": Scenario(
        "removal",
        "A quarantine by this artifact is in force; the artifact runs with RemovePolicy=Y and "
        "must remove it.",
        preexisting=True,
        params={"RemovePolicy": "Y"},
        expect=Expectation(policy_assigned=False, isolated=False, policy_exists=False),
    ),
}

_NETSH_FAIL = re.compile(r"^netsh-fail:([1-9][0-9]*)$")


def builtin_names() -> list[str]:
    return [*BUILTIN, "netsh-fail:N"]


def get_builtin(name: str) -> Scenario | None:
    if name in BUILTIN:
        return BUILTIN[name]
    match = _NETSH_FAIL.match(name)
    if match:
        step = int(match.group(1))
        return Scenario(
            name,
            f"netsh command number {step} fails: the policy may stay assigned only if no "
            "command that creates or assigns something failed (no half-applied policy).",
            netsh_fail_step=step,
            expect=Expectation(half_applied=False),
        )
    return None


_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "description": str,
    "os": str,
    "client_config": dict,
    "dns": dict,
    "server_answers": bool,
    "policy_enforced": bool,
    "domain_policy": bool,
    "merge_forbidden": bool,
    "policy_agent": str,
    "files": list,
    "netsh_fail_step": int,
    "negative_answer": str,
    "preexisting": bool,
    "params": dict,
    "plugin_results": dict,
    "function_results": dict,
    "clock_ticks": int,
    "expect": dict,
}


def load_scenario_file(path: Path) -> Scenario:
    """Load a scenario file; every problem is reported in one error naming the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise VrqError(f"{path}: cannot read scenario: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise VrqError(f"{path}: scenario is not valid YAML: {exc}") from None
    return scenario_from_data(data, str(path))


def scenario_from_data(data: Any, source: str) -> Scenario:
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
        expected = _FIELD_TYPES.get(key)
        if expected is None:
            problems.append(f"{key}: unknown field (known: {', '.join(sorted(_FIELD_TYPES))})")
            continue
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            problems.append(f"{key}: expected {getattr(expected, '__name__', expected)}")
            continue
        changes[key] = copy.deepcopy(value)
    if "expect" in changes:
        expect_data = changes.pop("expect")
        known = {f.name for f in fields(Expectation)}
        bad = [k for k in expect_data if k not in known or not isinstance(expect_data[k], bool)]
        if bad:
            problems.append(
                f"expect: {', '.join(map(str, bad))}: each must be one of "
                f"{', '.join(sorted(known))} with a true/false value"
            )
        else:
            changes["expect"] = Expectation(**expect_data)
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
    if "params" in changes:
        changes["params"] = {str(k): _param_text(v) for k, v in changes["params"].items()}
    if problems:
        raise VrqError(f"{source}: invalid scenario:\n  " + "\n  ".join(problems))
    name = str(data.get("name") or Path(source).stem)
    return replace(base, name=name, **changes)


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
    """A built-in name, or the path of a scenario file."""
    builtin = get_builtin(spec)
    if builtin is not None:
        return builtin
    path = Path(spec)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        return load_scenario_file(path)
    raise VrqError(
        f"unknown scenario {spec!r}",
        hint=f"use one of {', '.join(builtin_names())} or a scenario file (.yaml)",
    )
