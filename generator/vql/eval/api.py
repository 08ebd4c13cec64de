"""One evaluation: an evaluator, a session and a root scope, ready to run VQL text."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any, Literal

from .. import ast
from .artifacts import ArtifactSet
from .engine import Evaluator, Registry
from .mocks import MockContext
from .runner import run_text
from .scope import Scope, Session, SideEffects
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
    ) -> None:
        self.evaluator = make_evaluator(dialect)
        self.session = Session(
            side_effects=side_effects or SideEffects(),
            mocks=MockContext() if mocks else None,
            artifacts=artifacts or ArtifactSet(),
            clock=clock,
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

    def query(self, text: str) -> list[dict[str, Any]]:
        """Run every statement of `text`; return the rows of its SELECT statements."""
        return list(run_text(text, self.scope, self.evaluator))

    def run_statement(self, statement: ast.Statement) -> Iterator[dict[str, Any]]:
        """Run one parsed statement in the root scope; the rows of a SELECT, none for a LET."""
        return run_text("", self.scope, self.evaluator, statements=(statement,))

    def run_artifact(self, name: str, params: dict[str, Any] | None = None) -> list[Any]:
        return list(self.artifacts.run(name, dict(params or {}), self.scope, self.evaluator))

    def finish(self) -> None:
        """Run the queries registered with ``atexit()``."""
        pending, self.session.at_exit = self.session.at_exit, []
        for action in pending:
            action()

    @property
    def logs(self) -> list[str]:
        return self.session.log_lines()
