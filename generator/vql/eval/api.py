"""One evaluation: an evaluator, a session and a root scope, ready to run VQL text."""

from __future__ import annotations

from functools import cache
from typing import Any

from .artifacts import ArtifactSet
from .engine import Evaluator, Registry
from .mocks import MockContext
from .runner import run_text
from .scope import Scope, Session, SideEffects
from .values import NULL


@cache
def make_evaluator() -> Evaluator:
    from .functions import all_functions
    from .plugins import all_plugins

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
    ) -> None:
        self.evaluator = make_evaluator()
        self.session = Session(
            side_effects=side_effects or SideEffects(),
            mocks=MockContext() if mocks else None,
            artifacts=artifacts or ArtifactSet(),
            clock=clock,
        )
        frames: list[Any] = [{"NULL": NULL}]
        if config is not None:
            frames.append({"config": config})
        if env:
            frames.append(dict(env))
        self.scope = Scope(self.session, frames)

    @property
    def artifacts(self) -> ArtifactSet:
        assert self.session.artifacts is not None
        return self.session.artifacts

    def query(self, text: str) -> list[dict[str, Any]]:
        """Run every statement of `text`; return the rows of its SELECT statements."""
        return list(run_text(text, self.scope, self.evaluator))

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
