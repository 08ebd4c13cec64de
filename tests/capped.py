"""Run the command line as a separate process under a memory cap and a wall-clock timeout.

`run_capped(args)` starts ``python -m vr_quarantine ARGS`` with its address space limited to
`MEMORY_CAP` (``RLIMIT_AS``, so a runaway allocation fails instead of swapping the machine) and
kills it after `timeout` seconds. It returns the exit code, what it printed, the wall time and the
peak resident memory of that one process (from ``wait4``, not of every child of the test run,
and not inflated by the memory of the process that started it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


# A process's peak resident set (``ru_maxrss``) starts at what its parent held when it was forked
# (a test worker holds 100 MiB and more), so the command is started by a small meter process:
# it caps its own address space (the command inherits the cap), spawns the command without
# copying itself (posix_spawn), enforces the timeout, reaps it with wait4 and reports on a pipe.
_METER = """
import json, os, resource, signal, sys, time
fd, cap, timeout, argv = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
os.set_inheritable(fd, False)
start = time.monotonic()
pid = os.posix_spawn(argv[0], argv, os.environ)
killed = False
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        break
    if not killed and time.monotonic() - start > timeout:
        killed = True
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.005)
report = [time.monotonic() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status), killed]
os.write(fd, json.dumps(report).encode())
"""


def run_capped(
    args: Sequence[str | Path],
    *,
    stdin: bytes = b"",
    cwd: Path | None = None,
    timeout: float = TIMEOUT,
    env: dict[str, str] | None = None,
) -> Capped:
    """Run ``python -m vr_quarantine ARGS`` under the cap, through the meter (above)."""
    argv = [sys.executable, "-m", "vr_quarantine", *map(str, args)]
    report_read, report_write = os.pipe()
    meter = [sys.executable, "-S", "-c", _METER, str(report_write), str(MEMORY_CAP), str(timeout)]
    with os.fdopen(report_read, "rb") as report:
        process = subprocess.Popen(
            [*meter, *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            pass_fds=(report_write,),
        )
        os.close(report_write)
        out, err = process.communicate(stdin, timeout=timeout + 30)
        measured = report.read()
    if not measured:
        raise RuntimeError(f"the meter failed: {err.decode(errors='replace')}")
    seconds, peak_kib, code, killed = json.loads(measured)
    return Capped(
        tuple(map(str, args)),
        None if killed or code < 0 else code,
        out.decode("utf-8", "backslashreplace"),
        err.decode("utf-8", "backslashreplace"),
        seconds,
        peak_kib / 1024,  # KiB on Linux
        killed,
    )
