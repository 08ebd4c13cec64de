"""Rendering many profiles side by side: forked worker processes, results in the caller's order.

A profile renders in milliseconds and independently of the others, so a run of many profiles
spreads them over the machine's CPUs. The run itself (which artifact is kept, which name is a
duplicate, what is committed to disk, every message) stays in the calling process, which takes
the results strictly in input order: the outcome is the one a profile-after-profile run gives.
(`render_into` has each worker write the temporary files of what it rendered; which of them
are kept is still the caller's decision.)

Workers are forked (they inherit the loaded modules and every cache the first profile warmed:
compiled templates, parsed queries), only where ``fork`` is the platform's own way (Linux), and
before the caller starts any thread (`render_into` starts its disk syncs on the first artifact).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO, TypeVar

from ..errors import VrqError

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_MIN_PROFILES = 32
"""Fewer profiles render in the calling process alone: starting workers would cost more than
they save (a profile takes a few milliseconds; a worker's first one, tens)."""
_CHUNK = 8
"""Profiles handed to a worker at a time (fewer round trips; results still come in order)."""


def default_workers(count: int) -> int:
    """Processes for a run of `count` profiles: one per CPU this process may use, or 1 (no
    workers) for a short run, a single CPU, or a platform that does not fork."""
    if count < PARALLEL_MIN_PROFILES or not sys.platform.startswith("linux"):
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, count // (PARALLEL_MIN_PROFILES // 2)))


def _guarded(work: Callable[[T], R], item: T) -> tuple[bool, R | BaseException]:
    """``work(item)``, or the exception it raised (a chunk of items goes back whole, so one
    item's exception must not take its neighbours' results with it)."""
    try:
        return True, work(item)
    except Exception as error:
        return False, error


def _packed(results: list[tuple[bool, object]]) -> bytes:
    """A chunk's results as bytes for the pipe; an exception that does not pickle goes back as
    a RuntimeError that names it."""
    try:
        return pickle.dumps(results, pickle.HIGHEST_PROTOCOL)
    except Exception:
        return pickle.dumps(
            [
                (ok, value if ok else RuntimeError(f"{type(value).__name__}: {value}"))
                for ok, value in results
            ],
            pickle.HIGHEST_PROTOCOL,
        )


def _worker(work: Callable[[T], R], items: Sequence[T], chunks: list[range], out: int) -> None:
    """A forked worker's whole life: each of its chunks, results written to `out` in order.
    It never returns into the caller's code (``os._exit``), whatever happens."""
    code = 1
    try:
        # Ctrl-C reaches every process of the group: the caller reports it and ends the workers.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with os.fdopen(out, "wb") as pipe:
            for chunk in chunks:
                pipe.write(_packed([_guarded(work, items[i]) for i in chunk]))
                pipe.flush()
        code = 0
    finally:
        os._exit(code)


class WorkerLost(VrqError):
    """A worker process ended before it sent all its results."""


def _lost(pid: int, reaped: set[int]) -> WorkerLost:
    _, status = os.waitpid(pid, 0)
    reaped.add(pid)  # its number may be reused from now on: it must not be signalled again
    code = os.waitstatus_to_exitcode(status)
    how = f"exit status {code}"
    if code < 0:
        how = f"killed by signal {-code} ({signal.Signals(-code).name})"
    return WorkerLost(
        f"a render worker process ended unexpectedly ({how}); nothing was written",
        hint="out of memory? render the profiles in smaller batches, or look at the system log",
    )


@contextlib.contextmanager
def in_order(work: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[Iterator[R]]:
    """``work(item)`` for every item, yielded in the order of `items`: here, one after the
    other, when `workers` is 1; else the first here (it warms the caches the workers inherit)
    and the rest in `workers` forked processes, chunk k by worker k mod `workers` (each writes
    its results to its own pipe; they are read back in order). An exception
    in a worker is raised here, at its item, as it would be without workers; a worker that
    dies raises `WorkerLost` at its first missing result. When the block ends, every worker
    has ended (any still running is killed): none writes anything after it."""
    if workers <= 1 or len(items) < 2:
        yield (work(item) for item in items)
        return
    first = work(items[0])
    rest = items[1:]
    chunks = [range(i, min(i + _CHUNK, len(rest))) for i in range(0, len(rest), _CHUNK)]
    children: list[tuple[int, BinaryIO]] = []
    reaped: set[int] = set()
    count = min(workers, len(chunks))
    try:
        for index in range(count):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:
                try:
                    os.close(read_end)
                    for _, reader in children:
                        reader.close()
                    _worker(work, rest, chunks[index::count], write_end)
                finally:
                    os._exit(1)
            os.close(write_end)
            children.append((pid, os.fdopen(read_end, "rb")))

        def results() -> Iterator[R]:
            yield first
            for number in range(len(chunks)):
                pid, reader = children[number % count]
                try:
                    batch: list[tuple[bool, R | BaseException]] = pickle.load(reader)
                except (EOFError, pickle.UnpicklingError):  # nothing more, or cut short
                    raise _lost(pid, reaped) from None
                for ok, result in batch:
                    if not ok:
                        assert isinstance(result, BaseException)
                        raise result
                    yield result  # type: ignore[misc]

        yield results()
    finally:
        for pid, reader in children:
            reader.close()
            if pid not in reaped:
                os.kill(pid, signal.SIGKILL)  # a child not yet waited for: at worst a zombie
                os.waitpid(pid, 0)
