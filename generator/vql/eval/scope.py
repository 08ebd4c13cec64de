"""Scopes: a stack of variable frames over a session that holds everything scopes share.

As in vfilter, a copy of a scope shares its frames (and the session: functions, plugins, mocks,
the log) and appending a frame to the copy does not change the original. Lookup walks the frames
newest first; a frame is a dict or anything with members (a plugin row, a lazy row, the scope).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..gostring import well_formed
from .limits import Budget
from .values import NULL, Members, associative, member_names

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
class ExitQuery:
    """A query registered with ``atexit()`` (``vql/tools/atexit.go``): run when the query's root
    scope closes, in a context of its own that ends `timeout` seconds after it starts."""

    run: Callable[[], None]
    timeout: float = 60.0


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
    at_exit: list[ExitQuery] = field(default_factory=list)
    """The ``atexit()`` registrations, oldest first (the root scope's destructors)."""
    failed_patterns: set[str] = field(default_factory=set)
    """Regexes that did not compile: logged the first time only, as vfilter does."""
    cancelling: int = 0
    """Above 0 while a LIMIT reads the one row vfilter evaluates ahead: plugins that would start
    new work for it (the next ``foreach`` row's query, ``chain``'s next query) stop instead."""
    log_sink: Callable[[str], None] | None = None
    clock_ticks: int = 1
    budget: Budget = field(default_factory=Budget)
    """What the evaluation has used of its limits (`limits.Limits`)."""

    def log(self, message: str) -> None:
        # A log line reaches the server as JSON: Go's encoder makes invalid bytes U+FFFD.
        message = well_formed(message)
        self.logs.append(LogLine(message, self.clock))
        if self.log_sink is not None:
            self.log_sink(message)

    def log_lines(self) -> list[str]:
        return [line.message for line in self.logs]


class Aggregates:
    """The state of aggregate functions (count, sum, min, max, enumerate), per call site: vfilter
    keeps it in the scope's context, shared by a query's rows, one per GROUP BY bin. Scopes
    copied from each other share it; `table` is switched to a bin's when a row joins it."""

    __slots__ = ("table",)

    def __init__(self) -> None:
        self.table: dict[int, Any] = {}


class Scope(Members):
    __slots__ = ("aggregates", "frames", "session")

    def __init__(
        self,
        session: Session,
        frames: list[Any] | None = None,
        aggregates: Aggregates | None = None,
    ) -> None:
        self.session = session
        self.frames: list[Any] = frames if frames is not None else [{"NULL": NULL}]
        self.aggregates = aggregates if aggregates is not None else Aggregates()

    def copy(self) -> Scope:
        return Scope(self.session, list(self.frames), self.aggregates)

    def with_vars(self, *frames: Any) -> Scope:
        child = Scope(self.session, [*self.frames, *frames], self.aggregates)
        return child

    def append_vars(self, frame: Any) -> None:
        self.frames.append(frame)

    def resolve(self, name: str) -> tuple[bool, Any]:
        """vfilter's ``Scope.Resolve``: the newest frame that has `name`; when none has it but
        a frame gives a default (a lazy row), NULL, found."""
        default = False
        for frame in reversed(self.frames):
            if isinstance(frame, dict):
                if name in frame:
                    return True, frame[name]
            elif isinstance(frame, Members):
                if isinstance(frame, Scope):
                    # A scope as a row (``FROM scope()``) is searched whole: nested ones make
                    # a failed lookup exponential in the nesting, so the clock is checked.
                    self.session.budget.tick()
                found, value = frame.get_member(name)
                if found:
                    return True, value
                default = default or frame.provides_default
            else:
                # A row that is a plain value (FROM a variable holding numbers, NULL...):
                # vfilter's generic associative answers NULL for any name, as a default.
                found, value = associative(frame, name)
                if found:
                    return True, value
                default = True
        return default, NULL

    def log(self, message: str) -> None:
        self.session.log(message)

    def print_vars(self) -> str:
        """vfilter's listing of the scope in a "not found" log line: the names in each frame."""
        listing = ", ".join("[" + ", ".join(member_names(frame)) + "]" for frame in self.frames)
        return "Current Scope is " + listing

    # Members: ``get(field=...)`` and ``x.y`` on the scope see every variable, but the scope
    # lists no members, so ``SELECT * FROM scope()`` copies nothing (vfilter).
    def member_names(self) -> list[str]:
        return []

    def get_member(self, name: str) -> tuple[bool, Any]:
        return self.resolve(name)
