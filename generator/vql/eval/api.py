"""One evaluation: an evaluator, a session and a root scope, ready to run VQL text."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, Literal

from .. import ast
from .artifacts import ArtifactSet
from .engine import Evaluator, Registry
from .limits import Budget, Limits
from .mocks import MockContext
from .runner import run_text
from .scope import ExitQuery, Scope, Session, SideEffects
from .values import NULL

Dialect = Literal["velociraptor", "vfilter"]
"""``velociraptor``: what a Velociraptor client runs (vfilter with Velociraptor's functions,
plugins and protocols). ``vfilter``: vfilter's core alone, with only its own built-in functions
and plugins, as the ``eval`` oracle runs it; the differential tests use it."""


@cache
def make_evaluator(dialect: Dialect = "velociraptor") -> Evaluator:
    from .functions import all_functions, vfilter_functions
    from .plugins import all_plugins, vfilter_plugins

    if dialect == "vfilter":
        return Evaluator(Registry(vfilter_functions(), vfilter_plugins()), velociraptor=False)
    return Evaluator(Registry(all_functions(), all_plugins()))


class Engine:
    """Run VQL with a client config (the ``config`` variable), mocks and an endpoint model."""

    def __init__(
        self,
        *,
        config: dict[str, Any] | None = None,
        env: dict[str, Any] | None = None,
        side_effects: SideEffects | None = None,
        artifacts: ArtifactSet | None = None,
        mocks: bool = True,
        clock: float = 1_700_000_000.0,
        dialect: Dialect = "velociraptor",
        limits: Limits | None = None,
    ) -> None:
        self.evaluator = make_evaluator(dialect)
        self.session = Session(
            side_effects=side_effects or SideEffects(),
            mocks=MockContext() if mocks else None,
            artifacts=artifacts or ArtifactSet(),
            clock=clock,
            budget=Budget(limits),
        )
        frames: list[Any] = [{"NULL": NULL}]
        if config is not None:
            frames.append({"config": config})
        if env or dialect == "vfilter":
            # vfilter's NewScope() then AppendVars(env): the frame is there even when empty.
            frames.append(dict(env or {}))
        self.scope = Scope(self.session, frames)

    @property
    def artifacts(self) -> ArtifactSet:
        assert self.session.artifacts is not None
        return self.session.artifacts

    @contextmanager
    def running(self) -> Iterator[Budget]:
        """One evaluation under the session's limits: the clock and the counts start at the
        outermost `running()` (each method below opens one; a caller that runs several, as a
        simulation does, opens one around them all). Should Python's stack or memory run out
        all the same, the run stops with the limit that should have caught it."""
        budget = self.session.budget
        with budget.running():
            try:
                yield budget
            except RecursionError:
                raise budget.exceeded(
                    "depth", "the evaluation nested deeper than Python's stack allows"
                ) from None
            except MemoryError:
                raise budget.exceeded(
                    "total_size", "the values built did not fit in this machine's memory"
                ) from None

    def query(self, text: str) -> list[dict[str, Any]]:
        """Run every statement of `text`; return the rows of its SELECT statements."""
        with self.running():
            return list(run_text(text, self.scope, self.evaluator))

    def run_statement(self, statement: ast.Statement) -> Iterator[dict[str, Any]]:
        """Run one parsed statement in the root scope; the rows of a SELECT, none for a LET."""
        with self.running():
            yield from run_text("", self.scope, self.evaluator, statements=(statement,))

    def run_artifact(self, name: str, params: dict[str, Any] | None = None) -> list[Any]:
        return list(self.artifact_rows(name, params))

    def artifact_rows(self, name: str, params: dict[str, Any] | None = None) -> Iterator[Any]:
        """The rows of artifact `name` (``Artifact.<name>(params)``), one at a time."""
        with self.running():
            yield from self.artifacts.run(name, dict(params or {}), self.scope, self.evaluator)

    def exit_queries(self) -> list[ExitQuery]:
        """Take the queries registered with ``atexit()`` in the order the root scope's
        ``Close`` runs its destructors: newest first (vfilter ``scope/scope.go``: "Destructors
        are called in reverse order to their declerations"). A query registered while they run
        is dropped, as ``AddDestructor`` refuses a closed scope."""
        pending, self.session.at_exit = self.session.at_exit, []
        return pending[::-1]

    def run_exit_query(self, query: ExitQuery) -> None:
        """Run one query taken by `exit_queries`; what it registers in turn never runs."""
        try:
            with self.running():
                query.run()
        finally:
            self.session.at_exit.clear()

    def finish(self) -> None:
        """Close the root scope: run the queries registered with ``atexit()``, newest first,
        with no clock (a simulated endpoint bounds each by its timeout: ``simulate.collection``)."""
        for query in self.exit_queries():
            self.run_exit_query(query)

    @property
    def logs(self) -> list[str]:
        return self.session.log_lines()
