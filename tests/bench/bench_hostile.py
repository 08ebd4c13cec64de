"""Issue 11's hostile examples: wall time, peak memory and exit code of each, whole process.

Each example runs as a user runs it (``python -m vr_quarantine ...``) under the test suite's cap
(tests/capped.py: 1 GiB of address space, killed after 20 s); the figure is the median of
``ROUNDS`` runs, the peak the largest of them. The goal for each is under 5 s and 500 MiB with
exit 1 or 2; the peer is ``vr-quarantine --version`` (interpreter start and CLI import), so the
ratio shows what the hostile input itself costs. Point 3's examples (the evaluator's limits) are
listed too. Run alone: ``python -m tests.bench.bench_hostile``.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from tests.capped import Capped, run_capped
from tests.hostile_examples import Example, evaluator_examples, examples, write_inputs

ROUNDS = 3
GOAL_SECONDS = 5.0
GOAL_MIB = 500.0


def _measure(example: Example, cwd: Path) -> tuple[float, float, Capped]:
    runs = [run_capped(example.args, stdin=example.stdin, cwd=cwd) for _ in range(ROUNDS)]
    return statistics.median(r.seconds for r in runs), max(r.peak_mib for r in runs), runs[-1]


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        write_inputs(folder)
        cases = [*examples(folder), *evaluator_examples(folder)]
        peer = Example("peer: --version", ("--version",), (0,), "vr-quarantine")
        base, _, _ = _measure(peer, folder)
        print(f"{'example':34} {'seconds':>8} {'×peer':>6} {'MiB':>6} exit  verdict")
        print(f"{peer.id:34} {base:8.2f} {1.0:6.1f} {'':>6}")
        failed = 0
        for example in cases:
            seconds, mib, last = _measure(example, folder)
            problems = last.problems()
            if seconds > GOAL_SECONDS:
                problems.append(f"over {GOAL_SECONDS:.0f} s")
            if last.exit_code not in example.exit_codes:
                problems.append(f"exit {last.exit_code}, expected {example.exit_codes}")
            if example.says not in last.output:
                problems.append(f"does not say {example.says!r}")
            failed += bool(problems)
            verdict = "ok" if not problems else "; ".join(problems)
            exit_code = "-" if last.exit_code is None else str(last.exit_code)
            print(
                f"{example.id:34} {seconds:8.2f} {seconds / base:6.1f} {mib:6.0f} "
                f"{exit_code:>4}  {verdict}"
            )
        print(
            f"{len(cases) - failed}/{len(cases)} examples within {GOAL_SECONDS:.0f} s and "
            f"{GOAL_MIB:.0f} MiB with a clear message and exit 1 or 2"
        )


if __name__ == "__main__":
    main()
