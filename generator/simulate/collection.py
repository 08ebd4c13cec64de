"""One collection on the simulated endpoint, as Velociraptor's client runs it, and its outcome.

Platform-neutral: the start, the deadline, the cancellation and the atexit() queries that run
when the query ends. The client runs a collection's query under a deadline (``actions/vql.go``:
the request's Timeout, the artifact's ``resources.timeout``, 600 s by default,
``services/launcher/launcher.go``); at the deadline (or when a person cancels it) the context is
cancelled and the root scope closed; closing the scope, as at the normal end of the query, runs
the queries registered with ``atexit()`` (`close_root_scope`).
An event query (CLIENT_EVENT) ends only when the client's event table drops it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..vql.eval import Engine
from .host import Endpoint
from .network import CollectionCancelled

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
    endpoint: Endpoint,
    name: str,
    params: Mapping[str, Any],
    *,
    timeout: float,
    event_query: bool = False,
    ends: bool = True,
) -> CollectionRun:
    """Run one collection of artifact `name`; the rows it sent before it ended or was cancelled.

    An `event_query` (CLIENT_EVENT) has no deadline, whether or not it `ends`: it runs until
    the client's event table drops it (``actions/events.go``), after all the rows its clock gave.
    `ends` is False for an event query that goes on running: its atexit() queries stay pending.
    """
    endpoint.begin_collection(None if event_query else timeout)
    run = CollectionRun([])
    try:
        for row in engine.artifact_rows(name, dict(params)):
            run.rows.append(row)
    except CollectionCancelled as cancelled:
        run.cancelled = str(cancelled)
        engine.session.log(f"Query timed out or was cancelled: {cancelled}")
        ends = True
    if ends:
        close_root_scope(engine, endpoint)
    return run


def close_root_scope(engine: Engine, endpoint: Endpoint) -> None:
    """The query's root scope closes: its destructors, the queries registered with
    ``atexit()``, run newest first (vfilter ``scope/scope.go`` ``Close`` walks them in
    reverse), one after the other. Each runs in a fresh context that ends its own ``timeout``
    seconds after it starts (``vql/tools/atexit.go``: ``context.WithTimeout`` on
    ``context.Background()``), so one that runs out is cut off alone and the next still runs.

    Not modelled: ``Close`` waits at most 60 s for each destructor before starting the next, so
    a query with a timeout above 60 s that is still running then goes on beside the next one;
    here they run one after the other.
    """
    for query in engine.exit_queries():
        endpoint.exit_query_starts(query.timeout)
        try:
            engine.run_exit_query(query)
        except CollectionCancelled as cancelled:
            engine.session.log(
                f"An atexit() query did not finish within its {query.timeout:g} s: {cancelled}"
            )
    endpoint.deadline = None
