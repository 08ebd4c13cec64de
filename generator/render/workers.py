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
import functools
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

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


def _worker_start() -> None:
    # Ctrl-C reaches every process of the group: the caller reports it and ends the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _guarded(work: Callable[[T], R], item: T) -> tuple[bool, R | BaseException]:
    """``work(item)``, or the exception it raised (a chunk of items goes back whole, so one
    item's exception must not take its neighbours' results with it)."""
    try:
        return True, work(item)
    except Exception as error:
        return False, error


@contextlib.contextmanager
def in_order(work: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[Iterator[R]]:
    """``work(item)`` for every item, yielded in the order of `items`: here, one after the
    other, when `workers` is 1; else the first here (it warms the caches the workers inherit)
    and the rest in `workers` forked processes. An exception in a worker is raised here, at
    its item, as it would be without workers. The workers end when the block does."""
    if workers <= 1 or len(items) < 2:
        yield (work(item) for item in items)
        return
    import multiprocessing  # only a run with workers needs it (4 ms of every render's start)

    first = work(items[0])
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start)
    try:

        def results() -> Iterator[R]:
            yield first
            guarded = functools.partial(_guarded, work)
            for ok, result in pool.imap(guarded, items[1:], chunksize=_CHUNK):
                if not ok:
                    assert isinstance(result, BaseException)
                    raise result
                yield result  # type: ignore[misc]

        yield results()
    finally:
        pool.terminate()
        pool.join()
