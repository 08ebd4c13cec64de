"""`collect`: launch one artifact on clients through the API, wait (bounded), gather rows and logs.

The sequence, each step one of the fixed `queries`:
1. ``FETCH_ARTIFACT``: the server must know the artifact, as a client artifact, and every
   ``--param`` must be one of its parameters (Velociraptor ignores unknown ones silently).
2. Per client, ``CLIENT_INFO`` (the server must know the client) then ``LAUNCH``
   (``collect_client``): the flow id, or the server's refusal.
3. ``FLOW_STATE`` for every flow not yet FINISHED or ERROR, first after `poll_interval` seconds,
   then at doubling intervals up to `MAX_POLL_INTERVAL`, until all are done or `wait` seconds have
   passed (the flows go on on the server after that).
4. Per launched flow, ``FLOW_RESULTS`` for each source with results, and ``FLOW_LOGS``.
"""

from __future__ import annotations

import datetime
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import VrqError
from ..printable import json_text, printable
from .client import ApiClient
from .queries import CLIENT_INFO, FETCH_ARTIFACT, FLOW_LOGS, FLOW_RESULTS, FLOW_STATE, LAUNCH

# Velociraptor's client id rule (services/client_info: ^(C\.[a-z0-9]+|server)); the server
# itself is no target for a quarantine.
CLIENT_ID = re.compile(r"C\.[a-z0-9]+")
# ArtifactCollectorContext.State (flows/proto/artifact_collector.proto), for servers that send
# the number rather than the name.
STATES = {
    0: "UNSET",
    1: "RUNNING",
    2: "FINISHED",
    3: "ERROR",
    4: "IN_PROGRESS",
    5: "UNRESPONSIVE",
    6: "WAITING",
}
DONE = frozenset({"FINISHED", "ERROR"})
COLLECTABLE_TYPES = frozenset({"", "client"})
UNKNOWN_CLIENT, REFUSED_LAUNCH = "UNKNOWN CLIENT", "REFUSED"
MAX_POLL_INTERVAL = 2.0


@dataclass
class ClientCollection:
    client_id: str
    hostname: str = ""
    flow_id: str = ""
    state: str = ""
    status: str = ""
    sources: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.state == "FINISHED" and self.error is None


@dataclass
class CollectReport:
    artifact: str
    parameters: dict[str, str]
    server: str
    wait: float
    clients: list[ClientCollection] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.clients)

    def to_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["ok"] = self.ok
        return doc


def _check_client_ids(client_ids: Sequence[str]) -> None:
    if not client_ids:
        raise VrqError(
            "no CLIENT_ID given", hint="e.g. vr-quarantine collect C.1234abcd5678ef90 ..."
        )
    bad = [c for c in client_ids if not CLIENT_ID.fullmatch(c)]
    if bad:
        raise VrqError(
            f"not a Velociraptor client id: {', '.join(repr(c) for c in bad)}",
            hint="client ids look like C.1234abcd5678ef90 (the GUI shows them)",
        )
    if len(set(client_ids)) != len(client_ids):
        raise VrqError("a CLIENT_ID is given twice")


def _check_artifact(api: ApiClient, artifact: str, params: Mapping[str, str]) -> None:
    result = api.query("vr-quarantine collect: artifact", FETCH_ARTIFACT, {"Name": artifact})
    result.raise_if_denied("READ_RESULTS", "investigator")
    row = next((r for r in result.rows if r.get("name") == artifact), None)
    if row is None:
        raise VrqError(
            f"the server has no artifact named {artifact!r}",
            hint="names are case-sensitive; upload it first with `vr-quarantine push`",
        )
    kind = str(row.get("type") or "").lower()
    if kind not in COLLECTABLE_TYPES:
        raise VrqError(
            f"{artifact} is a {kind} artifact: collect launches client collections only",
            hint="event artifacts run from the client event table (label or GUI), not here",
        )
    declared = [
        str(p["name"]) for p in row.get("parameters") or [] if isinstance(p, dict) and "name" in p
    ]
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise VrqError(
            f"{artifact} has no parameter {', '.join(unknown)}",
            hint=f"its parameters: {', '.join(declared) or '(none)'}",
        )


def _state(row: Mapping[str, Any]) -> str:
    raw = row.get("state")
    if isinstance(raw, int):
        return STATES.get(raw, str(raw))
    return str(raw or "UNSET").upper()


def _log_entry(row: Mapping[str, Any]) -> dict[str, Any]:
    when = row.get("client_time", row.get("_ts"))
    if isinstance(when, int | float) and when > 0:
        when = datetime.datetime.fromtimestamp(when, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"time": when, "level": row.get("level", ""), "message": row.get("message", "")}


def collect(
    api: ApiClient,
    client_ids: Sequence[str],
    artifact: str,
    params: Mapping[str, str],
    *,
    wait: float,
    poll_interval: float = 0.2,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> CollectReport:
    """Launch `artifact` on `client_ids` and wait at most `wait` seconds for the flows to end."""
    _check_client_ids(client_ids)
    if wait < 0:
        raise VrqError("--wait must be 0 or more seconds")
    report = CollectReport(artifact, dict(params), api.target, wait)
    _check_artifact(api, artifact, params)
    parameters = json.dumps(dict(params), ensure_ascii=False)
    for client_id in client_ids:
        entry = ClientCollection(client_id)
        report.clients.append(entry)
        known = api.query("vr-quarantine collect: client", CLIENT_INFO, {"ClientId": client_id})
        known.raise_if_denied("READ_RESULTS", "investigator")
        if not known.rows:
            entry.state, entry.error = UNKNOWN_CLIENT, "the server knows no such client"
            continue
        entry.hostname = str(known.rows[0].get("hostname") or "")
        env = {"ClientId": client_id, "Artifact": artifact, "Parameters": parameters}
        launched = api.query("vr-quarantine collect: launch", LAUNCH, env)
        flow_id = launched.rows[0].get("FlowId") if launched.rows else None
        if not isinstance(flow_id, str) or not flow_id:
            entry.state = REFUSED_LAUNCH
            entry.error = "; ".join(launched.logs) or "the server launched nothing"
            if launched.denied() is not None:
                entry.error += " (the API user needs COLLECT_CLIENT: role investigator)"
            continue
        entry.flow_id, entry.state = flow_id, "RUNNING"
    _wait_for_flows(api, report, wait=wait, poll_interval=poll_interval, clock=clock, sleep=sleep)
    for entry in report.clients:
        if entry.flow_id:
            _gather(api, entry, waited=wait)
    return report


def _flow_env(entry: ClientCollection) -> dict[str, str]:
    return {"ClientId": entry.client_id, "FlowId": entry.flow_id}


def _wait_for_flows(
    api: ApiClient,
    report: CollectReport,
    *,
    wait: float,
    poll_interval: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> None:
    deadline = clock() + wait
    interval = poll_interval
    while True:
        pending = [c for c in report.clients if c.flow_id and c.state not in DONE]
        if not pending or wait == 0:
            break
        for entry in pending:
            result = api.query("vr-quarantine collect: state", FLOW_STATE, _flow_env(entry))
            result.raise_if_denied("READ_RESULTS", "investigator")
            if result.rows:
                row = result.rows[0]
                entry.state = _state(row)
                entry.status = str(row.get("status") or "")
                found = row.get("artifacts_with_results") or []
                entry.sources = [s for s in found if isinstance(s, str)]
        remaining = deadline - clock()
        if all(c.state in DONE for c in pending) or remaining <= 0:
            break
        sleep(min(interval, remaining))
        interval = min(interval * 2, MAX_POLL_INTERVAL)


def _gather(api: ApiClient, entry: ClientCollection, *, waited: float) -> None:
    if entry.state in DONE:
        for source in entry.sources:
            env = {**_flow_env(entry), "Source": source}
            result = api.query("vr-quarantine collect: results", FLOW_RESULTS, env)
            result.raise_if_denied("READ_RESULTS", "investigator")
            entry.rows.extend(result.rows)
    logs = api.query("vr-quarantine collect: logs", FLOW_LOGS, _flow_env(entry))
    logs.raise_if_denied("READ_RESULTS", "investigator")
    entry.logs = [_log_entry(row) for row in logs.rows]
    if entry.state == "ERROR":
        entry.error = entry.status or "the collection ended in ERROR"
    elif entry.state not in DONE:
        entry.error = (
            f"not finished after {waited:g} s (state {entry.state}); the collection goes on on "
            f"the server as flow {entry.flow_id}"
        )


def render_collect_text(report: CollectReport) -> str:
    """One line per client, row and log line. What the clients sent (host names, rows, logs:
    a compromised host writes them) is escaped (`printable`), so it cannot drive the terminal or
    forge a line of this report."""
    lines: list[str] = []
    for entry in report.clients:
        host = f" ({printable(entry.hostname)})" if entry.hostname else ""
        head = f"{printable(entry.client_id)}{host}: {printable(entry.state)}"
        if entry.flow_id:
            head += f", flow {printable(entry.flow_id)}, {len(entry.rows)} row(s)"
        lines.append(head)
        if entry.error:
            lines.append(f"  error: {printable(entry.error)}")
        for row in entry.rows:
            lines.append("  row: " + printable(json.dumps(row, ensure_ascii=False, default=str)))
        for log in entry.logs:
            level = f" {printable(str(log['level']))}" if log["level"] else ""
            when = printable(str(log["time"] or "-"))
            lines.append(f"  log: {when}{level}: {printable(str(log['message']))}".rstrip())
    finished = sum(1 for c in report.clients if c.ok)
    failed = len(report.clients) - finished
    noun = "client" if len(report.clients) == 1 else "clients"
    lines.append(
        f"collect: {report.artifact} on {len(report.clients)} {noun} via {report.server}: "
        f"{finished} finished, {failed} not"
    )
    return "\n".join(lines) + "\n"


def render_collect_json(report: CollectReport) -> str:
    return json_text(report.to_dict(), default=str)
