"""Issue 11's examples: each ends with exit 1 or 2, a clear message, no internal error or
traceback, and under 500 MiB, run as a separate process under a memory cap and a timeout.

The time each takes is printed by ``make bench`` (tests/bench/bench_hostile.py), not asserted
here; the timeout only catches a command that does not end.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.capped import run_capped
from tests.hostile_examples import Example, examples, write_inputs

_IDS = [e.id for e in examples(Path("unused"))]


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Example]:
    folder = tmp_path_factory.mktemp("hostile")
    write_inputs(folder)
    return {e.id: e for e in examples(folder)}


@pytest.mark.parametrize("example_id", _IDS)
def test_issue_example_ends_cleanly(catalogue: dict[str, Example], example_id: str) -> None:
    example = catalogue[example_id]
    result = run_capped(example.args, stdin=example.stdin)
    assert result.problems() == [], result.output
    assert result.exit_code in example.exit_codes, result.output
    assert example.says in result.output, result.output
