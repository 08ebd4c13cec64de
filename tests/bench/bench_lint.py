"""Lint the corpus sample with ``vr-quarantine lint`` and with yamllint, side by side.

yamllint (default config, Python API, same files) only checks YAML; we also load the artifact,
check its structure and parse and analyse every VQL statement. Goal: not slower than yamllint.
Both read the files from disk in each round. Rounds alternate between the two tools and the best
of ``ROUNDS`` is reported, as wall-clock and as CPU time (less sensitive to a busy machine).
"""

from __future__ import annotations

import time
from pathlib import Path

from vr_quarantine.lint import lint_paths
from yamllint import linter
from yamllint.config import YamlLintConfig

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "velociraptor-sample"
ROUNDS = 5


Timing = tuple[float, float]
"""(wall-clock seconds, CPU seconds)"""


def _ours(files: list[str]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    results = lint_paths(files)
    timing = (time.perf_counter() - wall, time.process_time() - cpu)
    assert len(results.files) == len(files)
    return timing


def _yamllint(files: list[str], config: YamlLintConfig) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    for name in files:
        with open(name, encoding="utf-8") as handle:
            for _problem in linter.run(handle, config, name):
                pass
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    if not CORPUS.is_dir():
        print(f"bench_lint: skipped ({CORPUS} is not present)")
        return
    files = [str(p) for p in sorted(CORPUS.rglob("*.yaml"))]
    config = YamlLintConfig("extends: default")
    ours: list[Timing] = []
    peer: list[Timing] = []
    for _ in range(ROUNDS):
        ours.append(_ours(files))
        peer.append(_yamllint(files, config))
    print(f"files: {len(files)} (best of {ROUNDS} alternating rounds)")
    for label, index in (("wall-clock", 0), ("CPU", 1)):
        mine = min(t[index] for t in ours)
        theirs = min(t[index] for t in peer)
        print(
            f"{label:10}  vr-quarantine lint {mine:.3f} s ({mine / len(files) * 1000:.1f} ms/file)"
            f"  yamllint {theirs:.3f} s ({theirs / len(files) * 1000:.1f} ms/file)"
            f"  ratio {mine / theirs:.2f} (goal <= 1.00)"
        )


if __name__ == "__main__":
    main()
