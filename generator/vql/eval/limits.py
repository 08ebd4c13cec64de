"""Bounds on one evaluation: CPU and wall time, rows, the size of the values built, recursion
depth.

A real Velociraptor client bounds a query only by its timeout (600 s) and the machine's memory;
the simulator runs on a developer's laptop or in CI, and an artifact (ours, or one passed with
``--with``) must not be able to hang it or exhaust its memory. Each limit has a default that no
real quarantine artifact comes near (`LIMITS` says why for each), and ``--limit NAME=VALUE``
raises it, up to a maximum (`LimitInfo.maximum`), so that no value switches a protection off.
Reaching one stops the run with `LimitExceeded`, which names the limit, what reached
it and the VQL position; the run ends within a second of the limit, and never with Python's
``RecursionError`` or ``MemoryError``.

`Budget` is the running account of one evaluation (one ``simulate`` run, one golden fixture,
one ``Engine.query``); the evaluator and the functions that build large values consult it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from ...errors import VrqError
from .. import ast

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    """The bounds of one evaluation (see `LIMITS` for what each counts and why its default is
    safe)."""

    cpu_time: float = 2.0
    time: float = 30.0
    rows: int = 100_000
    value_size: int = 16 * MiB
    total_size: int = 64 * MiB
    depth: int = 1000
    nesting: int = 100


@dataclass(frozen=True)
class LimitInfo:
    unit: str
    counts: str
    why: str
    maximum: float
    """The most ``--limit`` may raise it to: a limit is raised, never switched off."""
    why_maximum: str


LIMITS: Mapping[str, LimitInfo] = {
    "cpu_time": LimitInfo(
        "seconds",
        "CPU time the evaluator spends (what the run costs, however busy the machine is; the "
        "simulated clock of sleep() and timeouts is separate)",
        "a quarantine artifact's whole simulation evaluates in under 0.2 s; the limit catches "
        "work that grows without bound, such as LET expressions that re-evaluate each other "
        "exponentially, and keeps every issue 11 example under 5 s",
        600.0,
        "a real collection times out after 600 s (Velociraptor's default timeout)",
    ),
    "time": LimitInfo(
        "seconds",
        "wall-clock time the evaluator runs",
        "a backstop for a machine so loaded or swapping that the CPU time says little: 150 "
        "times what a quarantine artifact takes",
        600.0,
        "a real collection times out after 600 s (Velociraptor's default timeout)",
    ),
    "rows": LimitInfo(
        "rows",
        "rows produced by every query and plugin of the run, nested queries included",
        "a quarantine artifact's run produces at most about 1,200 rows (most of them parsing "
        "command output); 100,000 rows of Python dicts stay under 50 MiB",
        10_000_000,
        "ten million rows of Python dicts take about 5 GiB of memory",
    ),
    "value_size": LimitInfo(
        "bytes",
        "the size of one value built: the characters of a string, or a list or dict with "
        "everything in it (a list that holds the same list twice counts it twice, as printing "
        "it would)",
        "the largest value a quarantine artifact builds is about 6 KB (command output, the "
        "client config); 16 MiB is also far below what printing or comparing a value can "
        "afford",
        256 * MiB,
        "a Python string of 256 MiB takes up to 1 GiB; printing or comparing it takes seconds",
    ),
    "total_size": LimitInfo(
        "bytes",
        "the sum of the sizes of every value that functions and operators return over the run",
        "a quarantine artifact's run builds under 1 MiB in all; 64 MiB keeps the process well "
        "under 500 MiB even when every value built is kept",
        1 * GiB,
        "every value built over a run, kept at once, stays within a few GiB of memory",
    ),
    "depth": LimitInfo(
        "levels",
        "nested calls of LET functions and expressions, stored queries and Artifact.X() "
        "running inside each other",
        "quarantine artifacts nest at most 13 levels (subqueries in foreach(), LETs calling "
        "LETs, an artifact calling another); vfilter itself refuses scopes nested 1000 deep",
        5_000,
        "the Python stack the evaluator reserves holds about 5,000 levels (_RECURSION_FLOOR)",
    ),
    "nesting": LimitInfo(
        "levels",
        "lists and dicts nested inside one value (parse_json() included)",
        "values in quarantine artifacts nest 3 levels (rows of lists of dicts); Python's JSON "
        "decoder and printer recurse once per level",
        10_000,
        "Go's JSON decoder, and so parse_json(), stops at 10,000 levels itself",
    ),
}

_SUFFIXES = {"": 1, "k": KiB, "kib": KiB, "m": MiB, "mib": MiB, "g": GiB, "gib": GiB}


def _describe(name: str, value: float) -> str:
    if name in ("value_size", "total_size"):
        for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
            if value >= size and value % size == 0:
                return f"{int(value // size)} {unit}"
        return f"{int(value)} bytes"
    if name in ("time", "cpu_time"):
        return f"{value:g} s"
    return f"{int(value):,} {LIMITS[name].unit}"


def parse_limits(items: Iterable[str], base: Limits | None = None) -> Limits:
    """``NAME=VALUE`` settings (``--limit``) over `base` (the defaults). Sizes take a KiB, MiB
    or GiB suffix; times are in seconds. A value above the limit's `LimitInfo.maximum` is
    refused: a raised limit still protects the machine."""
    limits = base or Limits()
    names = ", ".join(LIMITS)
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in LIMITS:
            raise VrqError(f"--limit {item!r}: not NAME=VALUE with a known NAME", hint=names)
        value = _parse_value(name, text.strip())
        if value is None or value <= 0:
            raise VrqError(
                f"--limit {item!r}: {text.strip()!r} is not a positive number of "
                f"{LIMITS[name].unit}",
                hint="sizes take KiB, MiB or GiB (value_size=64MiB); times are in seconds",
            )
        maximum = LIMITS[name].maximum
        if value > maximum:
            raise VrqError(
                f"--limit {item!r}: {_describe(name, value)} is above the maximum of "
                f"{name} ({_describe(name, maximum)})",
                hint=f"a limit can be raised, not switched off: {LIMITS[name].why_maximum}",
            )
        settings: dict[str, Any] = {name: value}
        limits = replace(limits, **settings)
    return limits


def _parse_value(name: str, text: str) -> float | int | None:
    if name in ("time", "cpu_time"):
        try:
            seconds = float(text.removesuffix("s"))
        except ValueError:
            return None
        return seconds if seconds < 1e9 else None
    lowered = text.lower().replace(" ", "")
    digits = lowered.rstrip("kmgib")
    factor = _SUFFIXES.get(lowered[len(digits) :])
    if factor is None or not digits.isdigit() or len(digits) > 18:
        return None
    return int(digits) * factor


def describe_limits(limits: Limits) -> list[str]:
    """One line per limit: its name, value and what it counts (for help and reports)."""
    return [
        f"{item.name}={_describe(item.name, getattr(limits, item.name))}: "
        f"{LIMITS[item.name].counts}"
        for item in fields(limits)
    ]


class LimitExceeded(VrqError):
    """The evaluation reached one of its `Limits`: the run stops (exit 2)."""

    def __init__(self, limit: str, value: float, detail: str, node: ast.Node | None = None):
        self.limit = limit
        self.value = value
        self.detail = detail
        self.node = node
        self.artifact = ""
        super().__init__(self._message(), hint=self._hint())

    def locate(self, node: ast.Node | None, artifact: str = "") -> None:
        """Name the VQL position (the innermost one known wins)."""
        if self.node is None and node is not None and node.line:
            self.node = node
        if not self.artifact and artifact:
            self.artifact = artifact
        self.message = self._message()
        self.args = (self.message,)

    def _message(self) -> str:
        where = ""
        if self.node is not None and self.node.line:
            where = f" at query line {self.node.line}, column {self.node.column}"
        if self.artifact:
            where += f" of {self.artifact}" if where else f" in {self.artifact}"
        shown = _describe(self.limit, self.value)
        return f"{self.detail}{where} (limit {self.limit}: {shown})"

    def _hint(self) -> str:
        return (
            f"the default is far above what a real quarantine artifact needs; if this one "
            f"really needs more: --limit {self.limit}=N"
        )


_RECURSION_FLOOR = 20_000
"""Python frames the evaluator may use: a level of `Limits.depth` takes 2 to 4 frames, so the
default depth needs about 4,000, and a depth raised past about 5,000 ends with the backstop in
``Engine.running`` (a limit, not a RecursionError). Python 3.11 runs Python-to-Python calls
without growing the C stack, and a run nested 5,000 levels deep was measured safe."""


def ensure_recursion_room() -> None:
    if sys.getrecursionlimit() < _RECURSION_FLOOR:
        sys.setrecursionlimit(_RECURSION_FLOOR)


# Once, when the evaluator is imported: raised in the middle of a run instead, it would surprise
# callers that restore the limit they saw (hypothesis warns when a test changes it).
ensure_recursion_room()


class Budget:
    """What one evaluation has used of its `Limits`. `start()` begins the clock (nested starts
    keep the outer one); the evaluator calls `tick` often, `row` per row, `enter`/`leave` around
    nested calls, and `built` for each value a function or operator returns."""

    __slots__ = (
        "_running",
        "_ticks",
        "artifact",
        "cpu_deadline",
        "cpu_started",
        "cpu_used",
        "deadline",
        "deepest_value",
        "depth",
        "elapsed",
        "largest",
        "limits",
        "peak_depth",
        "rows",
        "started",
        "total",
    )

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._running = 0
        self._ticks = 0
        self.artifact = ""
        """The artifact being run (for the position in a message)."""
        self.elapsed = self.cpu_used = 0.0
        self._reset(0.0, 0.0)

    def _reset(self, now: float, cpu: float) -> None:
        self.started = now
        self.deadline = now + self.limits.time
        self.cpu_started = cpu
        self.cpu_deadline = cpu + self.limits.cpu_time
        self.rows = self.total = self.depth = 0
        self.peak_depth = self.largest = self.deepest_value = 0

    def start(self) -> None:
        if self._running == 0:
            ensure_recursion_room()
            self._reset(time.monotonic(), time.process_time())
        self._running += 1

    def stop(self) -> None:
        self._running = max(0, self._running - 1)
        if self._running == 0:
            self.elapsed = time.monotonic() - self.started
            self.cpu_used = time.process_time() - self.cpu_started

    def running(self) -> _Running:
        return _Running(self)

    def usage(self) -> dict[str, float]:
        """What the last (or current) run used, by limit name."""
        running = self._running and self.started
        return {
            "cpu_time": time.process_time() - self.cpu_started if running else self.cpu_used,
            "time": time.monotonic() - self.started if running else self.elapsed,
            "rows": self.rows,
            "value_size": self.largest,
            "total_size": self.total,
            "depth": self.peak_depth,
            "nesting": self.deepest_value,
        }

    def exceeded(self, limit: str, detail: str, node: ast.Node | None = None) -> LimitExceeded:
        error = LimitExceeded(limit, getattr(self.limits, limit), detail, node)
        error.locate(None, self.artifact)
        return error

    # ------------------------------------------------------------ time, rows, depth

    def tick(self, node: ast.Node | None = None) -> None:
        """Called often: every 16th call reads the clocks (a few microseconds apart)."""
        self._ticks += 1
        if self._ticks & 15 or not self._running:
            return
        if time.process_time() > self.cpu_deadline:
            raise self.exceeded(
                "cpu_time",
                f"the evaluation used more than {self.limits.cpu_time:g} s of CPU time",
                node,
            )
        if time.monotonic() > self.deadline:
            raise self.exceeded(
                "time", f"the evaluation ran longer than {self.limits.time:g} s", node
            )

    def row(self, node: ast.Node | None = None) -> None:
        self.rows += 1
        if self.rows > self.limits.rows:
            raise self.exceeded(
                "rows", f"the queries produced more than {self.limits.rows:,} rows", node
            )
        self.tick(node)

    def enter(self, node: ast.Node | None, what: str) -> None:
        self.depth += 1
        if self.depth > self.peak_depth:
            self.peak_depth = self.depth
        if self.depth > self.limits.depth:
            self.depth -= 1
            raise self.exceeded(
                "depth", f"{what} nested more than {self.limits.depth} levels deep", node
            )
        self.tick(node)

    def leave(self) -> None:
        self.depth -= 1

    def nested(self, rows: Iterator[Any], node: ast.Node | None, what: str) -> Iterator[Any]:
        """`rows` counted as one level of depth while they are being produced."""
        self.enter(node, what)
        try:
            yield from rows
        finally:
            self.leave()

    # ------------------------------------------------------------ sizes

    def check_length(
        self,
        length: int,
        node: ast.Node | None = None,
        what: str = "a string",
        unit: str = "characters",
        weight: int = 1,
    ) -> None:
        """Before building `what` of `length` `unit` (each costing `weight` bytes)."""
        if length * weight > self.limits.value_size:
            raise self.exceeded("value_size", f"{what} of {length:,} {unit} would be built", node)

    def built(self, value: Any, node: ast.Node | None = None) -> Any:
        """Account for `value`, just returned by a function or operator; return it."""
        if isinstance(value, str):
            size = len(value) + 16
            if len(value) > self.limits.value_size:
                raise self.exceeded(
                    "value_size", f"a string of {len(value):,} characters was built", node
                )
        elif isinstance(value, list | dict):
            size = self.measure(value, node)
        else:
            return value
        if size > self.largest:
            self.largest = size
        self.total += size
        if self.total > self.limits.total_size:
            raise self.exceeded(
                "total_size",
                f"the values built so far add up to more than "
                f"{_describe('total_size', self.limits.total_size)}",
                node,
            )
        return value

    def measure(self, value: Any, node: ast.Node | None = None) -> int:
        """The size of a list or dict with everything in it, walked without recursion; stops
        (raising) as soon as it passes `value_size` or `nesting`."""
        limit = self.limits.value_size
        size = 0
        stack: list[tuple[Any, int]] = [(value, 1)]
        while stack:
            item, level = stack.pop()
            if isinstance(item, str):
                size += len(item) + 16
            elif isinstance(item, list | tuple):
                size += 8 * len(item) + 56
                self._level(level, node)
                if size <= limit:
                    stack.extend((child, level + 1) for child in item)
            elif isinstance(item, dict):
                size += 64 * len(item) + 64
                self._level(level, node)
                if size <= limit:
                    for key, child in item.items():
                        size += len(key) if isinstance(key, str) else 8
                        stack.append((child, level + 1))
            else:
                size += 24
            if size > limit:
                kind = "list" if isinstance(value, list) else "dict"
                raise self.exceeded(
                    "value_size",
                    f"a {kind} of more than {_describe('value_size', limit)} was built",
                    node,
                )
        return size

    def _level(self, level: int, node: ast.Node | None) -> None:
        if level > self.deepest_value:
            self.deepest_value = level
            if level > self.limits.nesting:
                raise self.exceeded(
                    "nesting", f"a value nested more than {self.limits.nesting} levels deep", node
                )


class _Running:
    __slots__ = ("budget",)

    def __init__(self, budget: Budget) -> None:
        self.budget = budget

    def __enter__(self) -> Budget:
        self.budget.start()
        return self.budget

    def __exit__(self, *exc: object) -> None:
        self.budget.stop()
