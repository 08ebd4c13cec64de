"""One collection on the simulated endpoint, as Velociraptor's client runs it, and its outcome.

Platform-neutral: the start, the deadline, the cancellation and the atexit() queries that run
when the query ends. The client runs a collection's query under a deadline (``actions/vql.go``:
the request's Timeout, the artifact's ``resources.timeout``, 600 s by default,
``services/launcher/launcher.go``); at the deadline (or when a person cancels it) the context is
cancelled and the root scope closed; closing the scope, as at the normal end of the query, runs
the queries registered with ``atexit()`` with a fresh context (``vql/tools/atexit.go``).
An event query (CLIENT_EVENT) ends only when the client's event table drops it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..vql.eval import Engine, GoUrl
from .endpoint import WindowsEndpoint
from .network import CollectionCancelled


class CollectionEndpoint(Protocol):
    """What a collection needs of an endpoint, whatever its platform."""

    deadline: float | None

    def begin_collection(self, timeout: float | None) -> None: ...

    def end_collection(self, atexit_timeout: float = 60.0) -> None: ...


DEFAULT_TIMEOUT = 600.0
"""The client's default query timeout (``actions/vql.go``)."""


def collection_timeout(data: Mapping[str, Any]) -> float:
    """The artifact's ``resources.timeout``, or the client's default."""
    resources = data.get("resources")
    timeout = resources.get("timeout") if isinstance(resources, dict) else None
    if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0:
        return float(timeout)
    return DEFAULT_TIMEOUT


@dataclass
class CollectionRun:
    rows: list[Any]
    cancelled: str = ""


def run_collection(
    engine: Engine,
    endpoint: CollectionEndpoint,
    name: str,
    params: Mapping[str, Any],
    *,
    timeout: float,
    ends: bool = True,
) -> CollectionRun:
    """Run one collection of artifact `name`; the rows it sent before it ended or was cancelled.

    `ends` is False for an event query that goes on running: its atexit() queries stay pending.
    """
    # An event query has no deadline: it runs until the event table drops it.
    endpoint.begin_collection(timeout if ends else None)
    run = CollectionRun([])
    try:
        for row in engine.artifact_rows(name, dict(params)):
            run.rows.append(row)
    except CollectionCancelled as cancelled:
        run.cancelled = str(cancelled)
        engine.session.log(f"Query timed out or was cancelled: {cancelled}")
        ends = True
    if ends:
        endpoint.end_collection()
        try:
            engine.finish()
        except CollectionCancelled as cancelled:
            engine.session.log(f"An atexit() query did not finish within 60 s: {cancelled}")
    endpoint.deadline = None
    return run


def final_state(endpoint: WindowsEndpoint, policy: str, rows: list[Any]) -> dict[str, Any]:
    """What a responder would find on the host afterwards, and the outcome flags scenarios
    check (`Expectation`)."""
    state = endpoint.state
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
    ours_assigned = state.assigned is not None and (not policy or state.assigned in slots)
    reachable = endpoint.client_reaches_server()
    store_names = [*state.policies, *state.filterlists, *state.filteractions]
    return {
        "assigned_policy": state.assigned,
        "policy_assigned": ours_assigned,
        "policy_exists": any(slot in state.policies for slot in slots),
        "enforced": endpoint.enforced(),
        "isolated": endpoint.isolated(),
        "half_applied": state.assigned is not None and bool(endpoint.failed_changes),
        "failed_changes": [list(argv) for argv in endpoint.failed_changes],
        "server_reachable": reachable,
        "locked_out": state.assigned is not None and endpoint.enforced() and not reachable,
        "refused": any(_is_refusal(row) for row in rows),
        "changed": endpoint.changed,
        "leftovers": state.assigned is None
        and any(bool(policy) and name.startswith(policy) for name in store_names),
        "cancelled": endpoint.cancelled,
        "no_gap": not gaps(endpoint.timeline),
        "applied_once": _applied_once(endpoint.timeline),
        "one_message_box": endpoint.messages == 1,
        "message_boxes": endpoint.messages,
        "previous_restored": bool(endpoint.scenario.foreign_policy)
        and state.assigned == endpoint.scenario.foreign_policy,
        "state_recorded": state.assigned is not None
        and str(state.policies.get(state.assigned, {}).get("description", "")).startswith("vrq1."),
        "expiry_task": any(t.ran_at is None for t in endpoint.scheduler.tasks.values()),
        "task_ran": any(t.ran_at is not None for t in endpoint.scheduler.tasks.values()),
        "tasks": [t.as_dict() for t in endpoint.scheduler.tasks.values()],
        "permits_current": _permits_current(endpoint),
        "client_routes": {
            url: [proxy or "direct" for proxy in choices]
            for url, choices in endpoint.client_routes().items()
        },
        "permitted": permitted,
        "blocked": blocked,
        "store": state.as_dict(),
    }


def _applied_once(timeline: list[dict[str, Any]]) -> bool:
    assigns = [i for i, m in enumerate(timeline) if "assign=y" in m["what"]]
    if len(assigns) != 1:
        return False
    return not any(" add " in f" {m['what']} " for m in timeline[assigns[0] :])


def _permits_current(endpoint: WindowsEndpoint) -> bool:
    """The server names' current addresses are all permitted by the assigned policy."""
    if endpoint.state.assigned is None:
        return False
    for url in endpoint.server_urls():
        parsed = GoUrl.parse(url)
        host = str(parsed.member("Hostname")[1])
        port = int(str(parsed.member("Port")[1]) or 443)
        for address in endpoint.resolve(host):
            if endpoint.decide(address, port) != "permit":
                return False
    return True


def _is_refusal(row: Any) -> bool:
    return (
        isinstance(row, dict) and row.get("Step") == "pre-flight" and row.get("Status") == "failed"
    )


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
