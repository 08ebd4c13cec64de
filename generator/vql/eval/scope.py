"""Scopes: a stack of variable frames over a session that holds everything scopes share.

As in vfilter, a copy of a scope shares its frames (and the session: functions, plugins, mocks,
the log) and appending a frame to the copy does not change the original. Lookup walks the frames
newest first; a frame is a dict or anything with members (a plugin row, a lazy row, the scope).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .values import NULL, Members, member_names

if TYPE_CHECKING:
    from .artifacts import ArtifactSet
    from .mocks import MockContext


class SideEffects:
    """The endpoint: answers plugins and functions that would touch the machine.

    `plugin` and `function` return None when the endpoint does not answer that call; the
    evaluator then fails with a message naming the call, and never runs anything for real.
    """

    def plugin(self, name: str, args: dict[str, Any]) -> list[Any] | None:
        return None

    def function(self, name: str, args: dict[str, Any]) -> tuple[bool, Any]:
        return False, NULL


@dataclass
class LogLine:
    message: str
    time: float


@dataclass
class Session:
    """State shared by every scope of one evaluation."""

    side_effects: SideEffects = field(default_factory=SideEffects)
    mocks: MockContext | None = None
    artifacts: ArtifactSet | None = None
    clock: float = 1_700_000_000.0
    logs: list[LogLine] = field(default_factory=list)
    logs_read: int = 0
    dedup: dict[str, float] = field(default_factory=dict)
    at_exit: list[Callable[[], None]] = field(default_factory=list)
    log_sink: Callable[[str], None] | None = None
    clock_ticks: int = 1

    def log(self, message: str) -> None:
        self.logs.append(LogLine(message, self.clock))
        if self.log_sink is not None:
            self.log_sink(message)

    def log_lines(self) -> list[str]:
        return [line.message for line in self.logs]


class Scope(Members):
    __slots__ = ("aggregates", "frames", "session")

    def __init__(
        self,
        session: Session,
        frames: list[Any] | None = None,
        aggregates: dict[int, Any] | None = None,
    ) -> None:
        self.session = session
        self.frames: list[Any] = frames if frames is not None else [{"NULL": NULL}]
        self.aggregates: dict[int, Any] = aggregates if aggregates is not None else {}

    def copy(self) -> Scope:
        return Scope(self.session, list(self.frames), self.aggregates)

    def with_vars(self, *frames: Any) -> Scope:
        child = Scope(self.session, [*self.frames, *frames], self.aggregates)
        return child

    def append_vars(self, frame: Any) -> None:
        self.frames.append(frame)

    def resolve(self, name: str) -> tuple[bool, Any]:
        for frame in reversed(self.frames):
            if isinstance(frame, dict):
                if name in frame:
                    return True, frame[name]
            elif isinstance(frame, Members):
                found, value = frame.get_member(name)
                if found:
                    return True, value
        return False, NULL

    def log(self, message: str) -> None:
        self.session.log(message)

    def print_vars(self) -> str:
        """vfilter's ``PrintVars``: the names in each frame."""
        return ", ".join("[" + ", ".join(member_names(frame)) + "]" for frame in self.frames)

    # Members: ``SELECT * FROM scope()`` and ``get(field=...)`` see every variable.
    def member_names(self) -> list[str]:
        seen: dict[str, None] = {}
        for frame in self.frames:
            for name in member_names(frame):
                seen.setdefault(name, None)
        return list(seen)

    def get_member(self, name: str) -> tuple[bool, Any]:
        return self.resolve(name)
