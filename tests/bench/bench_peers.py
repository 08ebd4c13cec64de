"""What a user waits for, against a named peer: whole processes, start-up included, same files.

Each goal runs our command and its peer alternately, ``ROUNDS`` times each (after one warm-up run
of each), and compares the medians of the wall-clock times; peak memory is each process's own
maximum resident set (``wait4``). The peers are the tools a team would otherwise run:

- ``render`` of 1,000 generated valid profiles (one command, into a fresh folder each run) against
  ``check-jsonschema`` validating the same 1,000 files against the profile schema: goal <= 1.0;
- ``lint`` of the Velociraptor sample corpus against ``yamllint -d relaxed`` on the same files:
  time goal <= 0.5, peak memory goal <= 2.0;
- ``validate`` of one profile against ``check-jsonschema`` on the same file: goal <= 0.7;
- ``vr-quarantine --version`` against ``yamllint --version`` (start-up alone): goal <= 1.0.

Python keeps the bytecode it compiles, as in a user's runs (``PYTHONDONTWRITEBYTECODE`` is
dropped): the peers' bytecode was compiled when pip installed them, ours on the warm-up run.

The corpus is ``../shared/corpus/velociraptor-sample`` next to the repository, or the folder named
by ``VRQ_CORPUS``; the lint goal is skipped when neither exists. ``VRQ_BENCH_ROUNDS`` changes the
number of rounds.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema" / "quarantine-profile.schema.json"
PROFILES = 1000
ROUNDS = int(os.environ.get("VRQ_BENCH_ROUNDS", "5"))
# As a user's runs: Python keeps the bytecode it compiles (the peers' was compiled at install).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float
    """User and system time: less sensitive than wall-clock time to a busy machine."""
    peak_kib: int
    returncode: int


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise SystemExit(
            f"bench_peers: {name} is not installed (make bench installs the dev extra)"
        )
    return found


# A process's peak resident set (``ru_maxrss``) starts at what its parent held when it was
# spawned, so the commands are started by a small meter process, not by this one.
_METER = """
import json, os, sys, time
argv = sys.argv[1:]
start = time.perf_counter()
quiet = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=quiet)
_, status, usage = os.wait4(pid, 0)
print(json.dumps([time.perf_counter() - start, usage.ru_utime + usage.ru_stime,
                  usage.ru_maxrss, os.waitstatus_to_exitcode(status)]))
"""


def run_once(argv: Sequence[str], before: Callable[[], None] | None = None) -> Run:
    """One whole process: wall-clock and CPU time, and its own peak resident set."""
    if before is not None:
        before()
    with tempfile.TemporaryFile() as errors:
        meter = subprocess.run(
            [sys.executable, "-S", "-c", _METER, *argv],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=ENV,
            check=False,
        )
        seconds, cpu, peak, code = json.loads(meter.stdout.splitlines()[-1])
        if code not in (0, 1):
            errors.seek(0)
            text = errors.read().decode(errors="replace")
            raise SystemExit(f"bench_peers: {' '.join(argv[:3])} ... exited {code}:\n{text}")
    return Run(seconds, cpu, peak, code)


@dataclass(frozen=True)
class Pair:
    ours: list[Run]
    peer: list[Run]

    @staticmethod
    def median(runs: list[Run], field: str) -> float:
        return float(statistics.median(getattr(r, field) for r in runs))

    def ratio(self, field: str) -> float:
        return self.median(self.ours, field) / self.median(self.peer, field)


def compare(
    ours: Sequence[str],
    peer: Sequence[str],
    *,
    before: Callable[[], None] | None = None,
    rounds: int = ROUNDS,
) -> Pair:
    """Alternate the two commands; the first run of each warms caches and is not counted."""
    run_once(ours, before)
    run_once(peer)
    pair = Pair([], [])
    for _ in range(rounds):
        pair.ours.append(run_once(ours, before))
        pair.peer.append(run_once(peer))
    return pair


def report(
    goal: str, ours: str, peer: str, pair: Pair, limit: float, field: str = "seconds"
) -> bool:
    unit, scale = ("s", 1.0) if field == "seconds" else ("MiB", 1 / 1024)
    mine = Pair.median(pair.ours, field) * scale
    theirs = Pair.median(pair.peer, field) * scale
    ratio = pair.ratio(field)
    met = ratio <= limit
    print(
        f"{goal}\n  {ours}: {mine:.3f} {unit}   {peer}: {theirs:.3f} {unit}   "
        f"ratio {ratio:.2f} (goal <= {limit:.2f}: {'met' if met else 'MISSED'})"
    )
    if field == "seconds":
        cpu = (Pair.median(pair.ours, "cpu_seconds"), Pair.median(pair.peer, "cpu_seconds"))
        print(f"  CPU time: {cpu[0]:.3f} s and {cpu[1]:.3f} s, ratio {cpu[0] / cpu[1]:.2f}")
        spread = [
            (min(r.seconds for r in runs), max(r.seconds for r in runs))
            for runs in (pair.ours, pair.peer)
        ]
        print(
            f"  spread of the runs: {spread[0][0]:.3f}-{spread[0][1]:.3f} s and "
            f"{spread[1][0]:.3f}-{spread[1][1]:.3f} s"
        )
    return met


def profile_text(index: int) -> str:
    """A valid profile (no finding at all); the feature switches and rules vary with `index`."""
    from_config = index % 2 == 0
    negative = index % 4 < 2
    rules = "".join(
        f"  - action: permit\n    source: me\n    destination: 192.0.{r}.{index % 250 + 1}\n"
        f"    destination_port: {1000 + r}\n    protocol: tcp\n    mirrored: true\n"
        f"    description: Evidence host {r}\n"
        for r in range(index % 4)
    )
    return (
        f"format_version: 1\nid: bench-{index:04d}\n"
        f"artifact:\n  name: Custom.Bench.Quarantine.P{index:04d}\n  author: Bench team\n"
        f"  description: |\n    Bench profile {index}.\n  engagement: IR-{index}\n"
        "policy_name: VelociraptorQuarantine\n"
        f"servers:\n  from_client_config: {str(from_config).lower()}\n"
        f'  urls: ["https://vr{index}.example.org:8000/"]\n'
        "block_all: true\n"
        + (f"rules:\n{rules}" if rules else "rules: []\n")
        + f'message: "Isolated by the security team, call 555 {index:04d}."\n'
        "rollback:\n  connectivity_check: true\n  timeout_seconds: 30\n"
        + ("  negative_check_url: https://www.example.com/\n" if negative else "")
        + f"lifecycle:\n  expiry: {24 + index % 72}h\n"
    )


def _no_finding(vrq: str, files: Sequence[str]) -> None:
    """The generated profiles are what `profile_text` promises: `validate` finds nothing at all
    (not even advice), so render measures its clean path."""
    checked = subprocess.run(
        [vrq, "validate", "-f", "json", *files], capture_output=True, env=ENV, check=False
    )
    summary = json.loads(checked.stdout)["summary"] if checked.returncode == 0 else None
    if summary is None or any(summary.values()):
        raise SystemExit(f"bench_peers: the generated profiles have findings: {summary}")


def corpus() -> Path | None:
    given = os.environ.get("VRQ_CORPUS")
    folder = Path(given) if given else ROOT.parent / "shared" / "corpus" / "velociraptor-sample"
    return folder if folder.is_dir() else None


def main() -> None:
    vrq, check_jsonschema, yamllint = (
        _tool(n) for n in ("vr-quarantine", "check-jsonschema", "yamllint")
    )
    print(f"medians of {ROUNDS} alternating whole-process runs each (after one warm-up)")
    print(f"CPUs: {os.cpu_count()} (render spreads a long run over them; the peers use one)")
    print(f"load average before: {_load()}")
    verdicts: list[bool] = []
    with tempfile.TemporaryDirectory(prefix="vrq-bench-") as scratch:
        folder = Path(scratch) / "profiles"
        folder.mkdir()
        files = []
        for index in range(PROFILES):
            path = folder / f"p{index:04d}.yaml"
            path.write_text(profile_text(index), encoding="utf-8")
            files.append(str(path))
        _no_finding(vrq, files)
        out = Path(scratch) / "artifacts"

        def fresh_output() -> None:
            shutil.rmtree(out, ignore_errors=True)

        pair = compare(
            [vrq, "render", *files, "-o", str(out)],
            [check_jsonschema, "--schemafile", str(SCHEMA), *files],
            before=fresh_output,
        )
        written = len(list(out.glob("*.yaml")))
        if written < PROFILES or any(r.returncode for r in pair.ours + pair.peer):
            raise SystemExit(f"bench_peers: render wrote {written} artifacts for {PROFILES}")
        goal = f"render {PROFILES} profiles ({written} artifacts: each profile's companions too)"
        verdicts.append(report(goal, "vr-quarantine render", "check-jsonschema", pair, 1.0))

        pair = compare(
            [vrq, "validate", files[0]], [check_jsonschema, "--schemafile", str(SCHEMA), files[0]]
        )
        verdicts.append(
            report("validate one profile", "vr-quarantine validate", "check-jsonschema", pair, 0.7)
        )

    pair = compare([vrq, "--version"], [yamllint, "--version"])
    verdicts.append(report("start-up", "vr-quarantine --version", "yamllint --version", pair, 1.0))

    sample = corpus()
    if sample is None:
        print(
            "lint of the corpus: skipped (no ../shared/corpus/velociraptor-sample, no VRQ_CORPUS)"
        )
    else:
        artifacts = [str(p) for p in sorted(sample.rglob("*.yaml"))]
        pair = compare([vrq, "lint", *artifacts], [yamllint, "-d", "relaxed", *artifacts])
        goal = f"lint {len(artifacts)} corpus artifacts"
        verdicts.append(report(goal, "vr-quarantine lint", "yamllint -d relaxed", pair, 0.5))
        verdicts.append(
            report(
                goal + ", peak memory",
                "vr-quarantine lint",
                "yamllint -d relaxed",
                pair,
                2.0,
                field="peak_kib",
            )
        )
    print(f"load average after: {_load()}")
    print(f"goals met: {sum(verdicts)} of {len(verdicts)}")


def _load() -> str:
    """A busy machine slows both commands of a pair, but not always alike: say how busy."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
