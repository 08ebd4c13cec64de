"""``make differential``: the differential tests on a larger budget, with the figures.

    python -m tests.differential [--mutants N] [--programs N] [--seed S]

Compares our parser with vfilter's on every corpus text and N token mutants, and our evaluator
with vfilter's on N generated programs (a new random seed unless --seed; 0 is the CI
derandomized set), then prints the agreement and the first differences. Exit 1 on any
difference, 2 when ../shared/oracles is absent.
"""

from __future__ import annotations

import argparse
import random
import sys
import time

from vr_quarantine.vql import VqlSyntaxError, parse

from .corpus import corpus_texts
from .mutants import agreement, mutants
from .oracle import OracleProcess, oracle_path, run_batch
from .programs import run_programs


def _accepts(text: str) -> bool:
    try:
        parse(text)
    except VqlSyntaxError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.differential")
    parser.add_argument("--mutants", type=int, default=30_000)
    parser.add_argument("--programs", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=None)
    options = parser.parse_args(argv)
    parse_oracle, eval_oracle = oracle_path("parse"), oracle_path("eval")
    if parse_oracle is None or eval_oracle is None:
        print("../shared/oracles/vfilter is not present", file=sys.stderr)
        return 2
    seed = options.seed if options.seed is not None else random.randrange(1, 2**31)
    failed = False

    started = time.monotonic()
    texts = [t.text for t in corpus_texts()]
    generated = mutants(texts, options.mutants, seed=seed or 12)
    for label, batch in (("corpus texts", texts), ("token mutants", generated)):
        answers = run_batch(parse_oracle, [{"id": str(i), "vql": t} for i, t in enumerate(batch)])
        verdicts = [bool(a["ok"]) for a in answers]
        differ = agreement(batch, verdicts, _accepts)
        print(
            f"parser, {label}: {len(batch) - len(differ)}/{len(batch)} agree "
            f"({sum(verdicts)} accepted by vfilter)"
        )
        for text, expected, _ in differ[:5]:
            print(f"  vfilter {'accepts' if expected else 'rejects'}: {text!r}")
        failed |= bool(differ)
    print(f"  ({time.monotonic() - started:.1f} s)")

    started = time.monotonic()
    oracle = OracleProcess(eval_oracle)
    try:
        ran, reports = run_programs(oracle, options.programs, seed=seed or None)
    finally:
        oracle.close()
    print(f"evaluator, generated programs (seed {seed}): {ran - len(reports)}/{ran} agree")
    for report in reports[:3]:
        print("  " + report.replace("\n", "\n  "))
    print(f"  ({time.monotonic() - started:.1f} s)")
    failed |= bool(reports)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
