"""The whole life of a quarantine on one simulated endpoint: collections, the monitor's event
query, time passing, and what happens on the host in between (platform-neutral framework).

A life is a list of steps run in order on the same endpoint, clock, IPsec store and scheduled
tasks; each collection gets a fresh root scope, as each Velociraptor collection does
(``actions/vql.go``), and each ends with its ``atexit()`` queries. Steps:

- ``run``: collect the quarantine artifact (``params`` are added to the scenario's);
- ``remove``: collect it with ``RemovePolicy=Y``;
- ``status``: collect the status companion;
- ``monitor``: run the monitor companion's event query for ``ticks`` clock periods; with
  ``ends: true`` the event query then ends (the label is removed) and its atexit() runs. An
  event query has no collection deadline (``actions/events.go``): it ends after its ticks;
- ``advance``: let ``seconds`` pass.

Events (``Scenario.events``) change the host or the network at a time measured from the start
of the life (after the set-up of a ``preexisting`` quarantine); each changes only what it names.
Events and scheduled jobs happen in time order, each at its own time (`Endpoint.catch_up`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import VrqError
from ..vql.eval import ArtifactSet, Engine
from .collection import run_collection
from .host import Endpoint


@dataclass(frozen=True)
class Roles:
    """Which artifact of the simulated set plays which part."""

    quarantine: str
    monitor: str | None = None
    status: str | None = None

    @classmethod
    def of(cls, main: str, artifacts: ArtifactSet) -> Roles:
        monitor = status = None
        for name, artifact in artifacts.artifacts.items():
            if name == main:
                continue
            if artifact.type == "client_event":
                monitor = monitor or name
            elif artifact.type == "client" and not any(
                p.name == "RemovePolicy" for p in artifact.parameters
            ):
                status = status or name
        return cls(main, monitor, status)


@dataclass
class StepResult:
    kind: str
    artifact: str
    rows: list[Any] = field(default_factory=list)
    cancelled: str = ""
    started: float = 0.0
    logs: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "step": self.kind,
            "artifact": self.artifact,
            "started": self.started,
            "rows": len(self.rows),
            "cancelled": self.cancelled,
        }


def run_life(
    new_engine: Callable[[], Engine],
    endpoint: Endpoint,
    roles: Roles,
    steps: tuple[Mapping[str, Any], ...],
    params: Mapping[str, str],
    *,
    timeout: float,
) -> list[StepResult]:
    """Run the steps; the endpoint keeps the host's state from one to the next."""
    results: list[StepResult] = []
    for step in steps:
        kind = str(step.get("step"))
        if kind == "advance":
            endpoint.advance(float(step.get("seconds", 0)))
            results.append(StepResult(kind, "", started=endpoint.clock.now()))
            continue
        name = _artifact_for(kind, roles)
        engine = new_engine()
        engine.session.clock_ticks = int(step.get("ticks", 1))
        endpoint.clock.attach(engine.session)
        merged = {**params, **{str(k): str(v) for k, v in (step.get("params") or {}).items()}}
        if kind == "remove":
            merged["RemovePolicy"] = "Y"
        declared = {p.name for p in engine.artifacts.artifacts[name].parameters}
        merged = {k: v for k, v in merged.items() if k in declared}
        started = endpoint.clock.now()
        event_query = kind == "monitor"
        collection = run_collection(
            engine,
            endpoint,
            name,
            merged,
            timeout=timeout,
            event_query=event_query,
            ends=not event_query or bool(step.get("ends")),
        )
        # The host lived through the step's time: what fell due happens, at its own time.
        endpoint.catch_up()
        results.append(
            StepResult(kind, name, collection.rows, collection.cancelled, started, engine.logs)
        )
        endpoint.collections.append(results[-1])
    return results


def _artifact_for(kind: str, roles: Roles) -> str:
    if kind in ("run", "remove"):
        return roles.quarantine
    name = roles.monitor if kind == "monitor" else roles.status
    if name is None:
        raise VrqError(
            f"this scenario needs the {kind} artifact",
            hint="simulate a profile (its companions are rendered with it), or pass the "
            f"{kind} artifact with --with",
        )
    return name
