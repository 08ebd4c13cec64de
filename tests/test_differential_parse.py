"""Our parser against vfilter's (the ``parse`` oracle): accept/reject agreement on every VQL text
of the corpus and on at least 3,000 token mutants of them. Skipped without ``../shared``.

``make differential`` runs the same comparison on a larger budget and prints the figures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from vr_quarantine.vql import VqlSyntaxError, parse

from tests.differential.corpus import corpus_texts
from tests.differential.mutants import agreement, mutants
from tests.differential.oracle import oracle_path, run_batch

MUTANTS = int(os.environ.get("VRQ_DIFFERENTIAL_MUTANTS", "3000"))


def accepts(text: str) -> bool:
    try:
        parse(text)
    except VqlSyntaxError:
        return False
    return True


@pytest.fixture(scope="module")
def oracle() -> Path:
    path = oracle_path("parse")
    if path is None:
        pytest.skip("../shared/oracles/vfilter/parse is not present")
    return path


def vfilter_accepts(oracle: Path, texts: list[str]) -> list[bool]:
    answers = run_batch(oracle, [{"id": str(i), "vql": t} for i, t in enumerate(texts)])
    return [bool(a["ok"]) for a in answers]


def describe(disagreements: list[tuple[str, bool, bool]]) -> str:
    return "\n".join(
        f"vfilter {'accepts' if expected else 'rejects'}, we "
        f"{'accept' if actual else 'reject'}: {text!r}"
        for text, expected, actual in disagreements[:20]
    )


def test_every_corpus_text_agrees(oracle: Path) -> None:
    texts = [t.text for t in corpus_texts()]
    assert len(texts) >= 150
    verdicts = vfilter_accepts(oracle, texts)
    assert all(verdicts)
    disagreements = agreement(texts, verdicts, accepts)
    assert not disagreements, describe(disagreements)


def test_token_mutants_agree(oracle: Path) -> None:
    seeds = [t.text for t in corpus_texts()]
    texts = mutants(seeds, MUTANTS)
    assert len(texts) >= min(MUTANTS, 3000)
    verdicts = vfilter_accepts(oracle, texts)
    # Both kinds are well represented, so agreement means something either way.
    assert sum(verdicts) >= len(texts) // 20
    assert len(texts) - sum(verdicts) >= len(texts) // 2
    disagreements = agreement(texts, verdicts, accepts)
    assert not disagreements, describe(disagreements)


QUIRKS = [
    # After a comma, vfilter takes zero or more expressions side by side; only the last of
    # them counts (issue 12's examples, and FluentBit's argv=[..., "-q" "-c", ...]).
    ('SELECT * FROM execve(argv=["a", "b" "c"])', True),
    ("SELECT * FROM scope() WHERE 1, 2 3", True),
    ("SELECT (1, 2 3) AS a FROM scope()", True),
    ("SELECT * FROM f(a=[1, 2 3 4, 5])", True),
    # Without a comma before it, the first element cannot have a neighbour.
    ('SELECT * FROM execve(argv=["a" "b"])', False),
    ("SELECT (1 2) FROM scope()", False),
    ("SELECT 1, 2 3 FROM scope()", False),
    # A call whose argument list fails at once is a symbol followed by (...).
    ("SELECT (1, basename(path)) FROM scope()", True),
    ("SELECT basename(path) FROM scope()", False),
    ("SELECT (1, f(a=1, )) FROM scope()", False),
    ("SELECT (1, f(a=1, b)) FROM scope()", False),
]


def test_known_quirks_agree_with_vfilter(oracle: Path) -> None:
    texts = [text for text, _ in QUIRKS]
    assert vfilter_accepts(oracle, texts) == [accepted for _, accepted in QUIRKS]
    assert [accepts(text) for text in texts] == [accepted for _, accepted in QUIRKS]
