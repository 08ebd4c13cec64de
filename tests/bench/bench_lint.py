"""Lint the corpus sample with ``vr-quarantine lint`` and with yamllint, side by side.

yamllint (default config, Python API, same files) only checks YAML; we also load the artifact,
check its structure and parse and analyse every VQL statement. Goal: not slower than yamllint.
Both read the files from disk in each round; the best of ``ROUNDS`` rounds is reported.
"""

from __future__ import annotations

import time
from pathlib import Path

from yamllint import linter
from yamllint.config import YamlLintConfig

from generator.lint import lint_paths

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "velociraptor-sample"
ROUNDS = 3


def _ours(files: list[str]) -> float:
    start = time.perf_counter()
    results = lint_paths(files)
    elapsed = time.perf_counter() - start
    assert len(results.files) == len(files)
    return elapsed


def _yamllint(files: list[str], config: YamlLintConfig) -> float:
    start = time.perf_counter()
    for name in files:
        with open(name, encoding="utf-8") as handle:
            for _problem in linter.run(handle, config, name):
                pass
    return time.perf_counter() - start


def main() -> None:
    if not CORPUS.is_dir():
        print(f"bench_lint: skipped ({CORPUS} is not present)")
        return
    files = [str(p) for p in sorted(CORPUS.rglob("*.yaml"))]
    config = YamlLintConfig("extends: default")
    ours = min(_ours(files) for _ in range(ROUNDS))
    peer = min(_yamllint(files, config) for _ in range(ROUNDS))
    print(f"files:                      {len(files)}")
    print(f"vr-quarantine lint:         {ours:.3f} s  ({ours / len(files) * 1000:.1f} ms/file)")
    print(f"yamllint (default config):  {peer:.3f} s  ({peer / len(files) * 1000:.1f} ms/file)")
    print(f"ratio ours/yamllint:        {ours / peer:.2f} (goal <= 1.00)")


if __name__ == "__main__":
    main()
