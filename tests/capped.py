"""Run the command line as a separate process under a memory cap and a wall-clock timeout.

`run_capped(args)` starts ``python -m vr_quarantine ARGS`` with its address space limited to
`MEMORY_CAP` (``RLIMIT_AS``, so a runaway allocation fails instead of swapping the machine) and
kills it after `timeout` seconds. It returns the exit code, what it printed, the wall time and the
peak resident memory of that one process (from ``wait4``, not of every child of the test run).
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MEMORY_CAP = 1 << 30
"""1 GiB of address space: twice the 500 MiB that issue 11 allows a hostile input."""
TIMEOUT = 20.0
"""Seconds before the process is killed: four times the 5 s a hostile input may take, so that a
machine shared by several test runs does not fail a bound the command meets."""


@dataclass(frozen=True)
class Capped:
    args: tuple[str, ...]
    exit_code: int | None
    """None when the process was killed (timeout or signal)."""
    stdout: str
    stderr: str
    seconds: float
    peak_mib: float
    timed_out: bool

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def problems(self) -> list[str]:
        """What breaks issue 11's rules: an exit other than 0, 1 or 2, a traceback, an internal
        error, a timeout, or more than 500 MiB."""
        found: list[str] = []
        if self.timed_out:
            found.append(f"killed after {self.seconds:.1f} s")
        elif self.exit_code not in (0, 1, 2):
            found.append(f"exit code {self.exit_code}")
        if "Traceback (most recent call last)" in self.output:
            found.append("a traceback")
        if "internal error" in self.output:
            found.append("an internal error: " + _line_with(self.output, "internal error"))
        if self.peak_mib > 500:
            found.append(f"peak memory {self.peak_mib:.0f} MiB")
        return found


def _line_with(text: str, needle: str) -> str:
    return next((line for line in text.splitlines() if needle in line), "")


def _limit_memory() -> None:  # runs in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_capped(
    args: Sequence[str | Path],
    *,
    stdin: bytes = b"",
    cwd: Path | None = None,
    timeout: float = TIMEOUT,
    env: dict[str, str] | None = None,
) -> Capped:
    """Run ``python -m vr_quarantine ARGS``; we reap the child ourselves (``wait4``) so that its
    own peak memory is known."""
    argv = [sys.executable, "-m", "vr_quarantine", *map(str, args)]
    started = time.monotonic()
    process = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        preexec_fn=_limit_memory,  # setrlimit must run in the child, before exec
    )
    assert process.stdin and process.stdout and process.stderr
    chunks: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda n=n, f=f: chunks.__setitem__(n, f.read()))
        for n, f in (("out", process.stdout), ("err", process.stderr))
    ]
    for reader in readers:
        reader.start()
    try:
        process.stdin.write(stdin)
        process.stdin.close()
    except BrokenPipeError:
        pass  # the command did not read its standard input
    timed_out = False
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline and not timed_out:
            timed_out = True
            os.kill(process.pid, signal.SIGKILL)  # still our unreaped child: no pid reuse
        time.sleep(0.01)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    return Capped(
        tuple(map(str, args)),
        None if timed_out or process.returncode < 0 else process.returncode,
        chunks.get("out", b"").decode("utf-8", "backslashreplace"),
        chunks.get("err", b"").decode("utf-8", "backslashreplace"),
        seconds,
        usage.ru_maxrss / 1024,  # KiB on Linux
        timed_out,
    )
